"""Running the sandbox: in-process on a free loopback port (tests, demo) or in the foreground (CLI)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from .providers import PROVIDERS, load
from .state import SandboxSettings

__all__ = ["Sandbox", "env_for", "serve"]


def env_for(root: str) -> dict[str, str]:
    """Environment variables pointing every provider's clients at a sandbox served at ``root``."""
    env: dict[str, str] = {}
    for name in PROVIDERS:
        env.update(load(name).env(f"{root}/{name}"))
    return env


class Sandbox:
    """The sandbox on a loopback port, in a background thread: ``with Sandbox() as sb: sb.base_url("cerebras")``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, settings: SandboxSettings | None = None) -> None:
        self.host = host
        self.port = port
        self.settings = settings
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def base_url(self, provider: str) -> str:
        if provider not in PROVIDERS:
            raise ValueError(f"unknown provider {provider!r}; the sandbox serves {', '.join(PROVIDERS)}")
        return f"{self.url}/{provider}"

    def env(self) -> dict[str, str]:
        return env_for(self.url)

    @contextlib.contextmanager
    def environment(self) -> Iterator[dict[str, str]]:
        """Point every client at this sandbox for the block (``os.environ``), restoring the variables after."""
        values = self.env()
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        try:
            yield values
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def start(self) -> Sandbox:
        import uvicorn

        from .app import create_app

        # Bind first so the real port is known before the server thread runs.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        self._socket = sock
        config = uvicorn.Config(create_app(self.settings), log_level="warning", access_log=False, lifespan="off")
        server = uvicorn.Server(config)
        # uvicorn installs signal handlers only in the main thread, so a background server needs nothing here.
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="neocloud-sandbox"
        )
        self._thread.start()
        deadline = time.monotonic() + 5.0
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise RuntimeError("the sandbox did not start within 5 s")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _control(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(  # noqa: S310 (our own loopback http URL)
            self.url + path, data=data, method=method, headers={"content-type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=5) as response:  # noqa: S310 (our own loopback http URL)
            return json.loads(response.read() or b"null")

    def script(self, provider: str, responses: list[dict[str, Any]], api_key: str | None = None) -> None:
        """Queue the next chat answers of ``provider`` (only for ``api_key`` when given)."""
        self._control("POST", "/_sandbox/script", {"provider": provider, "api_key": api_key, "responses": responses})

    def faults(self, provider: str, faults: list[dict[str, Any]]) -> None:
        """Inject faults for ``provider`` (see ``neocloud.sandbox.control``)."""
        self._control("POST", "/_sandbox/faults", {"provider": provider, "faults": faults})

    def clear_faults(self) -> None:
        """Forget every injected fault (scripts and resources stay)."""
        self._control("DELETE", "/_sandbox/faults")

    def requests(self, provider: str | None = None) -> list[dict[str, str]]:
        """The requests the provider planes received (``provider`` only, when given), oldest first."""
        query = "" if provider is None else f"?provider={urllib.parse.quote(provider)}"
        rows: list[dict[str, str]] = self._control("GET", "/_sandbox/requests" + query)["requests"]
        return rows

    def clear_requests(self) -> None:
        """Forget the requests received so far (scripts, faults and resources stay)."""
        self._control("DELETE", "/_sandbox/requests")

    def reset(self) -> None:
        """Forget every script, fault, resource and received request."""
        self._control("POST", "/_sandbox/reset")


def serve(host: str = "127.0.0.1", port: int = 8765, print_env: bool = False) -> None:
    """Serve in the foreground until interrupted (``neocloud sandbox``)."""
    import uvicorn

    from .app import create_app

    if print_env:
        for name, value in env_for(f"http://{host}:{port}").items():
            print(f"export {name}={value}")  # noqa: T201 - the CLI's output
    uvicorn.run(create_app(), host=host, port=port, log_level="warning", access_log=False, lifespan="off")
