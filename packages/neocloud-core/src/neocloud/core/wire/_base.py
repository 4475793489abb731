"""Base of every wire model: tolerant of extra fields (providers add them), with SDK-style helpers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["PricedModel", "RequestModel", "WireModel"]


class WireModel(BaseModel):
    """A response body. Unknown fields are kept (``model_extra``); missing optional fields are ``None``.

    ``model_fields_set`` tells a field sent as ``null`` from one not sent at all.
    """

    # defer_build: a model's validator is built on its first use, not at import; a program that never sees
    # a fine-tuning job does not pay for building that schema (import time is part of the benchmark).
    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=(), defer_build=True)

    def __str__(self) -> str:
        # ``print(response)`` shows the type, as the official SDKs do: ``ChatCompletionResponse(id=...)``.
        return repr(self)

    def to_dict(self, *, exclude_unset: bool = True) -> dict[str, Any]:
        """The model as plain JSON-compatible data (only fields the server sent, by default)."""
        return self.model_dump(mode="json", exclude_unset=exclude_unset, by_alias=True)

    def to_json(self, *, indent: int | None = 2, exclude_unset: bool = True) -> str:
        """The model as a JSON string (only fields the server sent, by default)."""
        return self.model_dump_json(indent=indent, exclude_unset=exclude_unset, by_alias=True)


class RequestModel(BaseModel):
    """A request body, validated before sending in strict mode: no ``"5"`` → 5, no ``True`` → 1, no ``5.0`` → 5 (an
    integer field refuses a float, even a whole one), no ``"0.5"`` → 0.5, no NaN or infinity; a float field takes an
    int. A top-level request (what a create method takes) sets ``extra="forbid"``: a misspelled argument is refused,
    and ``extra_body`` is the way to send a field the model does not know. Nested parts (a message, a tool) keep
    fields they do not model, as providers add their own."""

    model_config = ConfigDict(
        extra="allow",
        strict=True,
        allow_inf_nan=False,
        protected_namespaces=(),
        arbitrary_types_allowed=False,
        defer_build=True,
    )


class PricedModel(WireModel):
    """A response that costs money (a completion, a stream's usage chunk, embeddings): ``cost`` says how much."""

    # The cost lives in pydantic's private dict, created only when a price is attached (``attach_cost``): a
    # declared ``PrivateAttr`` would make pydantic initialise private state for every chunk of every stream, about
    # 4 µs a chunk, for a value most chunks never carry.

    @property
    def cost(self) -> dict[str, str] | None:
        """``{"usd": "0.000123", "source": "provider" | "catalog" | "price_table:<date>"}`` (JSON-ready), or
        ``None`` when the price is unknown or the answer carried no usage. Not part of the wire body."""
        # (read from pydantic's private dict: ``self._cost`` goes through ``__getattr__``, microseconds a read, and
        # the adapters read this on every response)
        cost = (self.__pydantic_private__ or {}).get("_cost")
        return None if cost is None else cost.to_dict()

    def attach_cost(self, cost: Any) -> None:
        """Attach ``cost`` (a ``neocloud.core.pricing.Cost`` or ``None``); what ``cost`` then reports."""
        private = self.__pydantic_private__
        if private is None:
            object.__setattr__(self, "__pydantic_private__", {"_cost": cost})
        else:
            private["_cost"] = cost
