"""What the management and data clients share: profiles, configuration, argument checks (pure)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from neocloud.core._base import ClientProfile
from neocloud.core._types import Timeout
from neocloud.core.paths import build

from .enums import ExecutionPolicy, TaskType
from .errors import STATUS_CLASSES, ConfigurationError, LocalValidationError
from .types import ReadinessEvent, WorkloadSpec

__all__ = [
    "CONTROL_PROFILE",
    "DATA_PROFILE",
    "DEFAULT_BASE_URL",
    "chat_body",
    "check_spec",
    "endpoint_root",
    "readiness_path",
    "resolve",
    "route",
    "to_event",
    "workload_path",
    "workloads_path",
]

DEFAULT_BASE_URL = "https://api.inferencekey.com"
CONTROL_PROFILE = ClientProfile(
    provider="inferencekey",
    label="InferenceKey",
    distribution="neocloud-inferencekey",
    default_base_url=DEFAULT_BASE_URL,
    default_timeout=Timeout(connect=10.0, read=120.0, write=60.0, pool=60.0),
    error_classes=STATUS_CLASSES,
    # A taken slug is a fact, not a transient conflict: ensure() resolves it by adopting the live workload.
    # A workload that is still starting takes minutes, not a retry budget: wait_until_ready() is the way to wait.
    never_retry_codes=frozenset({"slug_taken", "workload_not_ready"}),
    # The readiness stream has no end marker: it closes after ready/error (or drops, and is reopened).
    stream_requires_done=False,
    local_error=LocalValidationError,
)
DATA_PROFILE = replace(CONTROL_PROFILE, stream_requires_done=True)


def resolve(explicit: str | None, env: str, default: str | None = None) -> str | None:
    """Explicit argument > environment variable > default (blank counts as unset)."""
    if explicit:
        return explicit
    return os.environ.get(env) or default


def route(pattern: str, **ids: Any) -> str:
    """A path with its ids (project, workload, tenant) filled in as single encoded segments, or the local error."""
    return build(pattern, error=LocalValidationError, **ids)


def endpoint_root(base_url: str, project: str, workload_slug: str) -> str:
    """Where a workload's OpenAI-compatible API lives: ``{base_url}/endpoint/{project}/{workload_slug}``."""
    return base_url.rstrip("/") + route("/endpoint/{project}/{workload_slug}", project=project,
                                        workload_slug=workload_slug)  # fmt: skip


def workloads_path(project: str) -> str:
    return route("/api/projects/{project}/workloads", project=project)


def workload_path(workload_id: str) -> str:
    # The id comes from the server's answer, and is still only ever one segment.
    return route("/api/workloads/{workload_id}", workload_id=workload_id)


def readiness_path(project: str, slug: str) -> str:
    # Built (and its ids checked) before a wait loop: a refused id is a bad argument, not a dropped stream.
    return route("/api/projects/{project}/workloads/{workload_slug}/readiness-events", project=project,
                 workload_slug=slug)  # fmt: skip


def require(value: str | None, what: str) -> str:
    if not value or not value.strip():
        raise ConfigurationError(what)
    return value


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LocalValidationError(f"{name!r} must be a non-empty string; got {value!r}", param=name)
    return value


def _check_config(spec: WorkloadSpec) -> None:
    """``config`` is a JSON object that does not contradict ``command`` / ``vllm_version`` (both land in it)."""
    config = spec.config
    if config is None:
        return
    if not isinstance(config, dict):
        raise LocalValidationError(f"'config' must be a dict of backend settings; got {type(config).__name__}",
                                   param="config")  # fmt: skip
    for name in ("command", "vllm_version"):
        field_value = getattr(spec, name)
        if field_value and name in config and config[name] != field_value:
            raise LocalValidationError(
                f"config[{name!r}] is {config[name]!r} but {name}={field_value!r}: set it in one place", param="config"
            )
    try:
        json.dumps(config)
    except (TypeError, ValueError) as exc:
        raise LocalValidationError(f"'config' must be JSON-serialisable: {exc}", param="config") from None


def check_spec(spec: WorkloadSpec) -> None:
    """Refuse a malformed spec before any request."""
    if not isinstance(spec, WorkloadSpec):
        raise LocalValidationError(f"spec must be a WorkloadSpec, got {type(spec).__name__}", param="spec")
    _text(spec.slug, "slug")
    if "/" in spec.slug:
        raise LocalValidationError("'slug' must not contain '/'", param="slug")
    _text(spec.model, "model")
    _text(spec.backend.value if hasattr(spec.backend, "value") else spec.backend, "backend")
    _check_config(spec)
    for name, enum in (("task_type", TaskType), ("execution_policy", ExecutionPolicy)):
        value = getattr(spec, name)
        if value is not None:
            try:
                enum(value)
            except ValueError:
                allowed = ", ".join(m.value for m in enum)
                raise LocalValidationError(
                    f"unknown {name} {value!r}; allowed: {allowed}", param=name, allowed=allowed
                ) from None


def chat_body(
    slug: str,
    prompt: str | None,
    messages: list[Mapping[str, Any]] | None,
    temperature: float | None,
    max_tokens: int | None,
) -> dict[str, Any]:
    """The data-plane chat body (``model`` is the workload slug; only role and content are sent)."""
    if (prompt is None) == (messages is None):
        raise LocalValidationError("pass exactly one of prompt= or messages=", param="prompt")
    if prompt is not None:
        wire = [{"role": "user", "content": _text(prompt, "prompt")}]
    else:
        if not isinstance(messages, list) or not messages:
            raise LocalValidationError("'messages' must be a non-empty list", param="messages")
        wire = []
        for i, m in enumerate(messages):
            if not isinstance(m, Mapping) or not isinstance(m.get("role"), str) or not m["role"]:
                raise LocalValidationError(f"messages[{i}] needs a 'role'", param=f"messages.{i}.role")
            wire.append({"role": m["role"], "content": _text(m.get("content"), f"messages.{i}.content")})
    if temperature is not None and (
        not isinstance(temperature, (int, float)) or isinstance(temperature, bool) or not 0 <= temperature <= 2
    ):
        raise LocalValidationError("'temperature' must be between 0 and 2", param="temperature", allowed="0..2")
    if max_tokens is not None and (not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens <= 0):
        raise LocalValidationError("'max_tokens' must be a positive integer", param="max_tokens")
    body: dict[str, Any] = {"model": slug, "messages": wire}
    if temperature is not None:
        body["temperature"] = temperature
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    return body


def to_event(data: Any) -> ReadinessEvent:
    """One readiness frame; a frame without ``phase`` or ``message`` is malformed."""
    if not isinstance(data, dict) or not isinstance(data.get("phase"), str) or not isinstance(data.get("message"), str):
        raise ValueError(f"readiness frame without phase/message: {data!r}")
    return ReadinessEvent(phase=data["phase"], message=data["message"], elapsed_ms=int(data.get("elapsed_ms") or 0),
                          step=data.get("step"))  # fmt: skip
