"""Cost totals for LlamaIndex: ``NeocloudCostHandler`` (an instrumentation event handler) and ``neocloud_costs()``.

Every neocloud LLM puts a call's price in ``ChatResponse.raw["cost"]`` and ``additional_kwargs["cost"]``
(``{"usd", "source"}``, see ``neocloud.core.pricing``; a ``CompletionResponse`` carries both too). The handler adds
those up with the usage, per provider and model, on ``LLMChatEndEvent`` and ``LLMCompletionEndEvent``.
A response without a cost counts as an unpriced call: never a guess.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.instrumentation.events.llm import LLMChatEndEvent, LLMCompletionEndEvent
from pydantic import ConfigDict, Field, PrivateAttr, SkipValidation

from neocloud.core.pricing import CostTotals, TotalsView, usd_of

__all__ = ["NeocloudCostHandler", "neocloud_costs"]

_REMEMBERED = 1024


class NeocloudCostHandler(TotalsView, BaseEventHandler):
    """Totals tokens and USD per ``(provider, model)`` of every LLM call it sees; thread-safe.

    Attach it with ``get_dispatcher().add_event_handler(handler)`` or open ``neocloud_costs()``. ``total_usd``,
    ``calls``, ``prompt_tokens``, ``completion_tokens``, ``by_model`` read the totals; ``str(handler)`` prints them.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    totals: SkipValidation[CostTotals] = Field(default_factory=CostTotals, exclude=True)
    # complete() runs through chat(): both end events then hold the same ``raw``; it is counted once. The
    # references are kept (not just their ids) so an id cannot be reused while remembered.
    _seen: OrderedDict[int, Any] = PrivateAttr(default_factory=OrderedDict)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def class_name(cls) -> str:
        return "NeocloudCostHandler"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        if not isinstance(event, LLMChatEndEvent | LLMCompletionEndEvent) or event.response is None:
            return
        response = event.response
        if response.raw is not None and not self._first_sight(response.raw):
            return
        extra = response.additional_kwargs
        provider = extra.get("model_provider")
        model = response.raw.get("model") if isinstance(response.raw, Mapping) else getattr(response.raw, "model", None)
        self.totals.count(
            provider if isinstance(provider, str) else "unknown",
            model if isinstance(model, str) else "unknown",
            _int(extra.get("prompt_tokens")),
            _int(extra.get("completion_tokens")),
            usd_of(extra.get("cost")),
        )

    def _first_sight(self, raw: Any) -> bool:
        with self._lock:
            if self._seen.get(id(raw)) is raw:
                return False
            self._seen[id(raw)] = raw
            if len(self._seen) > _REMEMBERED:
                self._seen.popitem(last=False)
            return True


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


@contextmanager
def neocloud_costs() -> Iterator[NeocloudCostHandler]:
    """Total the cost of every LlamaIndex LLM call made inside the block.

    The handler sits on the root dispatcher, which is process-wide: calls made by other threads during the block
    are counted too.
    """
    handler = NeocloudCostHandler()
    root = get_dispatcher()
    root.add_event_handler(handler)
    try:
        yield handler
    finally:
        root.event_handlers = [h for h in root.event_handlers if h is not handler]
