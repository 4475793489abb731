"""A fast loopback OpenAI-compatible server for the benchmark: fixed answers, no emulation work, so what is
measured is the client. Run in its own process (``python -m bench.server PORT``) so that the client's CPU time
and resident memory are the client's alone.

A plain asyncio HTTP/1.1 server (keep-alive, pipelining, chunked streaming) rather than a framework: it holds
thousands of concurrent connections (listen backlog 4096, the descriptor limit raised to the hard limit) and
counts every socket it accepts, which ``GET /_bench/stats`` reports (the stats request's own connection
included). A path prefix ``/chunks/N`` makes a streamed reply N chunks long (default 500), whatever the client
sends, so every client can be given a short stream through its base URL alone.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import resource
import struct
import sys

ANSWER = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 1, "model": "llama3.1-8b",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Fast inference matters."},
                 "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16},
}).encode()  # fmt: skip
CHUNK = ("data: " + json.dumps({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1,
                                "model": "llama3.1-8b",
                                "choices": [{"index": 0, "delta": {"content": "tok "}, "finish_reason": None}]})
         + "\n\n").encode()  # fmt: skip
LAST = ("data: " + json.dumps({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1,
                               "model": "llama3.1-8b", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                               "usage": {"prompt_tokens": 12, "completion_tokens": 500, "total_tokens": 512}})
        + "\n\ndata: [DONE]\n\n").encode()  # fmt: skip
CHUNKS = 500
VECTOR = [round(0.001 * i, 3) for i in range(384)]
VECTOR_B64 = base64.b64encode(struct.pack(f"<{len(VECTOR)}f", *VECTOR)).decode()
_PREFIX = re.compile(rb"^/chunks/(\d+)")


class Stats:
    """Sockets accepted since start, and open now."""

    accepted = 0
    open = 0


def _chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _head(status: str, content_type: bytes, length: int | None) -> bytes:
    framing = b"Content-Length: %d" % length if length is not None else b"Transfer-Encoding: chunked"
    return b"HTTP/1.1 %s\r\nContent-Type: %s\r\n%s\r\n\r\n" % (status.encode(), content_type, framing)


def _embeddings(body: dict[str, object]) -> bytes:
    texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
    # The compact encoding when asked for (the openai SDK asks by default), floats otherwise.
    vector = VECTOR_B64 if body.get("encoding_format") == "base64" else VECTOR
    data = [{"object": "embedding", "index": i, "embedding": vector} for i in range(len(texts))]
    payload = {"object": "list", "data": data, "model": body["model"], "usage": {"prompt_tokens": 8, "total_tokens": 8}}
    return json.dumps(payload).encode()


class Connection(asyncio.Protocol):
    """One client connection: parses requests as they arrive and answers each at once."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        Stats.accepted += 1
        Stats.open += 1

    def connection_lost(self, exc: Exception | None) -> None:
        Stats.open -= 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).split(b"\r\n")
            headers = dict(line.split(b":", 1) for line in head[1:] if b":" in line)
            headers = {k.strip().lower(): v.strip() for k, v in headers.items()}
            length = int(headers.get(b"content-length", b"0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = bytes(self.buffer[end + 4 : end + 4 + length])
            del self.buffer[: end + 4 + length]
            method, path = head[0].split(b" ")[:2]
            self.respond(method, path, body)
            if headers.get(b"connection", b"").lower() == b"close":
                self.transport.close()
                self.transport = None

    def respond(self, method: bytes, path: bytes, raw: bytes) -> None:
        assert self.transport is not None
        write = self.transport.write
        if path == b"/_bench/stats":
            stats = json.dumps({"accepted": Stats.accepted, "open": Stats.open}).encode()
            write(_head("200 OK", b"application/json", len(stats)) + stats)
            return
        if method != b"POST":
            write(_head("405 Method Not Allowed", b"text/plain", 0))
            return
        body = json.loads(raw)
        if path.endswith(b"/embeddings"):
            payload = _embeddings(body)
            write(_head("200 OK", b"application/json", len(payload)) + payload)
        elif not path.endswith(b"/chat/completions"):
            write(_head("404 Not Found", b"text/plain", 0))
        elif not body.get("stream"):
            write(_head("200 OK", b"application/json", len(ANSWER)) + ANSWER)
        else:
            prefix = _PREFIX.match(path)
            write(_head("200 OK", b"text/event-stream", None))
            # One write per frame, as a server that streams tokens as they come does (no coalescing here).
            for _ in range(int(prefix.group(1)) if prefix else CHUNKS):
                write(_chunked(CHUNK))
            write(_chunked(LAST) + b"0\r\n\r\n")


def raise_fd_limit() -> int:
    """Raise this process's soft descriptor limit to its hard limit (thousands of sockets); the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


async def serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(Connection, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    raise_fd_limit()
    asyncio.run(serve(int(sys.argv[1])))
