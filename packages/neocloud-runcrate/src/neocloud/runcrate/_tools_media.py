"""Runcrate media operations for agents: images, video jobs, text to speech and transcription.

Runcrate bills media per call but documents no media price, so every media estimate is ``None`` ("unpriced"):
under a budget such a call is refused unless the toolkit's ``SpendPolicy(unpriced_hourly_usd=...)`` states what
to assume, and then it reserves that amount times ``default_runtime_hours``, held as the call's cost (the answer
does not say what it cost). The inference host takes no Idempotency-Key, so a media call whose answer was lost
cannot be resolved by sending it again: it stays ``unknown`` and ``cleanup`` reports it.

A video renders for minutes: ``runcrate_generate_video`` returns the job at once; ``runcrate_video_status``
reads it, waiting up to ``wait_seconds`` for it to finish (so an agent does not poll in a tight loop), and
``runcrate_save_video`` writes a finished video to a file. Audio and images come back inline (base64) unless
``save_to`` names a file to write them to.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from neocloud.core.tools import CostEstimate, Operation, ResourceId, SideEffect

__all__ = ["MEDIA_OPERATIONS"]

_DONE = ("completed", "failed")


def _unpriced(what: str) -> CostEstimate:
    return CostEstimate(None, None, f"Runcrate publishes no {what} price")


_IMAGE_FIELD = "A URL, data: URI, base64 image, or a local image file path (sent as a data: URI)."


class ImageArgs(BaseModel):
    model: str = Field(min_length=1, description="The image model, e.g. 'black-forest-labs/FLUX.1-schnell'.")
    prompt: str = Field(min_length=1, description="What to draw.")
    width: int | None = Field(default=None, ge=1, le=8192, description="Width in pixels.")
    height: int | None = Field(default=None, ge=1, le=8192, description="Height in pixels.")
    aspect_ratio: str | None = Field(default=None, description="e.g. '16:9' (instead of width and height).")
    response_format: Literal["url", "b64_json"] | None = Field(default=None, description="How images come back.")
    num_inference_steps: int | None = Field(default=None, ge=1, le=500)
    guidance: float | None = Field(default=None, ge=0)
    seed: int | None = None
    negative_prompt: str | None = None
    image: str | None = Field(default=None, description=_IMAGE_FIELD)
    start_image: str | None = Field(default=None, description=_IMAGE_FIELD)
    mask: str | None = Field(default=None, description=_IMAGE_FIELD)
    control_image: str | None = Field(default=None, description=_IMAGE_FIELD)
    save_to: str | None = Field(default=None, description="Write the image here (a file path; several images get "
                                "-1, -2 ... before the suffix) instead of returning it inline.")  # fmt: skip


class VideoArgs(BaseModel):
    model: str = Field(min_length=1, description="The video model.")
    prompt: str = Field(min_length=1, description="What the video shows.")
    duration: float | None = Field(default=None, gt=0, description="Length in seconds.")
    aspect_ratio: str | None = Field(default=None, description="e.g. '16:9'.")
    width: int | None = Field(default=None, ge=1, le=8192)
    height: int | None = Field(default=None, ge=1, le=8192)
    seed: int | None = None
    negative_prompt: str | None = None
    image: str | None = Field(default=None, description="A first frame: " + _IMAGE_FIELD)


class VideoStatusArgs(BaseModel):
    job_id: ResourceId = Field(description="The video job id from runcrate_generate_video.")
    wait_seconds: float = Field(
        default=0, ge=0, le=600, description="Wait up to this long for the video to finish (0: answer at once)."
    )


class SaveVideoArgs(BaseModel):
    job_id: ResourceId = Field(description="A completed video job.")
    path: str = Field(min_length=1, description="The file to write the video to, e.g. 'clip.mp4'.")


class SpeechArgs(BaseModel):
    model: str = Field(min_length=1, description="The text-to-speech model.")
    input: str = Field(min_length=1, description="The text to speak.")
    voice: str | None = Field(default=None, description="A voice of the model.")
    response_format: Literal["mp3", "pcm", "wav"] | None = Field(default=None, description="Audio format.")
    speed: float | None = Field(default=None, gt=0, le=4)
    language: str | None = None
    save_to: str | None = Field(default=None, description="Write the audio to this file instead of returning it.")


class TranscribeArgs(BaseModel):
    model: str = Field(min_length=1, description="The speech-to-text model, e.g. 'openai/whisper-large-v3'.")
    file: str = Field(min_length=1, description="Path of the audio file to transcribe.")
    filename: str | None = Field(default=None, description="The upload's name (defaults to the file's).")
    language: str | None = Field(default=None, description="The spoken language, e.g. 'en'.")
    response_format: Literal["json", "text", "srt", "vtt", "verbose_json"] | None = None


def _numbered(path: Path, index: int, count: int) -> Path:
    return path if count == 1 else path.with_name(f"{path.stem}-{index + 1}{path.suffix}")


def _image(c: Any, a: ImageArgs, key: str | None) -> dict[str, Any]:
    made = c.models.generate_image(**a.model_dump(exclude_none=True, exclude={"save_to"}))
    images = [d.model_dump(mode="json", exclude_none=True) for d in made.data]
    if a.save_to:
        target = Path(a.save_to).expanduser()
        for i, data in enumerate(made.data):
            saved = data.save(_numbered(target, i, len(made.data)))
            images[i] = {"path": str(saved), "bytes": saved.stat().st_size,
                         **({"url": data.url} if data.url else {})}  # fmt: skip
    return {"created": made.created, "images": images}


def _video_status(c: Any, a: VideoStatusArgs, key: str | None) -> dict[str, Any]:
    deadline = time.monotonic() + a.wait_seconds
    job = c.models.get_video_status(a.job_id)
    while job.status not in _DONE and time.monotonic() < deadline:
        time.sleep(min(2.0, max(deadline - time.monotonic(), 0.05)))
        job = c.models.get_video_status(a.job_id)
    return dict(job.model_dump(mode="json", exclude_none=True))


def _save_video(c: Any, a: SaveVideoArgs, key: str | None) -> dict[str, Any]:
    data = c.models.download_video(a.job_id)
    target = Path(a.path).expanduser()
    target.write_bytes(data)
    return {"job_id": a.job_id, "path": str(target), "bytes": len(data)}


def _speech(c: Any, a: SpeechArgs, key: str | None) -> dict[str, Any]:
    audio = c.models.text_to_speech(**a.model_dump(exclude_none=True, exclude={"save_to"}))
    if a.save_to:
        target = Path(a.save_to).expanduser()
        target.write_bytes(audio)
        return {"path": str(target), "bytes": len(audio)}
    return {"audio_base64": base64.b64encode(audio).decode(), "bytes": len(audio)}


def _transcribe(c: Any, a: TranscribeArgs, key: str | None) -> dict[str, Any]:
    made = c.models.transcribe(**a.model_dump(exclude_none=True))
    return dict(made.model_dump(mode="json", exclude_none=True))


MEDIA_OPERATIONS = [
    Operation("runcrate_generate_image", "Generate an image from a prompt (billed per image). Returns the image "
              "inline (b64_json or url), or writes it to save_to.", ImageArgs, SideEffect.BILLABLE, _image,
              estimate=lambda c, a: _unpriced("image-generation")),
    Operation("runcrate_generate_video", "Start rendering a video from a prompt (billed per video; it takes "
              "minutes). Returns the job (id, status); then call runcrate_video_status with wait_seconds, and "
              "runcrate_save_video when it is completed.", VideoArgs, SideEffect.BILLABLE,
              lambda c, a, k: c.models.generate_video(**a.model_dump(exclude_none=True)).model_dump(
                  mode="json", exclude_none=True),
              estimate=lambda c, a: _unpriced("video-generation")),
    Operation("runcrate_video_status", "A video job's status (queued, processing, completed, failed) and progress; "
              "waits up to wait_seconds for it to finish.", VideoStatusArgs, SideEffect.READ, _video_status),
    Operation("runcrate_save_video", "Download a completed video to a local file; returns its path and size.",
              SaveVideoArgs, SideEffect.READ, _save_video),
    Operation("runcrate_text_to_speech", "Speak text aloud (billed per call). Returns the audio as base64, or "
              "writes it to save_to.", SpeechArgs, SideEffect.BILLABLE, _speech,
              estimate=lambda c, a: _unpriced("text-to-speech")),
    Operation("runcrate_transcribe", "Transcribe an audio file to text (billed per call).", TranscribeArgs,
              SideEffect.BILLABLE, _transcribe, estimate=lambda c, a: _unpriced("transcription")),
]  # fmt: skip
