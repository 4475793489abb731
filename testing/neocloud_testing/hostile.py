"""A hostile HTTP server on loopback: it answers every request with one documented misbehaviour, chosen by the first
segment of the path (a client whose ``base_url`` is ``<server>/<scenario>`` meets that scenario on every call).

Scenarios (each answer carries ``x-request-id: req_<scenario>``):

- ``drip``: a 200 JSON answer whose body arrives one byte every 0.25 s (``content-length`` 4000);
- ``headdrip``: a status line whose headers never end: one more header byte every 0.1 s (each read's own timeout
  is met; only a total deadline ends the call);
- ``short``: a 200 ``application/octet-stream`` answer that closes the connection after 10 of its 100 bytes;
- ``gzip``: a 200 saying ``Content-Encoding: gzip`` over a body that is not gzip;
- ``loop``: a 307 redirect to the same URL, forever;
- ``deep``: a 200 JSON body nested 100 000 levels deep;
- ``html``: a 200 HTML page where JSON was expected;
- ``shape``: a 200 JSON body of the wrong shape (``{"data": 5, "id": 5, "choices": 5}``);
- ``badjson``: a 200 ``application/json`` body that is not JSON;
- ``bigline``: a 200 event stream whose first line is 4 MB long (one ``data:`` frame that never ends soon).

A real socket server (not a mock transport), so timeouts, the deadline watchdog and content decoding run as they do
against a real provider.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

__all__ = ["SCENARIOS", "hostile_server"]

SCENARIOS = ("drip", "headdrip", "short", "gzip", "loop", "deep", "html", "shape", "badjson", "bigline")
DEPTH = 100_000


def _head(status: str, scenario: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"x-request-id: req_{scenario}", "connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _fixed(status: str, scenario: str, ctype: str, body: bytes, **extra: str) -> bytes:
    headers = {"content-type": ctype, "content-length": str(len(body)), **extra}
    return _head(status, scenario, headers) + body


def _read_request(conn: socket.socket) -> bytes:
    """The request's head (its body, if any, is read and dropped)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head


def _answer(conn: socket.socket, head: bytes, stop: threading.Event) -> None:
    target = head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
    scenario = target.lstrip("/").split("/", 1)[0]
    if scenario == "drip":
        conn.sendall(_head("200 OK", scenario, {"content-type": "application/json", "content-length": "4000"}))
        for _ in range(4000):
            if stop.wait(0.25):
                return
            conn.sendall(b" ")
    elif scenario == "headdrip":
        conn.sendall(f"HTTP/1.1 200 OK\r\nx-request-id: req_{scenario}\r\nx-pad: ".encode())
        for _ in range(4000):
            if stop.wait(0.1):
                return
            conn.sendall(b"a")
    elif scenario == "short":
        conn.sendall(_head("200 OK", scenario, {"content-type": "application/octet-stream", "content-length": "100"}))
        conn.sendall(b"0123456789")
    elif scenario == "gzip":
        conn.sendall(_fixed("200 OK", scenario, "application/json", b'{"plainly": "not gzip"}',
                            **{"content-encoding": "gzip"}))  # fmt: skip
    elif scenario == "loop":
        conn.sendall(_fixed("307 Temporary Redirect", scenario, "text/plain", b"", location=target))
    elif scenario == "deep":
        conn.sendall(_fixed("200 OK", scenario, "application/json", b'{"data":' * DEPTH + b"1" + b"}" * DEPTH))
    elif scenario == "html":
        conn.sendall(_fixed("200 OK", scenario, "text/html", b"<html><body>Welcome to nginx!</body></html>"))
    elif scenario == "shape":
        conn.sendall(_fixed("200 OK", scenario, "application/json", b'{"data": 5, "id": 5, "choices": 5}'))
    elif scenario == "badjson":
        conn.sendall(_fixed("200 OK", scenario, "application/json", b'{"choices": [tru'))
    elif scenario == "bigline":
        conn.sendall(_head("200 OK", scenario, {"content-type": "text/event-stream"}))
        conn.sendall(b'data: {"x": "' + b"x" * (4 * 1024 * 1024) + b'"}\n\n')
    else:
        conn.sendall(_fixed("404 Not Found", scenario, "text/plain", b"no such scenario"))


@contextlib.contextmanager
def hostile_server() -> Iterator[str]:
    """Run the server; yields its base URL (``http://127.0.0.1:<port>``). Each connection gets its own thread, so a
    dripping answer never holds up another."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):  # the client went away: that is what most scenarios provoke
            conn.settimeout(30)
            head = _read_request(conn)
            if head:
                _answer(conn, head, stop)
                time.sleep(0.05)  # let the client read before the close

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    address = listener.getsockname()
    try:
        yield f"http://127.0.0.1:{address[1]}"
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            socket.create_connection(address).close()  # wakes the accept() so the thread sees the stop
        thread.join(10)
        listener.close()
