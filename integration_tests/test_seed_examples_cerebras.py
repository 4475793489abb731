"""Every Python example of the Cerebras SDK README, with only its import line changed, against the sandbox.

The examples are kept verbatim (with the SDK's import); the test rewrites ``cerebras.cloud.sdk`` to
``neocloud.cerebras`` and runs each one in a fresh namespace with the sandbox's environment variables.
"""

from __future__ import annotations

import contextlib
import io
import os
from typing import Any

import pytest

EXAMPLES: dict[str, str] = {
    "chat_completion": """
import os
from cerebras.cloud.sdk import Cerebras

client = Cerebras(
    api_key=os.environ.get("CEREBRAS_API_KEY"),  # This is the default and can be omitted
)

chat_completion = client.chat.completions.create(
    messages=[
        {
            "role": "user",
            "content": "Why is fast inference important?",
        }
    ],
    model="llama3.1-8b",
)

print(chat_completion)
""",
    "text_completion": """
import os
from cerebras.cloud.sdk import Cerebras

client = Cerebras(
    api_key=os.environ.get("CEREBRAS_API_KEY"),  # This is the default and can be omitted
)

completion = client.completions.create(
    prompt="It was a dark and stormy ",
    max_tokens=100,
    model="llama3.1-8b",
)

print(completion)
""",
    "async_usage": """
import os
import asyncio
from cerebras.cloud.sdk import AsyncCerebras

client = AsyncCerebras(
    api_key=os.environ.get("CEREBRAS_API_KEY"),  # This is the default and can be omitted
)

async def main() -> None:
    chat_completion = await client.chat.completions.create(
        messages=[
            {
                "role": "user",
                "content": "Why is fast inference important?",
            }
        ],
        model="llama3.1-8b",
    )
    print(chat_completion)

asyncio.run(main())
""",
    "streaming_chat": """
import os
from cerebras.cloud.sdk import Cerebras

client = Cerebras(
    # This is the default and can be omitted
    api_key=os.environ.get("CEREBRAS_API_KEY"),
)

stream = client.chat.completions.create(
    messages=[
        {
            "role": "user",
            "content": "Why is fast inference important?",
        }
    ],
    model="llama3.1-8b",
    stream=True,
)

for chunk in stream:
    print(chunk.choices[0].delta.content or "", end="")
""",
    "streaming_chat_async": """
import os
import asyncio
from cerebras.cloud.sdk import AsyncCerebras

client = AsyncCerebras(
    # This is the default and can be omitted
    api_key=os.environ.get("CEREBRAS_API_KEY"),
)

async def main() -> None:
    stream = await client.chat.completions.create(
        messages=[
            {
                "role": "user",
                "content": "Why is fast inference important?",
            }
        ],
        model="llama3.1-8b",
        stream=True,
    )
    async for chunk in stream:
        print(chunk.choices[0].delta.content or "", end="")

asyncio.run(main())
""",
    "streaming_text": """
import os
from cerebras.cloud.sdk import Cerebras

client = Cerebras(
    # This is the default and can be omitted
    api_key=os.environ.get("CEREBRAS_API_KEY"),
)

stream = client.completions.create(
    prompt="It was a dark and stormy ",
    max_tokens=100,
    model="llama3.1-8b",
    stream=True,
)

for chunk in stream:
    print(chunk.choices[0].text or "", end="")
""",
    "nested_params": """
from cerebras.cloud.sdk import Cerebras

client = Cerebras()

chat_completion = client.chat.completions.create(
    messages=[
        {
            "content": "content",
            "role": "system",
        }
    ],
    model="model",
    stream_options={"include_usage": True},
)
print(chat_completion.stream_options)
""",
    "handling_errors": """
import cerebras.cloud.sdk
from cerebras.cloud.sdk import Cerebras

client = Cerebras()

try:
    client.chat.completions.create(
        messages=[
            {
                "role": "user",
                "content": "This should cause an error!",
            }
        ],
        model="some-model-that-doesnt-exist",
    )
except cerebras.cloud.sdk.APIConnectionError as e:
    print("The server could not be reached")
    print(e.__cause__)  # an underlying Exception, likely raised within httpx.
except cerebras.cloud.sdk.RateLimitError as e:
    print("A 429 status code was received; we should back off a bit.")
except cerebras.cloud.sdk.APIStatusError as e:
    print("Another non-200-range status code was received")
    print(e.status_code)
    print(e.response)
""",
    "retries": """
from cerebras.cloud.sdk import Cerebras

# Configure the default for all requests:
client = Cerebras(
    # default is 2
    max_retries=0,
)

# Or, configure per-request:
client.with_options(max_retries=5).chat.completions.create(
    messages=[
        {
            "role": "user",
            "content": "Why is fast inference important?",
        }
    ],
    model="llama3.1-8b",
)
""",
    "timeouts": """
from cerebras.cloud.sdk import Cerebras
import httpx

# Configure the default for all requests:
client = Cerebras(
    # 20 seconds (default is 1 minute)
    timeout=20.0,
)

# More granular control:
client = Cerebras(
    timeout=httpx.Timeout(60.0, read=5.0, write=10.0, connect=2.0),
)

# Override per-request:
client.with_options(timeout=5.0).chat.completions.create(
    messages=[
        {
            "role": "user",
            "content": "Why is fast inference important?",
        }
    ],
    model="llama3.1-8b",
)
""",
    "raw_response": """
from cerebras.cloud.sdk import Cerebras

client = Cerebras()
response = client.chat.completions.with_raw_response.create(
    messages=[{
        "role": "user",
        "content": "Why is fast inference important?",
    }],
    model="llama3.1-8b",
)
print(response.headers.get('X-My-Header'))

completion = response.parse()  # get the object that `chat.completions.create()` would have returned
print(completion)
""",
    "undocumented_endpoint": """
import httpx

response = client.post(
    "/foo",
    cast_to=httpx.Response,
    body={"my_param": True},
)

print(response.headers.get("x-foo"))
""",
    "http_client": """
import httpx
from cerebras.cloud.sdk import Cerebras, DefaultHttpxClient

client = Cerebras(
    # Or use the `CEREBRAS_BASE_URL` env var
    base_url="http://my.test.server.example.com:8083",
    http_client=DefaultHttpxClient(
        proxy="http://my.test.proxy.example.com",
        transport=httpx.HTTPTransport(local_address="0.0.0.0"),
    ),
)
""",
    "context_manager": """
from cerebras.cloud.sdk import Cerebras

with Cerebras() as client:
  # make requests here
  ...

# HTTP client is now closed
""",
    "version": """
import cerebras.cloud.sdk
print(cerebras.cloud.sdk.__version__)
""",
}

# What each example must print (checked loosely: a substring) or raise. Two examples fail with the
# official SDK too, because the README itself is wrong: "nested_params" names model "model", which does not
# exist (with a real model it prints the request's stream_options, which our responses carry; the official
# SDK's do not) and "undocumented_endpoint" posts to "/foo".
EXPECTED: dict[str, tuple[str, type[BaseException] | None]] = {
    "chat_completion": ("ChatCompletionResponse(", None),
    "text_completion": ("CompletionResponse(", None),
    "async_usage": ("ChatCompletionResponse(", None),
    "streaming_chat": (".", None),
    "streaming_chat_async": (".", None),
    "streaming_text": (".", None),
    "handling_errors": ("Another non-200-range status code was received\n404", None),
    "retries": ("", None),
    "timeouts": ("", None),
    "raw_response": ("ChatCompletionResponse(", None),
    "http_client": ("", None),
    "context_manager": ("", None),
    "version": ("0.1.0", None),
}


def rewrite(source: str) -> str:
    """Change only the import: ``cerebras.cloud.sdk`` becomes ``neocloud.cerebras``."""
    return source.replace("import cerebras.cloud.sdk", "import neocloud.cerebras").replace(
        "cerebras.cloud.sdk", "neocloud.cerebras"
    )


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_readme_example_runs(name: str, live_sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in live_sandbox.env().items():
        monkeypatch.setenv(key, value)
    namespace: dict[str, Any] = {"__name__": "__example__"}
    if name == "undocumented_endpoint":
        from neocloud.cerebras import Cerebras

        namespace["client"] = Cerebras()
    out = io.StringIO()
    code = compile(rewrite(EXAMPLES[name]), f"<README example {name}>", "exec")
    if name == "nested_params":
        from neocloud.cerebras import NotFoundError

        with pytest.raises(NotFoundError), contextlib.redirect_stdout(out):
            exec(code, namespace)  # model="model" is the README's placeholder: no such model
        # With a model that exists, the example prints what it reads: the request's stream_options.
        real = compile(rewrite(EXAMPLES[name]).replace('model="model"', 'model="llama3.1-8b"'), "<nested>", "exec")
        with contextlib.redirect_stdout(out):
            exec(real, {"__name__": "__example__"})
        assert out.getvalue() == "StreamOptions(include_usage=True)\n"
        return
    if name == "undocumented_endpoint":
        from neocloud.cerebras import NotFoundError

        with pytest.raises(NotFoundError) as info, contextlib.redirect_stdout(out):
            exec(code, namespace)
        assert info.value.status_code == 404
        return
    with contextlib.redirect_stdout(out):
        exec(code, namespace)
    expected, _ = EXPECTED[name]
    assert expected in out.getvalue(), out.getvalue()[:500]
    assert os.environ["CEREBRAS_BASE_URL"].startswith("http://127.0.0.1:")
