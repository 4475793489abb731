"""Runcrate plane, inference host (``/v1``): chat, images, video jobs, speech, transcription.

Media answers are small deterministic stand-ins (a 1x1 PNG, a tiny MP4 header, an MP3 frame) whose bytes
depend on the request, so tests can tell answers apart without any model.
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...common import SSEPlan, json_response, sse_response
from ...errors import error_body
from ...generate import generate_text, seed_for
from ...tokens import token_ids, tokens_of
from ..lifecycle import phase_of
from ..openai_chat import chunk_frames, completion_payload, plan_answer, validate_chat
from ._workspace import NAME, open_request

__all__ = ["inference_routes"]

CHAT_MODELS = {"deepseek-ai/DeepSeek-V3", "meta-llama/Llama-3.3-70B-Instruct", "Qwen/Qwen2.5-Coder-32B-Instruct"}
PRICE_PER_1K = 0.0009
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
_VIDEO_PHASES = ("queued", "processing", "completed")
_TRANSCRIPT_FORMATS = ("json", "text", "srt", "vtt", "verbose_json")


async def chat(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    body, bad = ctx.json()
    if bad:
        return bad
    problem = validate_chat(body, CHAT_MODELS)
    if problem:
        status, message, param, code = problem
        return ctx.error(422 if status == 400 else status, message, param=param, code=code or "validation_error")
    answer = plan_answer(
        body, ctx.state.next_script(NAME, ctx.api_key), seed=ctx.state.settings.seed, reasoning_model=False
    )
    cost = round((answer.prompt_tokens + answer.completion_tokens) / 1000 * PRICE_PER_1K, 8)
    if ws.credits < cost:
        return ctx.error(402, "Inference budget exceeded", code="budget_exceeded")
    ws.credits -= cost
    for key, value in (
        ("requests", 1),
        ("prompt", answer.prompt_tokens),
        ("completion", answer.completion_tokens),
        ("cost", cost),
    ):
        ws.inference[key] += value
    cid = "chatcmpl-" + hashlib.sha256(ctx.body).hexdigest()[:24]
    if body.get("stream"):
        frames = chunk_frames(answer, body, cid, {})
        return sse_response(ctx, SSEPlan(frames), lambda status: error_body(NAME, status, "injected fault", None))
    return json_response(ctx, completion_payload(answer, body, cid, {}))


def _needs(body: dict[str, Any], *names: str) -> str | None:
    return next((n for n in names if not isinstance(body.get(n), str) or not body[n]), None)


async def images(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    body, bad = ctx.json()
    if bad:
        return bad
    missing = _needs(body, "model", "prompt")
    if missing:
        return ctx.error(422, f"'{missing}' is required", code="validation_error", param=missing)
    for field in ("image", "start_image", "mask", "control_image"):
        value = body.get(field)
        if value is not None and not (
            isinstance(value, str) and (value.startswith(("http", "data:")) or len(value) > 16)
        ):
            return ctx.error(
                422, f"'{field}' must be a URL, data URI or base64 image", code="validation_error", param=field
            )
    if ws.credits < 0.01:
        return ctx.error(402, "Inference budget exceeded", code="budget_exceeded")
    ws.credits -= 0.01
    tag = hashlib.sha256(ctx.body).digest()[:4]
    data = base64.b64encode(_PNG + b"tEXt" + tag).decode()
    return json_response(
        ctx, {"created": int(time.time()), "data": [{"b64_json": data, "revised_prompt": body["prompt"]}]}
    )


async def videos(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    job_id = request.path_params.get("job_id")
    if job_id is None:
        body, bad = ctx.json()
        if bad:
            return bad
        missing = _needs(body, "model", "prompt")
        if missing:
            return ctx.error(422, f"'{missing}' is required", code="validation_error", param=missing)
        duration = body.get("duration", 5.0)
        if not isinstance(duration, (int, float)) or not 0 < duration <= 60:
            return ctx.error(422, "'duration' must be 0..60 seconds", code="validation_error", param="duration")
        vid = ctx.state.new_id("video_")
        ws.videos[vid] = {
            "id": vid,
            "status": "queued",
            "model": body["model"],
            "_created": time.time(),
            "_prompt": body["prompt"],
        }
        return json_response(ctx, _video(ctx, ws.videos[vid]))
    job = ws.videos.get(job_id)
    if job is None:
        return ctx.error(404, f"Video job {job_id} not found", code="not_found")
    if request.url.path.endswith("/download"):
        if _video(ctx, job)["status"] != "completed":
            return ctx.error(409, "The video is not ready yet", code="not_ready")
        content = b"\x00\x00\x00\x18ftypmp42" + hashlib.sha256(job["_prompt"].encode()).digest()
        return Response(content, media_type="video/mp4", headers={"x-request-id": ctx.rid})
    return json_response(ctx, _video(ctx, job))


def _video(ctx: Any, job: dict[str, Any]) -> dict[str, Any]:
    status, progress = phase_of(job["_created"], _VIDEO_PHASES, ctx.state.settings.phase_s)
    job["status"] = status
    return {"id": job["id"], "status": status, "model": job["model"], "progress": round(progress, 3)}


async def speech(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    body, bad = ctx.json()
    if bad:
        return bad
    missing = _needs(body, "model", "input")
    if missing:
        return ctx.error(422, f"'{missing}' is required", code="validation_error", param=missing)
    fmt = body.get("response_format", "mp3")
    if fmt not in ("mp3", "pcm", "wav"):
        return ctx.error(
            422, "'response_format' must be mp3, pcm or wav", code="validation_error", param="response_format"
        )
    audio = (
        b"ID3\x04\x00\x00\x00\x00\x00\x00" + hashlib.sha256(f"{body.get('voice')}:{body['input']}".encode()).digest()
    )
    return Response(audio, media_type="audio/mpeg" if fmt == "mp3" else "audio/L16", headers={"x-request-id": ctx.rid})


async def transcriptions(request: Request) -> Response:
    ctx, ws, early = await open_request(request)
    if early or ws is None:
        return early  # type: ignore[return-value]
    try:
        form = await request.form()
    except Exception:  # a malformed multipart body is the caller's error, never a 500
        return ctx.error(400, "expected multipart/form-data with a 'file' part", code="invalid_request")
    upload, model = form.get("file"), form.get("model")
    if upload is None or isinstance(upload, str) or not isinstance(model, str) or not model:
        return ctx.error(422, "'model' and a 'file' part are required", code="validation_error", param="file")
    fmt = form.get("response_format") or "json"
    if fmt not in _TRANSCRIPT_FORMATS:
        return ctx.error(422, f"'response_format' must be one of {', '.join(_TRANSCRIPT_FORMATS)}",
                         code="validation_error", param="response_format")  # fmt: skip
    data = await upload.read()
    text, _ = generate_text(seed_for(model, hashlib.sha256(data).hexdigest()), 12)
    language = form.get("language") or "en"
    duration = round(len(data) / 32_000, 2)
    if fmt == "srt":
        return Response(f"1\n00:00:00,000 --> 00:00:0{min(int(duration), 9)},500\n{text}\n", media_type="text/plain")
    if fmt == "vtt":
        return Response(
            f"WEBVTT\n\n00:00:00.000 --> 00:00:0{min(int(duration), 9)}.500\n{text}\n", media_type="text/vtt"
        )
    if fmt == "text":
        return Response(text, media_type="text/plain")
    answer: dict[str, Any] = {"text": text, "duration": duration, "language": language}
    if fmt == "verbose_json":
        answer = {"task": "transcribe", **answer, "segments": [_segment(text, duration)]}
        if "word" in form.getlist("timestamp_granularities[]"):
            answer["words"] = _word_times(text, duration)
    return json_response(ctx, answer)


def _segment(text: str, duration: float) -> dict[str, Any]:
    """One OpenAI-style transcription segment covering the whole recording."""
    return {"id": 0, "seek": 0, "start": 0.0, "end": duration, "text": text, "tokens": token_ids(tokens_of(text)),
            "temperature": 0.0, "avg_logprob": -0.25, "compression_ratio": 1.2, "no_speech_prob": 0.01}  # fmt: skip


def _word_times(text: str, duration: float) -> list[dict[str, Any]]:
    """Each word with an equal share of the recording."""
    words = text.split()
    step = duration / max(len(words), 1)
    return [{"word": w, "start": round(i * step, 3), "end": round((i + 1) * step, 3)} for i, w in enumerate(words)]


def inference_routes() -> list[Route]:
    return [
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/v1/images/generations", images, methods=["POST"]),
        Route("/v1/videos", videos, methods=["POST"]),
        Route("/v1/videos/{job_id}", videos, methods=["GET"]),
        Route("/v1/videos/{job_id}/download", videos, methods=["GET"]),
        Route("/v1/audio/speech", speech, methods=["POST"]),
        Route("/v1/audio/transcriptions", transcriptions, methods=["POST"]),
    ]
