"""What a framework class does with each constructor argument (pure; shared by the LangChain and LlamaIndex
adapters), so that no argument ever vanishes.

Code ported from langchain-openai (``ChatOpenAI(openai_api_base=..., openai_api_key=..., request_timeout=...)``)
or LlamaIndex's ``OpenAILike(api_base=...)`` would otherwise construct fine, have its base URL silently ignored,
and send requests (with the environment's key) to the environment's base URL. The policy, per argument:

1. an incumbent's alias (``INCUMBENT_ALIASES``) is renamed to our field; giving both is an error;
2. one of the class's own fields (or a field alias) is kept;
3. a request parameter the provider's API accepts (``frequency_penalty``) moves into the pass-through dict
   (LangChain ``model_kwargs``, LlamaIndex ``additional_kwargs``) with a warning, as langchain-openai does;
4. anything else is an error naming the argument and the nearest valid name.

Inside the pass-through dict, one of the class's own fields is an error (it would bypass the field's validation
and be overridden by it), and so is a key also given as an argument.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from .errors import RequestValidationError

__all__ = ["INCUMBENT_ALIASES", "sort_init_kwargs"]

# The names langchain-openai and LlamaIndex's OpenAI / OpenAILike classes use for our fields.
INCUMBENT_ALIASES: Mapping[str, str] = {
    "api_base": "base_url",
    "openai_api_base": "base_url",
    "openai_api_key": "api_key",
    "request_timeout": "timeout",
}


def _nearest(name: str, candidates: Collection[str]) -> str:
    import difflib  # only on the error path: constructing a class stays cheap

    # cutoff 0: there is always a nearest name to offer, however far, so the error always names a real one.
    found = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.0)
    return found[0] if found else ""


def sort_init_kwargs(
    values: Mapping[str, Any],
    *,
    owner: str,
    fields: Collection[str],
    request_params: Collection[str],
    extra_field: str,
    aliases: Mapping[str, str] = INCUMBENT_ALIASES,
) -> tuple[dict[str, Any], list[str]]:
    """``(arguments for the class, warnings to emit)`` for the constructor arguments ``values`` of ``owner``.

    ``fields`` are the names the class accepts (fields and their aliases, including ``extra_field``);
    ``request_params`` the provider's request parameters. Raises ``RequestValidationError`` naming the argument.
    """
    out = dict(values)
    for alias, target in aliases.items():
        if alias not in out or alias in fields:
            continue
        if target in out:
            raise RequestValidationError(
                f"{owner} got both {target!r} and its alias {alias!r}: give one", param=alias, allowed=target
            )
        out[target] = out.pop(alias)
    given = out.get(extra_field)
    if given is not None and not isinstance(given, Mapping):
        raise RequestValidationError(f"{owner}: {extra_field} must be a dict", param=extra_field)
    extra = dict(given or {})
    for key in extra:
        if key in fields or key in aliases:
            target = aliases.get(key, key)
            raise RequestValidationError(
                f"{owner}: {key!r} is a parameter of {owner}; pass {target}=... itself, not inside {extra_field}",
                param=f"{extra_field}.{key}",
                allowed=target,
            )
    warnings: list[str] = []
    for key in [k for k in out if k not in fields]:
        if key in extra:
            raise RequestValidationError(f"{owner}: {key!r} was given twice (as an argument and in {extra_field})",
                                         param=key)  # fmt: skip
        if key in request_params:
            extra[key] = out.pop(key)
            warnings.append(
                f"{key} is not a parameter of {owner}; it was transferred to {extra_field} and is sent with every "
                f"request. Please confirm that {key} is what you intended."
            )
            continue
        nearest = _nearest(key, {*fields, *aliases, *request_params})
        raise RequestValidationError(
            f"{owner} got an unknown argument {key!r} (nearest valid name: {nearest!r}); provider-specific request "
            f"fields go in {extra_field}={{...}}",
            param=key,
            allowed=nearest,
        )
    if extra or given is not None:
        out[extra_field] = extra
    return out, warnings
