"""The two HTTP libraries: the core makes httpx2 pools and never imports httpx itself; a caller's httpx client (or
httpx objects given to ``DefaultHttpxClient``) is taken as it is."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from types import ModuleType
from typing import Any

import httpx
import httpx2
import pytest

from neocloud.core import errors
from neocloud.core._base import FinalRequest
from neocloud.core._client import DefaultAsyncHttpxClient, DefaultHttpxClient
from neocloud.core._types import Timeout, coerce_timeout

from .conftest import KEY, AsyncTestClient, TestClient


def test_the_core_makes_httpx2_pools_and_never_imports_httpx() -> None:
    # A fresh interpreter: a provider client's pools, a call and its typed error all run without httpx.
    code = textwrap.dedent(
        """
        import asyncio, sys
        import httpx2
        from neocloud.cerebras import AsyncCerebras, Cerebras
        from neocloud.core.errors import NotFoundError

        def handler(request):
            return httpx2.Response(404, json={"error": {"message": "no such model"}})

        client = Cerebras(api_key="k", max_retries=0)
        assert isinstance(client._pool.get(), httpx2.Client)
        client._pool.client = httpx2.Client(transport=httpx2.MockTransport(handler))
        try:
            client.models.retrieve("nope")
        except NotFoundError as exc:
            assert exc.status_code == 404
        async def main():
            aclient = AsyncCerebras(api_key="k")
            assert isinstance(aclient._pool.get(), httpx2.AsyncClient)
            await aclient.close()
        asyncio.run(main())
        assert "httpx" not in sys.modules, "httpx was imported"
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_default_httpx_client_given_httpx_objects_is_an_httpx_client() -> None:
    # The Cerebras README's own example: a proxy and an httpx transport.
    made = DefaultHttpxClient(
        proxy="http://my.test.proxy.example.com", transport=httpx.HTTPTransport(local_address="0.0.0.0")
    )
    assert isinstance(made, httpx.Client) and made.follow_redirects is True
    assert made.timeout == httpx.Timeout(connect=5.0, read=60.0, write=60.0, pool=None)
    client = TestClient(api_key=KEY, http_client=made)
    assert client._pool.get() is made
    made.close()
    own = DefaultHttpxClient(proxy="http://my.test.proxy.example.com")
    assert isinstance(own, httpx2.Client) and isinstance(own, DefaultHttpxClient)
    own.close()
    mounted = DefaultAsyncHttpxClient(mounts={"https://": httpx.AsyncHTTPTransport()})
    assert isinstance(mounted, httpx.AsyncClient)
    assert isinstance(DefaultAsyncHttpxClient(), httpx2.AsyncClient)


@pytest.mark.parametrize(
    ("asynchronous", "wrong"),
    [(False, lambda: object()), (False, lambda: "http://proxy"), (False, httpx2.AsyncClient), (False, httpx.AsyncClient),
     (True, lambda: object()), (True, httpx2.Client), (True, httpx.Client)],
)  # fmt: skip
def test_http_client_must_be_a_client_of_either_library(asynchronous: bool, wrong: Any) -> None:
    kind, cls = ("AsyncClient", AsyncTestClient) if asynchronous else ("Client", TestClient)
    with pytest.raises(errors.ConfigurationError, match=rf"httpx2\.{kind} or httpx\.{kind}"):
        cls(api_key=KEY, http_client=wrong())


def test_either_librarys_response_type_asks_for_the_raw_response(make_client: Any, hx: ModuleType) -> None:
    client, _, _ = make_client(lambda r: hx.Response(200, headers={"x-foo": "bar"}, json={"a": 1}))
    for cast_to in (httpx2.Response, httpx.Response):
        response = client.request(cast_to, FinalRequest("GET", "/v1/x"))
        assert isinstance(response, hx.Response) and response.headers["x-foo"] == "bar"


@pytest.mark.parametrize("library", [httpx2, httpx])
def test_either_librarys_timeout_is_accepted(library: ModuleType) -> None:
    given = library.Timeout(connect=1.0, read=2.0, write=3.0, pool=4.0)
    assert coerce_timeout(given, Timeout(total=9.0)) == Timeout(1.0, 2.0, 3.0, 4.0, total=9.0)
