"""``client.models``: the inference host's operations, sync and async (plus the video helpers)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from neocloud.core.validation import check_seconds
from neocloud.core.wire import ChatCompletion

from ..exceptions import RuncrateValidationError
from ..types import VideoJob
from ._base import AsyncResource, SyncResource, async_call, sync_call
from .inference import ModelsOps

__all__ = ["AsyncModels", "Models"]

_DONE = ("completed", "failed")


class Models(SyncResource):
    """``client.models`` (inference host): chat, images, video jobs, text-to-speech, transcription."""

    generate_image = sync_call(ModelsOps.generate_image)
    generate_video = sync_call(ModelsOps.generate_video)
    get_video_status = sync_call(ModelsOps.get_video_status)
    download_video = sync_call(ModelsOps.download_video)
    text_to_speech = sync_call(ModelsOps.text_to_speech)
    transcribe = sync_call(ModelsOps.transcribe)

    def chat_completion(self, model: str, messages: Any, stream: bool = False, **params: Any) -> Any:
        """A chat completion (``ChatCompletion``); with ``stream=True`` an iterator of chunk dicts."""
        request = ModelsOps.chat_completion(model, messages, stream, **params)
        inference = self._client._inference
        if stream:
            return inference.meter.stream("chat", request.json, lambda: inference.request_stream(_as_dict, request))
        return inference.meter.call("chat", request.json, lambda: inference.request(ChatCompletion, request))

    def wait_for_video(
        self, job_id: str, *, poll_interval: float = 5.0, timeout: float | None = None,
        on_status: Callable[[VideoJob], Any] | None = None,
    ) -> VideoJob:  # fmt: skip
        """Poll until completed or failed (``RuntimeError`` on failure, ``TimeoutError`` past ``timeout``)."""
        check_seconds("timeout", timeout, error=RuncrateValidationError, optional=True)
        check_seconds("poll_interval", poll_interval, error=RuncrateValidationError)
        deadline = None if timeout is None else time.monotonic() + timeout
        job = self.get_video_status(job_id)
        while True:
            if on_status:
                on_status(job)
            if job.status in _DONE:
                break
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"video job {job_id} still {job.status} after {timeout}s")
            time.sleep(poll_interval)
            job = self.get_video_status(job_id)
        if job.status == "failed":
            raise RuntimeError(f"video job {job_id} failed: {job.error}")
        return job

    def generate_video_and_save(
        self, path: str | Path, *, poll_interval: float = 5.0, timeout: float | None = None,
        on_status: Callable[[VideoJob], Any] | None = None, **params: Any,
    ) -> VideoJob:  # fmt: skip
        """Submit a video job, wait for it, and write the video to ``path``."""
        job = self.generate_video(**params)
        job = self.wait_for_video(job.id, poll_interval=poll_interval, timeout=timeout, on_status=on_status)
        Path(path).write_bytes(self.download_video(job.id))
        return job


class AsyncModels(AsyncResource):
    """``client.models`` of ``AsyncRuncrate``."""

    # Image fields and uploads may be local paths: those factories read files, off the event loop.
    generate_image = async_call(ModelsOps.generate_image, reads_files=True)
    generate_video = async_call(ModelsOps.generate_video, reads_files=True)
    get_video_status = async_call(ModelsOps.get_video_status)
    download_video = async_call(ModelsOps.download_video)
    text_to_speech = async_call(ModelsOps.text_to_speech)
    transcribe = async_call(ModelsOps.transcribe, reads_files=True)

    async def chat_completion(self, model: str, messages: Any, stream: bool = False, **params: Any) -> Any:
        """A chat completion; with ``stream=True`` an async iterator of chunk dicts."""
        request = ModelsOps.chat_completion(model, messages, stream, **params)
        inference = self._client._inference
        if stream:
            return await inference.meter.astream(
                "chat", request.json, lambda: inference.request_stream(_as_dict, request)
            )
        return await inference.meter.acall("chat", request.json, lambda: inference.request(ChatCompletion, request))

    async def wait_for_video(
        self, job_id: str, *, poll_interval: float = 5.0, timeout: float | None = None,
        on_status: Callable[[VideoJob], Any] | None = None,
    ) -> VideoJob:  # fmt: skip
        """Poll until the job is completed or failed."""
        check_seconds("timeout", timeout, error=RuncrateValidationError, optional=True)
        check_seconds("poll_interval", poll_interval, error=RuncrateValidationError)
        deadline = None if timeout is None else time.monotonic() + timeout
        job = await self.get_video_status(job_id)
        while True:
            if on_status:
                on_status(job)
            if job.status in _DONE:
                break
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"video job {job_id} still {job.status} after {timeout}s")
            await asyncio.sleep(poll_interval)
            job = await self.get_video_status(job_id)
        if job.status == "failed":
            raise RuntimeError(f"video job {job_id} failed: {job.error}")
        return job

    async def generate_video_and_save(
        self, path: str | Path, *, poll_interval: float = 5.0, timeout: float | None = None,
        on_status: Callable[[VideoJob], Any] | None = None, **params: Any,
    ) -> VideoJob:  # fmt: skip
        """Submit a video job, wait for it, and write the video to ``path``."""
        job = await self.generate_video(**params)
        job = await self.wait_for_video(job.id, poll_interval=poll_interval, timeout=timeout, on_status=on_status)
        data = await self.download_video(job.id)
        await asyncio.to_thread(Path(path).write_bytes, data)
        return job


def _as_dict(data: Any) -> dict[str, Any]:
    # The documented stream yields plain dicts: chunk["choices"][0]["delta"].
    return dict(data) if isinstance(data, Mapping) else {"data": data}


_ = (Iterator, AsyncIterator)
