"""The fault matrix, as data: each row is a fault the sandbox injects and the outcome every client must show.
The tests are parametrised from ``FAULTS`` and ``docs/reliability.md`` is generated from it
(``python scripts/gen_reliability.py``), so the page and the tests cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["FAULTS", "MODES", "PROVIDERS", "Fault"]

PROVIDERS = ("cerebras", "clusterprotocol", "runcrate", "inferencekey", "metalcloud")
MODES = ("sync", "async", "sync stream", "async stream")


@dataclass(frozen=True)
class Fault:
    """``spec`` goes to the sandbox's fault control (first request only); ``outcome`` is the expectation."""

    name: str
    spec: dict[str, Any]
    outcome: str  # "retried" or the common error class the caller gets
    requests: int  # how many requests reach the provider
    modes: tuple[str, ...] = MODES
    # The pause before the retry, when the provider said how long (a client's fixed retry delay, when longer, wins).
    delay: float | None = None
    notes: str = field(default="")
    # Providers whose call is a create without an idempotency key (MetalCloud's inference makes a job): a fault
    # after which the server may have acted is surfaced, never retried, so nothing runs twice.
    unless_create: str | None = None
    client_timeout: dict[str, float] | None = None  # instead of the matrix's 0.5 s read timeout

    def expected(self, provider: str) -> tuple[str, int]:
        if provider in CREATES and self.unless_create is not None:
            return self.unless_create, 1
        return self.outcome, self.requests


CREATES = frozenset({"metalcloud"})
STREAMS = ("sync stream", "async stream")
PLAIN = ("sync", "async")

FAULTS = [
    Fault("429, Retry-After in seconds", {"status": 429, "headers": {"retry-after": "1"}}, "retried", 2, delay=1.0),
    Fault("429, Retry-After as an HTTP date",
          {"status": 429, "headers": {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}}, "retried", 2,
          notes="a date already past: our own backoff, not a zero-wait hammer"),
    Fault("429, Retry-After: 0", {"status": 429, "headers": {"retry-after": "0"}}, "retried", 2,
          notes="zero means no advice: our own backoff"),
    Fault("429, retry-after-ms", {"status": 429, "headers": {"retry-after-ms": "20"}}, "retried", 2, delay=0.02,
          notes="the server's wait, unless a fixed retry delay is longer (Cluster Protocol's `retry_delay`, 1 s)"),
    Fault("500", {"status": 500}, "retried", 2, unless_create="InternalServerError"),
    Fault("502", {"status": 502}, "retried", 2, unless_create="InternalServerError"),
    Fault("503", {"status": 503}, "retried", 2, unless_create="InternalServerError"),
    Fault("504", {"status": 504}, "retried", 2, unless_create="InternalServerError"),
    Fault("connection refused", {"refused": True}, "APIConnectionError", 3,
          notes="nothing listens: retried twice (safe even for creates: no byte was sent), then the typed error"),
    Fault("connection reset before the response", {"kind": "drop"}, "retried", 2, modes=PLAIN,
          unless_create="APIConnectionError",
          notes="inference is safe to repeat; MetalCloud's job create is not (no Idempotency-Key)"),
    Fault("malformed JSON body", {"kind": "malformed_json"}, "APIResponseValidationError", 1, modes=PLAIN),
    Fault("oversized body", {"kind": "oversized_body", "size": 300_000}, "APIResponseValidationError", 1,
          modes=PLAIN, notes="the client's limit is set to 100 kB here (64 MiB by default); reading stops there"),
    Fault("stream dropped mid-way", {"kind": "drop_stream", "after_chunks": 2}, "StreamError", 1, modes=STREAMS,
          notes="the partial answer is surfaced as an error, never as a short answer"),
    Fault("stalled stream", {"kind": "stall_stream", "after_chunks": 1, "seconds": 5}, "APITimeoutError", 1,
          modes=STREAMS, notes="read timeout 0.5 s"),
    Fault("stalled stream, total deadline", {"kind": "stall_stream", "after_chunks": 1, "seconds": 5},
          "APITimeoutError", 1, modes=STREAMS, client_timeout={"read": 10.0, "total": 0.8},
          notes="read timeout 10 s, whole-call deadline 0.8 s: the deadline wins"),
    Fault("malformed SSE frame", {"kind": "malformed_frame", "after_chunks": 1}, "StreamFormatError", 1,
          modes=STREAMS, notes="a frame that is not JSON; splits at every byte boundary: core property tests"),
    Fault("in-band error frame", {"kind": "error_frame", "after_chunks": 1, "status_code": 500},
          "APIStatusError", 1, modes=STREAMS),
    Fault("401", {"status": 401}, "AuthenticationError", 1, notes="never retried"),
    Fault("402", {"status": 402}, "PaymentRequiredError", 1, notes="never retried"),
]  # fmt: skip


def matrix_sandbox() -> Any:
    """The sandbox the fault-matrix tests run against: short lifecycle phases and a ready InferenceKey workload
    ``bot`` in project ``acme`` (a context manager yielding the ``Sandbox``)."""
    import contextlib

    from neocloud.inferencekey import Backend, ManagementClient, WorkloadSpec
    from neocloud.sandbox import Sandbox, SandboxSettings

    @contextlib.contextmanager
    def running() -> Any:
        with Sandbox(settings=SandboxSettings(phase_s=0.02)) as sb:
            token = sb.env()["INFERENCEKEY_SDK_TOKEN"]  # the sandbox's own token for project acme
            mgmt = ManagementClient(base_url=sb.base_url("inferencekey"), sdk_token=token,
                                    project="acme")  # fmt: skip
            mgmt.ensure(WorkloadSpec(name="bot", slug="bot", model="org/m", backend=Backend.VLLM))
            mgmt.wait_until_ready("bot", silent=True, timeout=30)
            yield sb

    return running()
