"""A fault-injecting HTTP/1.1 proxy on loopback, for the network faults a cooperative server cannot produce.

The sandbox injects faults it chooses to (an error status, a dropped stream); this proxy sits between a client and
the sandbox and breaks the *connection itself*: resets, stalls, slow drips, garbage, broken chunked framing, a lying
``Content-Encoding``, a redirect loop, a line of several megabytes. It speaks just enough HTTP/1.1 to relay one
request per connection and to rewrite the response it relays.

Routing: each fault plan is registered under a fresh path prefix (``proxy.route(plan)`` returns
``http://127.0.0.1:PORT/f17``); a request to ``/f17/cerebras/v1/...`` gets that plan and is forwarded upstream as
``/cerebras/v1/...``. So many cases can run at once through one proxy, each with its own plan, and every
connection of a case (retries included) meets the same fault.

    with FaultProxy("127.0.0.1", sandbox.port) as proxy:
        base = proxy.route(Plan("stall_after_headers")) + "/cerebras"
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import struct
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import TracebackType

__all__ = ["KINDS", "FaultProxy", "Plan"]

KINDS = (
    "pass",  # relay unchanged (a control: the rig itself works)
    "reset_before_body",  # the response head, then a TCP reset
    "reset_mid_body",  # the head and half the body, then a reset
    "reset_mid_stream",  # the head and the first ``chunks`` pieces of a stream, then a reset
    "stall_before_headers",  # the request is read, nothing is ever answered
    "stall_after_headers",  # the head is sent, then silence
    "slow_drip",  # the head, then the body one byte per ``interval`` seconds
    "garbage",  # bytes that are not HTTP instead of a response
    "truncated_chunked",  # chunked framing cut inside a chunk, then the connection closes cleanly
    "lying_gzip",  # ``Content-Encoding: gzip`` on a plain body
    "redirect_loop",  # 307 to the very same URL, forever
    "oversized_line",  # a 200 whose body is one line of ``size`` bytes with no newline, then silence
)


@dataclass(frozen=True)
class Plan:
    """What the proxy does to every connection of one route (``kind`` is one of ``KINDS``)."""

    kind: str
    interval: float = 0.05  # slow_drip: seconds between bytes
    chunks: int = 2  # reset_mid_stream: body pieces relayed before the reset
    size: int = 4 * 1024 * 1024  # oversized_line: bytes in the line

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown proxy fault {self.kind!r}; one of {', '.join(KINDS)}")


@dataclass
class _Head:
    """A parsed HTTP/1.1 message head: the start line and the headers in order (names as sent)."""

    start: str
    headers: list[tuple[str, str]]

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def without(self, *names: str) -> list[tuple[str, str]]:
        drop = {n.lower() for n in names}
        return [(k, v) for k, v in self.headers if k.lower() not in drop]


def _render(start: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [start, *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _read_head(reader: asyncio.StreamReader) -> _Head:
    raw = await reader.readuntil(b"\r\n\r\n")
    start, *lines = raw[:-4].decode("latin-1").split("\r\n")
    return _Head(start, [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines)])


async def _body_pieces(reader: asyncio.StreamReader, head: _Head) -> AsyncIterator[bytes]:
    """The decoded payload of a message as it arrives: by ``Content-Length``, chunked, or up to EOF."""
    if (head.get("transfer-encoding") or "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers from our upstream: just the final CRLF
                return
            piece = await reader.readexactly(size)
            await reader.readexactly(2)
            yield piece
    elif head.get("content-length") is not None:
        left = int(head.get("content-length") or 0)
        while left > 0:
            piece = await reader.read(min(left, 65536))
            if not piece:
                return
            left -= len(piece)
            yield piece
    else:
        while piece := await reader.read(65536):
            yield piece


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


async def _send(writer: asyncio.StreamWriter, data: bytes) -> None:
    """Write and wait for the socket to take it; a client that has gone raises ``ConnectionResetError`` here,
    which ends the handler instead of writing into a dead socket."""
    if writer.transport.is_closing():
        raise ConnectionResetError("the client has gone")
    writer.write(data)
    await writer.drain()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST instead of a FIN (SO_LINGER 0), as a crashed peer or a middlebox would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    """The proxy on a loopback port, served by its own event loop in a background thread."""

    def __init__(self, upstream_host: str, upstream_port: int, *, cap_s: float = 30.0) -> None:
        self.upstream = (upstream_host, upstream_port)
        # No connection lives longer than this: a client that ignores its own deadline (a stall it never notices, a
        # drip it keeps reading) gets a reset then, so a test of it fails in bounded time instead of hanging.
        self.cap_s = cap_s
        self._tasks: set[asyncio.Task[None]] = set()  # the event loop keeps only weak references to handlers
        self.port = 0
        self.connections = 0  # connections accepted (a retried call opens more than one)
        self._plans: dict[str, Plan] = {}
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None

    def route(self, plan: Plan) -> str:
        """A fresh URL prefix whose connections all meet ``plan``."""
        token = f"f{next(self._ids)}"
        self._plans[token] = plan
        return f"http://127.0.0.1:{self.port}/{token}"

    # -- lifecycle ------------------------------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        ready = threading.Event()

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._server = loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            self._server.close()
            pending = asyncio.all_tasks(loop)
            for task in pending:  # stalled handlers: cancel, so the loop closes cleanly
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, daemon=True, name="neocloud-fault-proxy")
        self._thread.start()
        if not ready.wait(5.0):
            raise RuntimeError("the fault proxy did not start within 5 s")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self._loop = self._server = self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- one connection -------------------------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await asyncio.wait_for(self._serve(reader, writer), self.cap_s)
        except TimeoutError:
            _reset(writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client gave up first: that is the point of most faults
        finally:
            writer.close()
            self._tasks.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await _read_head(reader)
        body = await reader.readexactly(int(head.get("content-length") or 0))  # our clients never chunk a request
        method, target, version = head.start.split(" ", 2)
        token, _, rest = target.lstrip("/").partition("/")
        plan = self._plans.get(token)
        if plan is None:
            await _send(writer, b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            return
        kind = plan.kind
        if kind == "stall_before_headers":
            await self._stall(reader)
            return
        if kind == "garbage":
            await _send(writer, b"\x00\xffSSH-2.0-not-http\r\n\x16\x03\x01garbage\r\n\r\n")
            return
        if kind == "redirect_loop":  # back to exactly where the client already is
            headers = [("location", f"http://127.0.0.1:{self.port}{target}"), ("content-length", "0"),
                       ("connection", "close")]  # fmt: skip
            await _send(writer, _render("HTTP/1.1 307 Temporary Redirect", headers))
            return
        # Everything else relays the sandbox's answer: one request per upstream connection, so EOF ends the body.
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        try:
            forwarded = [*head.without("connection", "keep-alive"), ("connection", "close")]
            up_writer.write(_render(f"{method} /{rest} {version}", forwarded) + body)
            await up_writer.drain()
            answer = await _read_head(up_reader)
            await self._relay(plan, answer, _body_pieces(up_reader, answer), reader, writer)
        finally:
            up_writer.close()

    async def _relay(
        self, plan: Plan, answer: _Head, pieces: AsyncIterator[bytes], reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:  # fmt: skip
        """Send the upstream answer to the client, re-framed as chunked (so any cut point is possible), with the
        plan's damage applied."""
        kind = plan.kind
        headers = answer.without("content-length", "transfer-encoding", "connection", "content-encoding")
        headers += [("transfer-encoding", "chunked"), ("connection", "close")]
        if kind == "lying_gzip":
            headers.append(("content-encoding", "gzip"))
        if kind == "oversized_line":  # the answer's status and type, but one enormous line as the body
            line = b"data: " if "event-stream" in (answer.get("content-type") or "") else b'{"padding": "'
            await _send(writer, _render(answer.start, headers) + _chunk(line))
            block = _chunk(b"x" * 65536)
            for _ in range(plan.size // 65536):
                await _send(writer, block)  # back-pressure: a client that stops reading stops us too
            await self._stall(reader)  # and no end: the client must notice the line itself, not the stream's end
            return
        await _send(writer, _render(answer.start, headers))
        if kind == "reset_before_body":
            _reset(writer)
            return
        if kind == "stall_after_headers":
            await self._stall(reader)
            return
        if kind == "reset_mid_body":  # a non-streamed body is small: read it whole, send half
            whole = b"".join([p async for p in pieces])
            await _send(writer, _chunk(whole[: max(len(whole) // 2, 1)]))
            _reset(writer)
            return
        sent = 0
        async for piece in pieces:
            if kind == "reset_mid_stream" and sent >= plan.chunks:
                _reset(writer)
                return
            if kind == "truncated_chunked":  # announce the whole piece, send half, end the connection cleanly
                await _send(writer, f"{len(piece):x}\r\n".encode() + piece[: max(len(piece) // 2, 1)])
                return
            if kind == "slow_drip":
                for index in range(len(piece)):
                    await _send(writer, _chunk(piece[index : index + 1]))
                    await asyncio.sleep(plan.interval)
            else:
                await _send(writer, _chunk(piece))
            sent += 1
        if kind == "reset_mid_stream":  # a stream shorter than ``chunks``: still never a clean end
            _reset(writer)
            return
        await _send(writer, b"0\r\n\r\n")

    @staticmethod
    async def _stall(reader: asyncio.StreamReader) -> None:
        """Say nothing until the client gives up (EOF; the connection's cap ends it otherwise)."""
        await reader.read()
