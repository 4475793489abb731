"""The network-fault matrix, as data: each row is a fault the loopback proxy (``neocloud_testing.proxy``) injects
between a client and the sandbox, and the typed error every client must raise within its total deadline.
``integration_tests/test_proxy_fault_matrix.py`` runs it and ``docs/reliability.md`` renders it
(``scripts/gen_reliability.py``), so the page and the tests cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from .proxy import Plan

__all__ = ["MARGIN_S", "PATHS", "PLAIN", "PROXY_FAULTS", "STREAMS", "TIMEOUTS", "ProxyFault"]

PATHS = ("sync", "async", "sync stream", "async stream", "LangChain invoke", "LlamaIndex chat")
PLAIN = ("sync", "async", "LangChain invoke", "LlamaIndex chat")
STREAMS = ("sync stream", "async stream")
# Short, so the whole matrix is quick, yet long enough that a loaded machine (two Pythons, two test workers each)
# still sees each fault before the deadline: 2 s per phase, 3 s for the whole call (retries and backoff included).
TIMEOUTS = {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": 2.0, "total": 3.0}
MARGIN_S = 1.0  # how far past ``total`` an error may arrive (thread scheduling on a loaded machine)
MAX_RESPONSE_BYTES = 100_000  # the client's body limit in the matrix (64 MiB by default)


@dataclass(frozen=True)
class ProxyFault:
    """``plain`` / ``stream``: the error class (``neocloud.core.errors``) on non-streamed / streamed paths."""

    name: str
    plan: Plan
    plain: str | None
    stream: str | None
    notes: str = ""

    @property
    def paths(self) -> tuple[str, ...]:
        return (PLAIN if self.plain else ()) + (STREAMS if self.stream else ())

    def expected(self, path: str) -> str:
        return (self.stream if path in STREAMS else self.plain) or ""


PROXY_FAULTS = [
    ProxyFault("reset before the body", Plan("reset_before_body"), "APIConnectionError", "StreamError",
               "the response head arrives, then a TCP reset"),
    ProxyFault("reset mid body", Plan("reset_mid_body"), "APIConnectionError", None, "half the body, then a reset"),
    ProxyFault("reset mid stream", Plan("reset_mid_stream", chunks=2), None, "StreamError",
               "two events, then a reset: never a short answer"),
    ProxyFault("stall before headers", Plan("stall_before_headers"), "APITimeoutError", "APITimeoutError",
               "the request is read, nothing comes back"),
    ProxyFault("stall after headers", Plan("stall_after_headers"), "APITimeoutError", "APITimeoutError",
               "the head, then silence"),
    ProxyFault("slow drip", Plan("slow_drip", interval=0.05), "APITimeoutError", "APITimeoutError",
               "one byte every 50 ms: no read timeout ever fires, only the total deadline can end it"),
    ProxyFault("garbage instead of a response", Plan("garbage"), "APIConnectionError", "APIConnectionError",
               "bytes that are not HTTP"),
    ProxyFault("truncated chunked encoding", Plan("truncated_chunked"), "APIConnectionError", "StreamError",
               "a chunk cut short, then a clean close"),
    ProxyFault("lying `Content-Encoding: gzip`", Plan("lying_gzip"), "APIResponseValidationError",
               "StreamFormatError", "a plain body labelled gzip: undecodable, retrying cannot help"),
    ProxyFault("redirect loop", Plan("redirect_loop"), "APIConnectionError", "APIConnectionError",
               "307 to the same URL, forever"),
    ProxyFault("oversized line", Plan("oversized_line", size=4 * 1024 * 1024), "APIResponseValidationError",
               "StreamFormatError", "one 4 MiB line with no newline; the client's limit is 100 kB"),
]  # fmt: skip
