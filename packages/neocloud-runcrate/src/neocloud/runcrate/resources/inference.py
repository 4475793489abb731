"""Inference-host operations (``/v1`` on ``inference_url``): chat, images, video jobs, speech, transcription.

No envelope here: bodies are OpenAI-style. Media generations bill per call, so they are not repeated
after the server may have acted; chat follows the usual inference rule (safe to repeat).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import IO, Any

import httpx2

from neocloud.core._base import FinalRequest
from neocloud.core.openai_compat import build_body
from neocloud.core.wire import ChatCompletionRequest

from .._ops import MEDIA_TIMEOUT, Op, audio_input, clean, ident, media_fields, route
from ..exceptions import RuncrateValidationError
from ..types import ImageResponse, Transcription, VideoJob

__all__ = ["ModelsOps"]


def _model(body: Any) -> Any:
    return body


class ModelsOps:
    """The inference operations as ``Op`` factories."""

    @staticmethod
    def chat_completion(
        model: str, messages: Iterable[Mapping[str, Any]], stream: bool = False, **params: Any
    ) -> FinalRequest:
        """The chat body, validated as every OpenAI-compatible chat is (strict types, no unknown fields: a field
        the model does not know goes in ``extra_body``); ``stream`` is always sent, as Runcrate's SDK does."""
        ident(model, "model")
        if not isinstance(stream, bool):
            raise RuncrateValidationError(f"'stream' must be True or False; got {stream!r}", param="stream")
        extra_body = params.pop("extra_body", None)
        fields = {"model": model, "messages": messages, **params}
        body = build_body(ChatCompletionRequest, fields, extra_body=extra_body, what="models.chat_completion",
                          error=RuncrateValidationError)  # fmt: skip
        body["stream"] = stream
        return FinalRequest("POST", "/v1/chat/completions", json=body)

    @staticmethod
    def generate_image(model: str, prompt: str, **params: Any) -> Op[ImageResponse]:
        ident(model, "model")
        ident(prompt, "prompt")
        body = {"model": model, "prompt": prompt, **media_fields(params)}
        request = FinalRequest("POST", "/v1/images/generations", json=body, idempotent=False, min_timeout=MEDIA_TIMEOUT)
        return Op(request, ImageResponse.model_validate, host="inference", metered="image")

    @staticmethod
    def generate_video(model: str, prompt: str, duration: float | None = None, **params: Any) -> Op[VideoJob]:
        ident(model, "model")
        ident(prompt, "prompt")
        if duration is not None and (not isinstance(duration, (int, float)) or duration <= 0):
            raise RuncrateValidationError("'duration' must be a positive number of seconds", param="duration")
        body = {
            "model": model,
            "prompt": prompt,
            **media_fields({"duration": None if duration is None else float(duration), **params}),
        }
        request = FinalRequest("POST", "/v1/videos", json=body, idempotent=False, min_timeout=MEDIA_TIMEOUT)
        return Op(request, VideoJob.model_validate, host="inference", metered="video")

    @staticmethod
    def get_video_status(job_id: str) -> Op[VideoJob]:
        return Op(
            FinalRequest("GET", route("/v1/videos/{job_id}", job_id=job_id)), VideoJob.model_validate, host="inference"
        )

    @staticmethod
    def download_video(job_id: str) -> Op[bytes]:
        request = FinalRequest("GET", route("/v1/videos/{job_id}/download", job_id=job_id), min_timeout=MEDIA_TIMEOUT)
        return Op(request, lambda response: response.content, host="inference", raw=True)

    @staticmethod
    def text_to_speech(model: str, input: str, voice: str | None = None, **params: Any) -> Op[bytes]:
        ident(model, "model")
        if not isinstance(input, str) or not input:
            raise RuncrateValidationError("'input' must be non-empty text", param="input")
        body = {"model": model, "input": input, **clean({"voice": voice, **params})}
        request = FinalRequest("POST", "/v1/audio/speech", json=body, idempotent=False, min_timeout=MEDIA_TIMEOUT)
        return Op(request, lambda response: response.content, host="inference", raw=True, metered="speech")

    @staticmethod
    def transcribe(
        model: str,
        file: str | os.PathLike[str] | bytes | IO[bytes],
        filename: str | None = None,
        language: str | None = None,
        response_format: str | None = None,
        **params: Any,
    ) -> Op[Transcription]:
        """Speech to text (``POST /v1/audio/transcriptions``, multipart); ``file`` is a path, bytes or a file object.

        A path (``str`` or ``os.PathLike``) is read from disk; a file object must be opened in binary mode. The
        upload is named ``filename``, else after the file, else ``audio.wav``.
        """
        ident(model, "model")
        if response_format is not None and response_format not in ("json", "text", "srt", "vtt", "verbose_json"):
            raise RuncrateValidationError(
                "'response_format' must be json, text, srt, vtt or verbose_json", param="response_format"
            )
        filename, content = audio_input(file, filename)
        data = {
            k: str(v)
            for k, v in clean(
                {"model": model, "language": language, "response_format": response_format, **params}
            ).items()
        }
        request = FinalRequest(
            "POST", "/v1/audio/transcriptions", data=data, files={"file": (filename, content)}, idempotent=False,
            min_timeout=MEDIA_TIMEOUT,
        )  # fmt: skip
        return Op(request, _transcription, host="inference", raw=True, metered="transcription")


def _transcription(response: httpx2.Response) -> Transcription:
    # srt / vtt / text come back as text; json formats as JSON (the official SDK only handles JSON).
    if "json" in response.headers.get("content-type", ""):
        return Transcription.model_validate(json.loads(response.content))
    return Transcription(text=response.text)
