"""``Meter``: the one place inference calls are priced and, when configured, reserved in the ledger.

Every OpenAI-compatible resource (``chat.completions``, ``completions``, ``embeddings``) and the framework adapters'
chat backends send through a client's meter. Per call:

1. the *accounts* that apply are gathered: the client's own (``ledger=`` / ``budget=``) and every
   ``costs(budget=...)`` block open in the context;
2. if there are any, the call's worst case (``worst_case_usd``) is reserved in each, atomically, before the
   request leaves (``BudgetExceeded`` otherwise). A call whose cost cannot be bounded (a model without a known
   price; a media call: images, video, speech and transcription have no token price) is refused under a budget
   unless ``unpriced="allow"``, which reserves nothing and settles with whatever the provider reports; in an
   account without a budget it is recorded with a zero estimate and its actual cost when one is known;
3. the answer gets its ``cost`` (``Cost`` or ``None``), the open ``costs()`` totals count it, and each reservation
   is settled with it (a stream: when it ends, is closed, or breaks).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from ..errors import ConfigurationError
from ..ledger._base import Budgets
from ..ledger._protocol import LedgerStore
from ..ledger._records import Entry, Intent, Status
from ._cost import Cost, ModelPrice, PriceTable, catalog_price, reported_cost, usage_cost, worst_case_usd
from ._totals import active_totals

__all__ = ["Kind", "Meter", "Unpriced"]

log = logging.getLogger("neocloud.ledger")
_R = TypeVar("_R")
Kind = Literal["chat", "completion", "embedding", "rerank", "image", "video", "speech", "transcription"]
Unpriced = Literal["refuse", "allow"]
_OPERATION: dict[str, str] = {
    "chat": "chat.completions.create",
    "completion": "completions.create",
    "embedding": "embeddings.create",
    "rerank": "rerank.create",
    "image": "images.generate",
    "video": "videos.create",
    "speech": "audio.speech.create",
    "transcription": "audio.transcriptions.create",
}
# Priced per token: the kinds whose worst case the token bounds can state. The media kinds bill per image, second
# of video or character, which no price table here states, so their cost is unknown until the provider reports it.
_TOKEN_KINDS = frozenset({"chat", "completion", "embedding", "rerank"})


def _usage(response: Any) -> Any:
    # A wire model's ``usage``, a plain dict's ``["usage"]`` (streamed dict chunks), or a result's ``raw["usage"]``.
    # Called on every chunk of a stream, so the common cases come first and cheapest: a dict, then a wire model
    # (asking pydantic for a missing ``raw`` costs microseconds; the ABC checks cost more than the lookup).
    if type(response) is dict:
        return response.get("usage")
    usage = getattr(response, "usage", None)
    if usage is not None or isinstance(response, BaseModel):
        return usage
    if isinstance(response, Mapping):
        return response.get("usage")
    raw = getattr(response, "raw", None)
    return raw.get("usage") if isinstance(raw, Mapping) else None


@dataclass
class _Account:
    store: LedgerStore
    budgets: Budgets
    run_id: str


@dataclass
class Meter:
    """How one client prices calls and which ledger and budget it reserves them in (see the module docstring).

    ``ledger``: a ``LedgerStore``; ``True`` opens ``open_ledger()`` (``$NEOCLOUD_LEDGER``, else the default file) on
    the first call; ``None`` records nothing unless a ``budget`` is given, which opens ``open_ledger()`` too.
    """

    provider: str
    table: PriceTable | None = None
    ledger: LedgerStore | bool | None = None
    budget: Budgets = None
    run_id: str | None = None
    unpriced: Unpriced = "refuse"
    catalog: dict[str, ModelPrice] = field(default_factory=dict)
    # Guards the lazy ledger and run id: concurrent first calls (async ones reserve in worker threads) must share
    # one run, or each would get its own budget.
    _init_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.unpriced not in ("refuse", "allow"):
            raise ConfigurationError(f"unpriced must be 'refuse' or 'allow', got {self.unpriced!r}")
        if self.ledger is not None and not isinstance(self.ledger, bool) and not hasattr(self.ledger, "reserve"):
            raise ConfigurationError(f"ledger must be a LedgerStore, True or None, got {type(self.ledger).__name__}")

    # -- prices -------------------------------------------------------------------------------------------
    def learn(self, models: Any) -> None:
        """Remember the prices a models endpoint published (a ``ModelList``, a ``Model`` or plain dicts)."""
        entries = getattr(models, "data", None)
        for entry in entries if isinstance(entries, list) else [models]:
            data = entry.model_dump() if hasattr(entry, "model_dump") else entry
            price = catalog_price(data) if isinstance(data, Mapping) else None
            if price is not None and isinstance(data.get("id"), str):
                self.catalog[data["id"]] = price

    def price_of(self, model: str) -> tuple[ModelPrice, str] | None:
        """The model's prices and their source: the catalog, else the price table; ``None`` when neither knows."""
        if model in self.catalog:
            return self.catalog[model], "catalog"
        if self.table is not None and model in self.table.prices:
            return self.table.prices[model], self.table.source
        return None

    def cost_of(self, model: str, usage: Any) -> Cost | None:
        """The call's cost: the provider's own total, else usage times the known price, else ``None``."""
        if usage is None:
            return None
        reported = reported_cost(usage)
        if reported is not None:
            return Cost(reported, "provider")
        found = self.price_of(model)
        return None if found is None else Cost(usage_cost(usage, found[0]), found[1])

    def price_response(self, model: str, response: Any) -> Cost | None:
        """Attach the cost to ``response`` (a wire model with ``_cost``) and count it in the open totals."""
        usage = _usage(response)
        named = response.get("model") if isinstance(response, Mapping) else getattr(response, "model", None)
        cost = self.cost_of(named if isinstance(named, str) and named else model, usage)
        attach = getattr(response, "attach_cost", None)  # a PricedModel (set without pydantic's __setattr__)
        if attach is not None:
            attach(cost)
        for totals in active_totals():
            totals.add(self.provider, model, usage, cost)
        return cost

    # -- reservations -------------------------------------------------------------------------------------
    def _accounts(self) -> list[_Account]:
        accounts = [_Account(t.ledger, t.budget, t.run_id) for t in active_totals() if t.ledger is not None]
        if (self.ledger is not None and self.ledger is not False) or self.budget is not None:
            with self._init_lock:
                if self.ledger is None or isinstance(self.ledger, bool):
                    from ..ledger._open import open_ledger

                    self.ledger = open_ledger()  # once; every copy of this meter then shares it
                if self.run_id is None:
                    import uuid

                    self.run_id = f"run-{uuid.uuid4().hex[:12]}"
                store: LedgerStore = self.ledger
                run_id = self.run_id
            accounts.insert(0, _Account(store, self.budget, run_id))
        return accounts

    def _records(self) -> bool:
        """Whether a call has anything to reserve or record (a ledger or budget here, or a ledger on an open
        ``track()``). When not, the async calls skip the worker-thread hops the ledger's I/O needs: two per call,
        most of an async call's own cost."""
        if (self.ledger is not None and self.ledger is not False) or self.budget is not None:
            return True
        return any(t.ledger is not None for t in active_totals())

    async def _areserve(self, kind: Kind, body: Mapping[str, Any]) -> list[tuple[_Account, Entry]]:
        import asyncio

        return await asyncio.to_thread(self.reserve, kind, body) if self._records() else []

    @classmethod
    async def _asettle(cls, held: list[tuple[_Account, Entry]], cost: Cost | None,
                       exc: BaseException | None = None) -> None:  # fmt: skip
        if held:
            import asyncio

            await asyncio.to_thread(cls.settle, held, cost, exc)

    def _intent(self, kind: Kind, body: Mapping[str, Any], account: _Account) -> Intent:
        model = str(body.get("model"))
        found = self.price_of(model) if kind in _TOKEN_KINDS else None
        if found is None:
            # Unknown is never guessed: under a budget the call is refused unless the caller accepts an unbounded
            # call (``unpriced="allow"``); without one, the call is still recorded, with its actual cost if reported.
            if self.unpriced == "refuse" and account.budgets is not None:
                why = (f"{self.provider} model {model!r} has no known price" if kind in _TOKEN_KINDS
                       else f"{kind} calls have no token price")  # fmt: skip
                raise ConfigurationError(
                    f"{_OPERATION[kind]} was refused before anything was sent: {why}, so its cost cannot be bounded "
                    "under a budget. Pass prices= (a PriceTable), list the provider's models first (its catalog "
                    "prices are then used), or pass unpriced='allow' (the call then reserves nothing)."
                )
            estimate: Any = 0
        else:
            estimate = worst_case_usd(body, found[0], embeddings=kind in ("embedding", "rerank"))
        return Intent(_OPERATION[kind], self.provider, account.run_id, estimate_usd=estimate, model=model)

    def reserve(self, kind: Kind, body: Mapping[str, Any]) -> list[tuple[_Account, Entry]]:
        """Reserve the call's worst case in every account (all or none); raises before anything is sent."""
        held: list[tuple[_Account, Entry]] = []
        try:
            for account in self._accounts():
                # One at a time: a refusal must fail the reservations already held.
                entry = account.store.reserve(self._intent(kind, body, account), account.budgets)
                held.append((account, entry))
        except BaseException:
            for account, entry in held:
                account.store.fail(entry.id, error="refused by another budget before sending")
            raise
        return held

    @staticmethod
    def settle(held: list[tuple[_Account, Entry]], cost: Cost | None, exc: BaseException | None = None) -> None:
        """Record the outcome of each reservation: succeeded with the actual cost, or the outcome of ``exc``."""
        if not held:  # (most calls: no ledger, so nothing to import or record)
            return
        from ..ledger._track import _describe, outcome_of

        for account, entry in held:
            try:
                if exc is None:
                    account.store.succeed(entry.id, actual_usd=None if cost is None else cost.usd)
                elif outcome_of(exc) is Status.FAILED:
                    account.store.fail(entry.id, error=_describe(exc))
                else:
                    account.store.mark_unknown(entry.id, error=_describe(exc))
            except Exception:  # the entry stays open, which still holds its money: never hide the call's result  # noqa: PERF203
                log.warning("ledger: could not record the outcome of %s", entry.id, exc_info=True)

    # -- calls --------------------------------------------------------------------------------------------
    def call(self, kind: Kind, body: Mapping[str, Any], send: Callable[[], _R]) -> _R:
        """Send one non-streamed call through the meter."""
        held = self.reserve(kind, body)
        try:
            response = send()
        except BaseException as exc:
            self.settle(held, None, exc)
            raise
        self.settle(held, self.price_response(str(body.get("model")), response))
        return response

    async def acall(self, kind: Kind, body: Mapping[str, Any], send: Callable[[], Awaitable[_R]]) -> _R:
        """``call`` for asyncio: the ledger's work runs in a worker thread."""
        held = await self._areserve(kind, body)
        try:
            response = await send()
        except BaseException as exc:
            await self._asettle(held, None, exc)
            raise
        cost = self.price_response(str(body.get("model")), response)
        await self._asettle(held, cost)
        return response

    def chunks(
        self, body: Mapping[str, Any], held: list[tuple[_Account, Entry]], items: Iterator[_R]
    ) -> Generator[_R, None, None]:
        """Pass a stream's chunks on, pricing the one that carries usage; settle when it ends, closes or breaks."""
        cost: Cost | None = None
        try:
            for item in items:
                if _usage(item) is not None:
                    cost = self.price_response(str(body.get("model")), item)
                yield item
        except GeneratorExit:
            self.settle(held, cost)  # the consumer stopped early: what was generated so far is what it cost
            raise
        except BaseException as exc:
            self.settle(held, cost, exc if cost is None else None)
            raise
        self.settle(held, cost)

    async def achunks(self, body: Mapping[str, Any], held: list[tuple[_Account, Entry]],
                      items: AsyncIterator[_R]) -> AsyncGenerator[_R, None]:  # fmt: skip
        """``chunks`` for an async stream."""
        cost: Cost | None = None
        try:
            async for item in items:
                if _usage(item) is not None:
                    cost = self.price_response(str(body.get("model")), item)
                yield item
        except GeneratorExit:
            self.settle(held, cost)
            raise
        except BaseException as exc:
            await self._asettle(held, cost, exc if cost is None else None)
            raise
        await self._asettle(held, cost)

    def stream(self, kind: Kind, body: Mapping[str, Any], send: Callable[[], _R]) -> _R:
        """Send a streamed call: reserve first; the returned ``Stream`` settles when it ends."""
        held = self.reserve(kind, body)
        try:
            result = send()
        except BaseException as exc:
            self.settle(held, None, exc)
            raise
        inner = getattr(result, "_iterator", None)
        if inner is None:  # a raw response: its chunks are not seen here, so the reservation stays as the cost
            self.settle(held, None)
            return result
        if not held and self._watch(result, body):
            return result  # nothing to settle: pricing the usage chunk is all there is to do
        result._iterator = self.chunks(body, held, inner)  # type: ignore[attr-defined]
        return result

    def _watch(self, stream: Any, body: Mapping[str, Any]) -> bool:
        """Price ``stream``'s usage chunk through its reader's per-item hook (no generator around the stream, one
        step less per chunk); False when the stream has no such reader."""
        reader = getattr(stream, "_reader", None)
        if reader is None or not hasattr(reader, "on_item"):
            return False
        model, before = str(body.get("model")), reader.on_item

        def price(item: Any) -> None:
            if before is not None:
                before(item)
            if _usage(item) is not None:
                self.price_response(model, item)

        reader.on_item = price
        return True

    async def astream(self, kind: Kind, body: Mapping[str, Any], send: Callable[[], Awaitable[_R]]) -> _R:
        """``stream`` for an ``AsyncStream``."""
        held = await self._areserve(kind, body)
        try:
            result = await send()
        except BaseException as exc:
            await self._asettle(held, None, exc)
            raise
        inner = getattr(result, "_aiterator", None)
        if inner is None:
            await self._asettle(held, None)
            return result
        if not held and self._watch(result, body):
            return result
        result._aiterator = self.achunks(body, held, inner)  # type: ignore[attr-defined]
        return result
