"""Mock-transport helpers for adapter tests: an OpenAI/Cerebras-shaped fake server that records bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

Reply = Callable[[dict[str, Any]], httpx.Response]


def completion(
    content: str | None = "Hi there.", tool_calls: list[dict[str, Any]] | None = None, reasoning: str | None = None
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    if reasoning:
        message["reasoning"] = reasoning
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "llama3.1-8b",
        "system_fingerprint": "fp",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}],
        "usage": {
            "prompt_tokens": 5,
            "completion_tokens": 3,
            "total_tokens": 8,
            "prompt_tokens_details": {"cached_tokens": 2},
            "completion_tokens_details": {"reasoning_tokens": 1},
        },
        "time_info": {"total_time": 0.01},
    }


def sse(*frames: dict[str, Any]) -> httpx.Response:
    body = "".join(f"data: {json.dumps(f)}\n\n" for f in frames) + "data: [DONE]\n\n"
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())


def chunk(delta: dict[str, Any], finish: str | None = None, usage: dict[str, int] | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "model": "llama3.1-8b",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage:
        frame["usage"] = usage
        frame["time_info"] = {"total_time": 0.02}
    return frame


class FakeServer:
    """Records request bodies; answers with ``reply(body)``."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.bodies: list[dict[str, Any]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.read())
        self.bodies.append(body)
        return self.reply(body)

    def clients(self, async_name: str = "http_async_client") -> dict[str, Any]:
        """Keyword arguments giving a model this server as its sync and async transport."""
        transport = httpx.MockTransport(self.handler)
        return {"http_client": httpx.Client(transport=transport), async_name: httpx.AsyncClient(transport=transport)}
