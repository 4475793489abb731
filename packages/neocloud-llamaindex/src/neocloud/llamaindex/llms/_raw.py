"""``ChatResponse.raw``: the wire answer as a read-only mapping, dumped on first read.

Dumping a completion (or every chunk of a stream) to a dict costs more than the rest of building the response,
and most callers never look at ``raw``. This mapping holds the parsed wire model and dumps it the first time it is
read; it reads like the dict it replaces (``raw["usage"]["prompt_tokens"]``, ``dict(raw)``, ``raw == {...}``) and
serialises with the response (``model_dump`` / ``model_dump_json``) as that dict.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic_core import SchemaSerializer, core_schema

__all__ = ["LazyRaw"]


def _as_dict(value: LazyRaw) -> dict[str, Any]:
    return value.to_dict()


class LazyRaw(Mapping[str, Any]):
    """A wire model's JSON form (``None`` fields left out) plus ``extra`` keys, computed on first access."""

    __slots__ = ("_data", "_extra", "_model")

    # pydantic serialises any object carrying a serializer through it: a response holding this mapping dumps
    # (to Python or JSON) with ``raw`` as a plain dict.
    __pydantic_serializer__ = SchemaSerializer(
        core_schema.any_schema(serialization=core_schema.plain_serializer_function_ser_schema(_as_dict))
    )

    def __init__(self, model: Any, extra: Mapping[str, Any] | None = None) -> None:
        self._model = model
        self._extra = extra
        self._data: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The dumped form (made once; later calls return the same dict)."""
        if self._data is None:
            data: dict[str, Any] = self._model.model_dump(mode="json", exclude_none=True)
            if self._extra:
                data.update(self._extra)
            self._data = data
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())

    def __repr__(self) -> str:
        return repr(self.to_dict())

    def __reduce__(self) -> tuple[Any, ...]:
        # (pickles and deep copies as the dict it reads as: the wire model need not travel)
        return (dict, (self.to_dict(),))
