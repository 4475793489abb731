"""What a call costs, as pure functions: prices per million tokens in, ``Decimal`` dollars out.

A ``Cost`` says how much and where the number came from, in this order of trust:

- ``"provider"``: the provider's own answer for this call (Cluster Protocol's ``usage.total_cost``);
- ``"catalog"``: the model's prices from the provider's models endpoint, times the call's usage;
- ``"price_table:<date>"``: a shipped (or user-given) dated table of prices, times the call's usage.

Unknown stays unknown (``None``): no price is ever guessed. Cached prompt tokens are charged at a discount
only where a table states a cached-input price; otherwise they cost what other prompt tokens cost.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ..errors import RequestValidationError
from ..ledger._money import Money, to_micros

__all__ = [
    "DEFAULT_MAX_OUTPUT_TOKENS",
    "MESSAGE_OVERHEAD_TOKENS",
    "Cost",
    "ModelPrice",
    "PriceTable",
    "catalog_price",
    "output_token_bound",
    "prompt_token_bound",
    "reported_cost",
    "usage_cost",
    "worst_case_usd",
]

_MILLION = Decimal(1_000_000)
# A call without max_tokens whose model's context length is unknown is bounded by this many output tokens.
DEFAULT_MAX_OUTPUT_TOKENS = 8192
# Tokens a chat template may add around each message (role markers, separators): part of the prompt bound.
MESSAGE_OVERHEAD_TOKENS = 8


def _price(value: Money, param: str) -> Decimal:
    # Through the ledger's money rules (exact, non-negative, finite); prices keep their digits below a micro-dollar.
    to_micros(value, param=param)
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())


@dataclass(frozen=True)
class ModelPrice:
    """A model's prices in USD per million tokens; ``cached_input_per_m`` only where documented."""

    input_per_m: Decimal
    output_per_m: Decimal
    cached_input_per_m: Decimal | None = None
    context_length: int | None = None

    @classmethod
    def of(cls, input_per_m: Money, output_per_m: Money, *, cached_input_per_m: Money | None = None,
           context_length: int | None = None) -> ModelPrice:  # fmt: skip
        """Prices given as ``Decimal``, ``int``, ``str`` or ``float`` (read exactly)."""
        cached = None if cached_input_per_m is None else _price(cached_input_per_m, "cached_input_per_m")
        return cls(_price(input_per_m, "input_per_m"), _price(output_per_m, "output_per_m"), cached, context_length)


@dataclass(frozen=True)
class PriceTable:
    """A provider's prices as of ``as_of``, from ``source_url``; its costs say ``price_table:<as_of>``."""

    provider: str
    as_of: date
    source_url: str
    prices: Mapping[str, ModelPrice] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return f"price_table:{self.as_of.isoformat()}"


@dataclass(frozen=True)
class Cost:
    """``usd`` dollars, from ``source`` (``"provider"``, ``"catalog"`` or ``"price_table:<date>"``)."""

    usd: Decimal
    source: str

    def to_dict(self) -> dict[str, str]:
        """The JSON form put on responses and framework metadata: ``{"usd": "0.000123", "source": ...}``."""
        return {"usd": _plain(self.usd), "source": self.source}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Cost:
        return cls(Decimal(str(data["usd"])), str(data["source"]))


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


_ABSENT = object()


@lru_cache(maxsize=256)
def _class_has(cls: type, name: str) -> bool:
    # Whether the class (or a base) defines ``name``: a property a subclass adds is read through ``getattr``.
    # Asked on every call and chunk, so each class's MRO is walked once per name (bounded: classes made at run
    # time cannot grow it without limit).
    return any(name in klass.__dict__ for klass in cls.__mro__)


def _get(usage: Any, name: str) -> Any:
    """``usage[name]`` or ``usage.name``; None when it has no such key or attribute. A pydantic model is read from
    its fields and extras directly: ``getattr`` of a name it lacks (``total_cost`` on every chunk's usage) goes
    through pydantic's ``__getattr__`` and two raised ``AttributeError``s."""
    if type(usage) is dict or isinstance(usage, Mapping):
        return usage.get(name)
    extra: Any = getattr(usage, "__pydantic_extra__", _ABSENT)
    if extra is _ABSENT:
        return getattr(usage, name, None)
    value = usage.__dict__.get(name, _ABSENT)
    if value is not _ABSENT:
        return value
    if extra and name in extra:
        return extra[name]
    cls: type = type(usage)
    return getattr(usage, name, None) if _class_has(cls, name) else None


def _count(usage: Any, name: str) -> int:
    value = _get(usage, name)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _cached(usage: Any) -> int:
    details = _get(usage, "prompt_tokens_details")
    return 0 if details is None else _count(details, "cached_tokens")


def usage_cost(usage: Any, price: ModelPrice) -> Decimal:
    """``prompt x input + completion x output`` per million; cached prompt tokens at the cached price if stated."""
    prompt, completion = _count(usage, "prompt_tokens"), _count(usage, "completion_tokens")
    cached = min(_cached(usage), prompt) if price.cached_input_per_m is not None else 0
    total = (prompt - cached) * price.input_per_m + completion * price.output_per_m
    if cached:
        assert price.cached_input_per_m is not None
        total += cached * price.cached_input_per_m
    return total / _MILLION


def reported_cost(usage: Any) -> Decimal | None:
    """The provider's own total for the call (``usage.total_cost``), when it sent a usable one."""
    value = _get(usage, "total_cost")
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        return _price(value, "usage.total_cost")
    except RequestValidationError:
        return None


def prompt_token_bound(body: Mapping[str, Any]) -> int:
    """An upper bound on a request's prompt tokens: the UTF-8 bytes of its ``messages`` / ``prompt`` / ``input``
    (and ``tools``; a rerank's ``query`` and ``documents``), since a token of a byte-level tokenizer covers at least
    one byte, plus ``MESSAGE_OVERHEAD_TOKENS`` per message for the chat template."""
    total = 0
    for key in ("messages", "prompt", "input", "tools", "query", "documents"):
        value = body.get(key)
        if value is None:
            continue
        total += len(value.encode()) if isinstance(value, str) else len(json.dumps(value, ensure_ascii=False).encode())
        if key == "messages" and isinstance(value, list):
            total += MESSAGE_OVERHEAD_TOKENS * len(value)
    return total


def output_token_bound(body: Mapping[str, Any], price: ModelPrice) -> int:
    """The most output tokens the call may bill: ``max_completion_tokens`` / ``max_tokens`` times ``n``; without
    either, the model's context length, else ``DEFAULT_MAX_OUTPUT_TOKENS``."""
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
        limit = price.context_length or DEFAULT_MAX_OUTPUT_TOKENS
    n = body.get("n")
    return limit * (n if isinstance(n, int) and not isinstance(n, bool) and n > 1 else 1)


def worst_case_usd(body: Mapping[str, Any], price: ModelPrice, *, embeddings: bool = False) -> Decimal:
    """What the call may cost at most: the prompt bound at the input price plus, unless it is an embeddings
    call, the output bound at the output price."""
    prompt = prompt_token_bound(body) * price.input_per_m
    output = 0 if embeddings else output_token_bound(body, price) * price.output_per_m
    return (prompt + output) / _MILLION


def catalog_price(entry: Mapping[str, Any]) -> ModelPrice | None:
    """A model's prices from a models-endpoint entry, in the shapes providers publish (pure):

    - ``pricing{prompt, completion, input_cache_read?}``: USD per token (OpenRouter format, Cerebras);
    - ``pricing{input, output}``: USD per million tokens (Hugging Face format, Cerebras);
    - ``input_price`` / ``output_price``: USD per 1K tokens (Cluster Protocol).

    ``None`` when the entry states no usable price.
    """
    context = entry.get("context_length")
    context_length = context if isinstance(context, int) and not isinstance(context, bool) and context > 0 else None
    try:
        pricing = entry.get("pricing")
        if isinstance(pricing, Mapping):
            if "prompt" in pricing and "completion" in pricing:
                cached = pricing.get("input_cache_read")
                return ModelPrice(_price(pricing["prompt"], "pricing.prompt") * _MILLION,
                                  _price(pricing["completion"], "pricing.completion") * _MILLION,
                                  None if cached is None else _price(cached, "pricing.input_cache_read") * _MILLION,
                                  context_length)  # fmt: skip
            if "input" in pricing and "output" in pricing:
                per_m_in, per_m_out = (
                    _price(pricing["input"], "pricing.input"),
                    _price(pricing["output"], "pricing.output"),
                )
                return ModelPrice(per_m_in, per_m_out, None, context_length)
        if entry.get("input_price") is not None and entry.get("output_price") is not None:
            thousand = Decimal(1000)
            per_k_in, per_k_out = (
                _price(entry["input_price"], "input_price"),
                _price(entry["output_price"], "output_price"),
            )
            return ModelPrice(per_k_in * thousand, per_k_out * thousand, None, context_length)
    except RequestValidationError:
        return None
    return None
