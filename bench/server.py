"""A fast loopback OpenAI-compatible server for the benchmark: fixed answers, no emulation work, so what is
measured is the client. Run in its own process (``python -m uvicorn bench.server:app``)."""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

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


async def chat(request: Request) -> Response:
    body = json.loads(await request.body())
    if not body.get("stream"):
        return Response(ANSWER, media_type="application/json")

    async def frames() -> AsyncIterator[bytes]:
        for _ in range(CHUNKS):
            yield CHUNK
        yield LAST

    return StreamingResponse(frames(), media_type="text/event-stream")


VECTOR = [round(0.001 * i, 3) for i in range(384)]
VECTOR_B64 = base64.b64encode(struct.pack(f"<{len(VECTOR)}f", *VECTOR)).decode()


async def embeddings(request: Request) -> Response:
    body = json.loads(await request.body())
    texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
    # The compact encoding when asked for (the openai SDK asks by default), floats otherwise.
    vector = VECTOR_B64 if body.get("encoding_format") == "base64" else VECTOR
    data = [{"object": "embedding", "index": i, "embedding": vector} for i in range(len(texts))]
    usage = {"prompt_tokens": 8, "total_tokens": 8}
    payload = {"object": "list", "data": data, "model": body["model"], "usage": usage}
    return Response(json.dumps(payload), media_type="application/json")


app = Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"]),
                        Route("/v1/embeddings", embeddings, methods=["POST"])])  # fmt: skip
