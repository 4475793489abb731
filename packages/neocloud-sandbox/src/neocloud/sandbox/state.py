"""The sandbox's mutable state (scripts, faults, settings), one instance per app: never module-level."""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Fault", "SandboxSettings", "SandboxState", "ScriptedResponse"]


@dataclass(frozen=True)
class SandboxSettings:
    """Knobs for the emulator: ``seed`` varies generated text; delays make latency and streams realistic."""

    seed: int = 0
    latency_s: float = 0.0
    stream_chunk_delay_s: float = 0.0
    # Length of one lifecycle phase (queued → running → done) for jobs, fine-tunes, instances, workloads.
    phase_s: float = 0.3
    # Batch work (Runcrate jobs, Cluster Protocol fine-tunes) may run longer than resources take to come up: its
    # phase length when set, else ``phase_s``.
    job_phase_s: float | None = None

    @property
    def work_phase_s(self) -> float:
        """The phase length of batch jobs and fine-tunes."""
        return self.phase_s if self.job_phase_s is None else self.job_phase_s


@dataclass
class Fault:
    """One injected fault. ``status`` answers with that error; ``kind`` is one of ``drop`` (close the
        connection without a complete response), ``malformed_json``, ``stall_stream``, ``drop_stream``,
        ``error_frame`` (the stream kinds act after ``after_chunks`` chunks), ``drop_after_act`` (the request is carried
    out, then the connection drops before the answer)."""

    status: int | None = None
    kind: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    times: int = 1
    path: str | None = None
    method: str | None = None
    size: int = 0  # bytes of padding for ``oversized_body``
    after_chunks: int = 1
    seconds: float = 30.0
    status_code: int = 503

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        allowed = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        fault = cls(**data)
        if fault.status is None and fault.kind is None:
            raise ValueError("a fault needs 'status' or 'kind'")
        if fault.kind not in {
            None,
            "drop",
            "malformed_json",
            "stall_stream",
            "drop_stream",
            "error_frame",
            "drop_after_act",
            "oversized_body",
            "malformed_frame",
        }:
            raise ValueError(f"unknown fault kind {fault.kind!r}")
        return fault


@dataclass
class ScriptedResponse:
    """A model answer a test asked for explicitly (see ``/_sandbox/script``)."""

    content: str | None = None
    reasoning: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    finish_reason: str | None = None
    usage: dict[str, int] | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScriptedResponse:
        unknown = set(data) - {"content", "reasoning", "tool_calls", "finish_reason", "usage"}
        if unknown:
            raise ValueError(f"unknown scripted-response fields: {sorted(unknown)}")
        calls = data.get("tool_calls") or []
        for call in calls:
            if not isinstance(call, dict) or not isinstance(call.get("name"), str):
                raise ValueError("each scripted tool call needs a 'name'")
        return cls(
            content=data.get("content"),
            reasoning=data.get("reasoning"),
            tool_calls=list(calls),
            finish_reason=data.get("finish_reason"),
            usage=data.get("usage"),
        )


@dataclass
class SandboxState:
    """Everything one running sandbox remembers."""

    settings: SandboxSettings = field(default_factory=SandboxSettings)
    scripts: dict[str, deque[tuple[str | None, ScriptedResponse]]] = field(default_factory=dict)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    # Provider planes keep their resources here: planes[provider][account] is that account's store.
    planes: dict[str, dict[str, Any]] = field(default_factory=dict)
    issued: int = 0
    # Every request a provider plane received, in order: (provider, method, path). Tests read it to check what
    # reached the server (``GET /_sandbox/requests``), e.g. that a refused call sent nothing.
    received: list[tuple[str, str, str]] = field(default_factory=list)

    def reset(self) -> None:
        self.scripts.clear()
        self.faults.clear()
        self.planes.clear()
        self.received.clear()
        self.issued = 0

    def new_id(self, prefix: str, width: int = 12) -> str:
        """A fresh resource id, never reused while the sandbox runs and the same in every run with the same
        seed and the same sequence of creates (so recorded cassettes are stable when re-recorded)."""
        self.issued += 1
        return prefix + hashlib.sha256(f"{self.settings.seed}:{self.issued}".encode()).hexdigest()[:width]

    def store(self, provider: str, account: str, factory: Any) -> Any:
        """The per-account store of a provider plane (created by ``factory()`` on first use)."""
        accounts = self.planes.setdefault(provider, {})
        if account not in accounts:
            accounts[account] = factory()
        return accounts[account]

    def next_script(self, provider: str, api_key: str | None) -> ScriptedResponse | None:
        """Pop the first scripted answer for this provider that is not reserved for another key."""
        queue = self.scripts.get(provider)
        if not queue:
            return None
        for index, (key, response) in enumerate(queue):
            if key is None or key == api_key:
                del queue[index]
                return response
        return None

    def take_fault(self, provider: str, path: str, method: str = "GET") -> Fault | None:
        """Consume one use of the first fault registered for this provider, path (suffix) and method."""
        for fault in self.faults.get(provider, []):
            if (fault.path is None or path.endswith(fault.path)) and fault.method in (None, method):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults[provider].remove(fault)
                return fault
        return None
