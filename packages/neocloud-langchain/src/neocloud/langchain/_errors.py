"""Errors LangChain recognises: each neocloud error is re-raised as a class that is BOTH the neocloud
error and the matching ``langchain_core.exceptions.Model*Error`` (``ModelRateLimitError`` for 429…), so
``except neocloud.core.RateLimitError`` and LangChain's retry logic both keep working. A prompted answer that
does not follow the protocol (``ModelOutputError``) is also LangChain's ``OutputParserException``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from langchain_core import exceptions as lc

from neocloud.core import errors as nc

__all__ = ["translate_errors"]

# Most specific first: the first match wins.
_MAP: tuple[tuple[type[Exception], type[Exception]], ...] = (
    (nc.ModelOutputError, lc.OutputParserException),
    (nc.RateLimitError, lc.ModelRateLimitError),
    (nc.AuthenticationError, lc.ModelAuthenticationError),
    (nc.PermissionDeniedError, lc.ModelPermissionDeniedError),
    (nc.NotFoundError, lc.ModelNotFoundError),
    (nc.BadRequestError, lc.ModelInvalidRequestError),
    (nc.UnprocessableEntityError, lc.ModelInvalidRequestError),
    (nc.RequestValidationError, lc.ModelInvalidRequestError),
    (nc.APITimeoutError, lc.ModelTimeoutError),
    (nc.APIConnectionError, lc.ModelConnectionError),
    (nc.APIError, lc.ModelAPIError),
)


def _combined(cls: type[Exception]) -> type[Exception] | None:
    name = f"LangChain{cls.__name__}"
    existing = globals().get(name)
    if existing is not None:
        return existing  # type: ignore[no-any-return]
    lc_cls = next((target for source, target in _MAP if issubclass(cls, source)), None)
    if lc_cls is None:
        return None
    # Module-level and named, so these errors pickle like any other.
    combined = type(name, (cls, lc_cls), {"__module__": __name__, "__doc__": cls.__doc__})
    globals()[name] = combined
    return combined


def as_langchain_error(err: Exception) -> Exception:
    """``err`` as an instance of its combined class (same attributes), or ``err`` itself."""
    cls = _combined(type(err))
    if cls is None or isinstance(err, cls):
        return err
    new: Any = cls.__new__(cls)
    new.__dict__.update(err.__dict__)
    new.args = err.args
    if isinstance(err, nc.ModelOutputError):
        # OutputParserException's own attributes: the model's answer, and no request to show it to the model
        new.observation, new.llm_output, new.send_to_llm = err.reason, err.text, False
    return new  # type: ignore[no-any-return]


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise neocloud errors raised inside the block as LangChain-recognisable ones."""
    try:
        yield
    except nc.NeocloudError as err:
        translated = as_langchain_error(err)
        if translated is err:
            raise
        raise translated from err
