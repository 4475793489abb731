"""A request model's validator that returns the body to send: the model's own core schema with every model turned
into a typed dict keyed by wire name, so one validation pass yields the JSON body, instead of building model
instances and dumping them again (which cost twice what validating does).

The rules are the model's, unchanged: the same field schemas (strict, bounds, patterns, discriminators, field
validators), the same extra-field behaviour, the same error types and locations. A field left out stays out (as
``model_dump(exclude_unset=True)`` had it: defaults are not filled in), and values the model types as ``Any``
(a tool's JSON schema, unmodelled fields a message part keeps) are copied, so what is sent never shares a list or
dict with the caller's object. A model this cannot express (a model validator, which needs the instance; a
serializer or computed field, which the dump would apply) has no such validator, and ``validated_body`` validates
and dumps it as before.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic_core import SchemaValidator, core_schema

__all__ = ["dict_validator"]

_FUNCTIONS = {"function-after", "function-before", "function-wrap", "function-plain"}


class _NotExpressible(Exception):
    pass


def _copy(value: Any) -> Any:
    """A copy of JSON data (checked to be JSON before validation), sharing no container with the input."""
    kind = type(value)
    if kind is dict:
        return {k: _copy(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_copy(v) for v in value]
    return value


_COPY = core_schema.no_info_plain_validator_function(_copy)


def _model(schema: dict[str, Any]) -> dict[str, Any]:
    cls: type[BaseModel] = schema["cls"]
    decorators = cls.__pydantic_decorators__
    fields_schema = schema["schema"]
    if (
        schema.get("custom_init") or schema.get("root_model") or schema.get("post_init")
        or decorators.model_validators or decorators.model_serializers or decorators.field_serializers
        or fields_schema.get("type") != "model-fields" or fields_schema.get("computed_fields")
    ):  # fmt: skip
        raise _NotExpressible(cls.__name__)
    fields: dict[str, Any] = {}
    for name, field in fields_schema["fields"].items():
        if field.get("serialization_exclude"):
            raise _NotExpressible(f"{cls.__name__}.{name}")
        inner, required = field["schema"], True
        if inner.get("type") == "default":  # not filled in: a field not given is not sent
            inner, required = inner["schema"], False
        typed: dict[str, Any] = {"type": "typed-dict-field", "schema": _convert(inner), "required": required}
        if field.get("validation_alias") is not None:
            typed["validation_alias"] = field["validation_alias"]
        fields[field.get("serialization_alias") or name] = typed
    config = dict(schema.get("config") or {})
    converted: dict[str, Any] = {"type": "typed-dict", "fields": fields, "config": config,
                                 "cls_name": fields_schema.get("model_name") or cls.__name__}  # fmt: skip
    behaviour = config.get("extra_fields_behavior")
    if behaviour is not None:
        converted["extra_behavior"] = behaviour
    extras = fields_schema.get("extras_schema")
    if extras is not None:
        converted["extras_schema"] = _convert(extras)
    elif behaviour == "allow":
        converted["extras_schema"] = _COPY  # (kept as given, so copied like any other unmodelled value)
    if schema.get("ref"):
        converted["ref"] = schema["ref"]
    return converted


def _convert(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_convert(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if kind == "model":
        return _model(schema)
    if kind == "any":
        return _COPY
    if kind in _FUNCTIONS and isinstance(schema.get("schema"), dict) and schema["schema"].get("type") == "model":
        raise _NotExpressible("a validator around a model")
    return {key: _convert(value) for key, value in schema.items()}


_validators: dict[type[BaseModel], SchemaValidator | None] = {}


def dict_validator(model: type[BaseModel]) -> SchemaValidator | None:
    """The validator returning ``model``'s body as a dict (made on first use), or ``None`` when the model cannot be
    expressed without its instances."""
    if model not in _validators:
        if not model.__pydantic_complete__:
            model.model_rebuild()  # (request models defer building their schema to first use)
        try:
            validator: SchemaValidator | None = SchemaValidator(_convert(model.__pydantic_core_schema__))
        except _NotExpressible:
            validator = None
        _validators[model] = validator
    return _validators[model]
