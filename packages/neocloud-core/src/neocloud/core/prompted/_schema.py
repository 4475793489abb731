"""A JSON Schema check for the schemas tools and structured output use (pure).

It covers what LangChain, LlamaIndex and pydantic emit for tool arguments and output classes: ``type`` (one or a
list), ``properties`` / ``required`` / ``additionalProperties``, ``items`` / ``prefixItems``, ``enum``, ``const``,
``anyOf`` / ``oneOf`` / ``allOf``, local ``$ref`` (``#/$defs/...``, ``#/definitions/...``), the numeric, length and
size bounds, and ``pattern``. Annotations (``title``, ``description``, ``default``, ``format``...) are ignored, as
JSON Schema says. A keyword outside this list is ignored too: the check never rejects what the schema allows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["schema_errors"]

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
    "number": (int, float),
    "integer": (int, float),
}


def _type_ok(value: Any, kind: str) -> bool:
    if kind in ("number", "integer") and isinstance(value, bool):
        return False  # JSON true is not a number, though Python's bool is an int
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    expected = _TYPES.get(kind)
    return expected is None or isinstance(value, expected)


def _json_type(value: Any) -> str:
    for kind in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _type_ok(value, kind) and (kind != "number" or not _type_ok(value, "integer")):
            return kind
    return type(value).__name__


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    seen = 0
    while isinstance(schema.get("$ref"), str) and seen < 32:
        ref: str = schema["$ref"]
        if not ref.startswith("#"):
            return {}  # a remote reference cannot be followed offline: accept, as an unknown keyword would be
        target: Any = root
        for part in [p for p in ref[1:].split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, Mapping) else None
        if not isinstance(target, Mapping):
            return {}
        schema, seen = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}, seen + 1
    return schema


def _check(value: Any, schema: Any, root: Mapping[str, Any], path: str, out: list[str]) -> None:
    if schema is True or schema is None:
        return
    if schema is False:
        out.append(f"{path}: no value is allowed here")
        return
    if not isinstance(schema, Mapping):
        return
    schema = _resolve(schema, root)
    kinds = schema.get("type")
    if kinds is not None:
        listed = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_type_ok(value, k) for k in listed):
            out.append(f"{path}: expected {' or '.join(listed)}, got {_json_type(value)}")
            return
    if "const" in schema and value != schema["const"]:
        out.append(f"{path}: must be {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: must be one of {schema['enum']!r}")
    for sub in schema.get("allOf") or ():
        _check(value, sub, root, path, out)
    for key, needed in (("anyOf", "any"), ("oneOf", "one")):
        options = schema.get(key)
        if options:
            passing = sum(1 for sub in options if not schema_errors(value, sub, root))
            if passing == 0 or (needed == "one" and passing > 1):
                what = "none" if passing == 0 else f"{passing}"
                out.append(f"{path}: must match {needed} of the {len(options)} allowed schemas ({what} matched)")
    if isinstance(value, dict):
        _check_object(value, schema, root, path, out)
    elif isinstance(value, list):
        _check_array(value, schema, root, path, out)
    elif isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
            out.append(f"{path}: length {len(value)} is outside the allowed range")
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and re.search(pattern, value) is None:
            out.append(f"{path}: does not match the pattern {pattern!r}")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        _check_number(value, schema, path, out)


def _check_number(value: float, schema: Mapping[str, Any], path: str, out: list[str]) -> None:
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = schema.get(key)
        if not isinstance(bound, (int, float)) or isinstance(bound, bool):
            continue
        broken = {"minimum": value < bound, "maximum": value > bound,
                  "exclusiveMinimum": value <= bound, "exclusiveMaximum": value >= bound}[key]  # fmt: skip
        if broken:
            out.append(f"{path}: {value} breaks {key} {bound}")
    step = schema.get("multipleOf")
    if isinstance(step, (int, float)) and step and (value / step) % 1:
        out.append(f"{path}: {value} is not a multiple of {step}")


def _check_object(value: dict[str, Any], schema: Mapping[str, Any], root: Mapping[str, Any], path: str,
                  out: list[str]) -> None:  # fmt: skip
    props: Mapping[str, Any] = schema.get("properties") or {}
    out.extend(
        f"{path}: missing required property {name!r}" for name in schema.get("required") or () if name not in value
    )
    extra_schema = schema.get("additionalProperties", True)
    patterns: Mapping[str, Any] = schema.get("patternProperties") or {}
    for name, item in value.items():
        where = f"{path}.{name}"
        if name in props:
            _check(item, props[name], root, where, out)
            continue
        matched = [sub for pattern, sub in patterns.items() if re.search(pattern, name)]
        for sub in matched:
            _check(item, sub, root, where, out)
        if matched:
            continue
        if extra_schema is False:
            allowed = ", ".join(sorted(props)) or "none"
            out.append(f"{path}: unexpected property {name!r} (allowed: {allowed})")
        else:
            _check(item, extra_schema, root, where, out)
    count = len(value)
    if count < schema.get("minProperties", 0) or count > schema.get("maxProperties", count):
        out.append(f"{path}: {count} properties is outside the allowed range")


def _check_array(value: list[Any], schema: Mapping[str, Any], root: Mapping[str, Any], path: str,
                 out: list[str]) -> None:  # fmt: skip
    prefix = schema.get("prefixItems") or []
    for index, item in enumerate(value):
        sub = prefix[index] if index < len(prefix) else schema.get("items", True)
        _check(item, sub, root, f"{path}[{index}]", out)
    if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
        out.append(f"{path}: {len(value)} items is outside the allowed range")
    if schema.get("uniqueItems") and len({repr(v) for v in value}) != len(value):
        out.append(f"{path}: items must be unique")


def schema_errors(value: Any, schema: Any, root: Mapping[str, Any] | None = None) -> list[str]:
    """Every way ``value`` (parsed JSON) breaks ``schema``, as ``"$.path: what"`` lines; empty when valid."""
    out: list[str] = []
    base = root if root is not None else (schema if isinstance(schema, Mapping) else {})
    _check(value, schema, base, "$", out)
    return out
