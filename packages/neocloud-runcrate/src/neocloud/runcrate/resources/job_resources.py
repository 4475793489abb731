"""``client.jobs`` (with ``artifacts`` and ``uploads``), ``client.job_groups``, ``client.schedules``,
``client.environments`` and ``client.secrets``, sync and async. Single calls come from the operation
definitions in ``jobs.py``; the few calls made of several requests (paging, log following, waiting,
signed-URL transfers) are written here once per flavour."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import AsyncIterator, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx2

from neocloud.core._base import FinalRequest
from neocloud.core._types import Timeout
from neocloud.core.validation import check_seconds

from .._archive import code_archive
from ..exceptions import JobWaitTimeoutError, RuncrateValidationError
from ..types_jobs import Job, JobUpload, LogChunk
from ._base import AsyncResource, SyncResource, async_call, sync_call
from .jobs import Environments, JobGroups, Jobs, Schedules, Secrets

__all__ = [
    "AsyncEnvironmentsResource",
    "AsyncJobGroupsResource",
    "AsyncJobsResource",
    "AsyncSchedulesResource",
    "AsyncSecretsResource",
    "EnvironmentsResource",
    "JobGroupsResource",
    "JobsResource",
    "SchedulesResource",
    "SecretsResource",
]


def _check_wait(timeout: Any, poll_interval: Any, max_poll_interval: Any) -> None:
    check_seconds("timeout", timeout, error=RuncrateValidationError, optional=True)
    check_seconds("poll_interval", poll_interval, error=RuncrateValidationError)
    check_seconds("max_poll_interval", max_poll_interval, error=RuncrateValidationError)


# Signed URLs carry their own authorisation: they are sent through the control-plane client (its pool, total
# deadline, retries and typed errors) without the API key (``FinalRequest.credentials``). A transfer may take
# longer than an API call: these phase minimums are explicit, documented overrides; ``total`` still bounds it.
SIGNED_MIN_TIMEOUT = Timeout(connect=60.0, read=300.0, write=600.0, pool=None)


def _signed(method: str, url: str, content: bytes | None = None) -> FinalRequest:
    return FinalRequest(method, url, content=content, credentials=False, min_timeout=SIGNED_MIN_TIMEOUT)


class ArtifactsResource(SyncResource):
    """``client.jobs.artifacts``: list, url (signed, 1 h), download (bytes)."""

    list = sync_call(Jobs.list_artifacts)
    url = sync_call(Jobs.artifact_url)

    def download(self, job_id: str, path: str, *, to: str | os.PathLike[str] | None = None) -> bytes | Path:
        """One output: its bytes, or streamed into the file ``to`` (replaced), whose path is returned."""
        url = self.url(job_id, path)
        with self._client._control.stream_bytes(_signed("GET", url)) as body:
            if to is None:
                return b"".join(body.iter_bytes())
            target = Path(to)
            with target.open("wb") as file:
                for block in body.iter_bytes():
                    file.write(block)
            return target


class AsyncArtifactsResource(AsyncResource):
    """``client.jobs.artifacts`` of ``AsyncRuncrate``."""

    list = async_call(Jobs.list_artifacts)
    url = async_call(Jobs.artifact_url)

    async def download(self, job_id: str, path: str, *, to: str | os.PathLike[str] | None = None) -> bytes | Path:
        url = await self.url(job_id, path)
        async with self._client._control.stream_bytes(_signed("GET", url)) as body:
            if to is None:
                return b"".join([block async for block in body.aiter_bytes()])
            target = Path(to)
            with target.open("wb") as file:  # noqa: ASYNC230 - local disk writes between network reads
                async for block in body.aiter_bytes():
                    file.write(block)
            return target


class UploadsResource(SyncResource):
    """``client.jobs.uploads``: create, upload (create + PUT the archive to the signed URL)."""

    create = sync_call(Jobs.create_upload)

    def upload(self, source: str | os.PathLike[str] | bytes) -> JobUpload:
        """Upload code (a directory, a ``.tar.gz`` file or its bytes); run a job with
        ``code={"upload_id": upload.upload_id}``. The same archive is never sent twice."""
        archive = code_archive(source)
        ticket = self.create(bytes=len(archive), sha256=hashlib.sha256(archive).hexdigest())
        if ticket.url is not None:  # None: the platform already holds these bytes
            self._client._control.request(httpx2.Response, _signed("PUT", ticket.url, archive))
        return ticket


class AsyncUploadsResource(AsyncResource):
    """``client.jobs.uploads`` of ``AsyncRuncrate``."""

    create = async_call(Jobs.create_upload)

    async def upload(self, source: str | os.PathLike[str] | bytes) -> JobUpload:
        archive = await asyncio.to_thread(code_archive, source)
        ticket = await self.create(bytes=len(archive), sha256=hashlib.sha256(archive).hexdigest())
        if ticket.url is not None:
            await self._client._control.request(httpx2.Response, _signed("PUT", ticket.url, archive))
        return ticket


class JobsResource(SyncResource):
    """``client.jobs``: batch jobs on GPUs (environment-scoped)."""

    run = sync_call(Jobs.run)
    run_group = sync_call(Jobs.run_group)
    list = sync_call(Jobs.list)
    get = sync_call(Jobs.get)
    cancel = sync_call(Jobs.cancel)
    delete = sync_call(Jobs.delete)
    rerun = sync_call(Jobs.rerun)
    logs = sync_call(Jobs.logs)
    events = sync_call(Jobs.events)
    metrics = sync_call(Jobs.metrics)

    @cached_property
    def artifacts(self) -> ArtifactsResource:
        return ArtifactsResource(self._client)

    @cached_property
    def uploads(self) -> UploadsResource:
        return UploadsResource(self._client)

    def list_all(self, **filters: Any) -> Iterator[Job]:  # filters: those of ``list`` but limit / cursor
        """Every job matching ``filters``, newest first, following the cursor 100 at a time."""
        cursor: str | None = None
        while True:
            page = self.list(**filters, limit=100, cursor=cursor)
            yield from page
            if not page.has_more or not page.cursor:
                return
            cursor = page.cursor

    def follow_logs(self, job_id: str, after: int = 0) -> Iterator[LogChunk]:
        """Log chunks as they are written, until the job has ended and everything is read."""
        while True:
            page = self.logs(job_id, after=after, follow=True)
            yield from page.chunks
            if page.done:
                return
            if not page.chunks:
                time.sleep(1.0)
            after = page.cursor

    def wait(
        self, job_id: str, *, timeout: float | None = None, poll_interval: float = 2.0, max_poll_interval: float = 30.0
    ) -> Job:
        """Poll until the job ends (the gap doubles from ``poll_interval`` to ``max_poll_interval``);
        ``JobWaitTimeoutError`` (with ``.job``) after ``timeout`` seconds."""
        _check_wait(timeout, poll_interval, max_poll_interval)
        deadline = None if timeout is None else time.monotonic() + timeout
        gap = poll_interval
        while True:
            job = self.get(job_id)
            if job.done:
                return job
            if deadline is not None and time.monotonic() + gap > deadline:
                raise JobWaitTimeoutError(f"job {job_id} still {job.status} after {timeout}s", job)
            time.sleep(gap)
            gap = min(gap * 2, max_poll_interval)


class AsyncJobsResource(AsyncResource):
    """``client.jobs`` of ``AsyncRuncrate``."""

    run = async_call(Jobs.run)
    run_group = async_call(Jobs.run_group)
    list = async_call(Jobs.list)
    get = async_call(Jobs.get)
    cancel = async_call(Jobs.cancel)
    delete = async_call(Jobs.delete)
    rerun = async_call(Jobs.rerun)
    logs = async_call(Jobs.logs)
    events = async_call(Jobs.events)
    metrics = async_call(Jobs.metrics)

    @cached_property
    def artifacts(self) -> AsyncArtifactsResource:
        return AsyncArtifactsResource(self._client)

    @cached_property
    def uploads(self) -> AsyncUploadsResource:
        return AsyncUploadsResource(self._client)

    async def list_all(self, **filters: Any) -> AsyncIterator[Job]:
        cursor: str | None = None
        while True:
            page = await self.list(**filters, limit=100, cursor=cursor)
            for job in page:
                yield job
            if not page.has_more or not page.cursor:
                return
            cursor = page.cursor

    async def follow_logs(self, job_id: str, after: int = 0) -> AsyncIterator[LogChunk]:
        while True:
            page = await self.logs(job_id, after=after, follow=True)
            for chunk in page.chunks:
                yield chunk
            if page.done:
                return
            if not page.chunks:
                await asyncio.sleep(1.0)
            after = page.cursor

    async def wait(
        self, job_id: str, *, timeout: float | None = None, poll_interval: float = 2.0, max_poll_interval: float = 30.0
    ) -> Job:
        _check_wait(timeout, poll_interval, max_poll_interval)
        deadline = None if timeout is None else time.monotonic() + timeout
        gap = poll_interval
        while True:
            job = await self.get(job_id)
            if job.done:
                return job
            if deadline is not None and time.monotonic() + gap > deadline:
                raise JobWaitTimeoutError(f"job {job_id} still {job.status} after {timeout}s", job)
            await asyncio.sleep(gap)
            gap = min(gap * 2, max_poll_interval)


class JobGroupsResource(SyncResource):
    """``client.job_groups``."""

    get = sync_call(JobGroups.get)
    cancel = sync_call(JobGroups.cancel)


class AsyncJobGroupsResource(AsyncResource):
    """``client.job_groups`` of ``AsyncRuncrate``."""

    get = async_call(JobGroups.get)
    cancel = async_call(JobGroups.cancel)


class SchedulesResource(SyncResource):
    """``client.schedules`` (environment-scoped)."""

    create = sync_call(Schedules.create)
    list = sync_call(Schedules.list)
    get = sync_call(Schedules.get)
    update = sync_call(Schedules.update)
    delete = sync_call(Schedules.delete)
    run_now = sync_call(Schedules.run_now)


class AsyncSchedulesResource(AsyncResource):
    """``client.schedules`` of ``AsyncRuncrate``."""

    create = async_call(Schedules.create)
    list = async_call(Schedules.list)
    get = async_call(Schedules.get)
    update = async_call(Schedules.update)
    delete = async_call(Schedules.delete)
    run_now = async_call(Schedules.run_now)


class EnvironmentsResource(SyncResource):
    """``client.environments`` (workspace-wide)."""

    list = sync_call(Environments.list)
    create = sync_call(Environments.create)
    get = sync_call(Environments.get)
    update = sync_call(Environments.update)
    delete = sync_call(Environments.delete)


class AsyncEnvironmentsResource(AsyncResource):
    """``client.environments`` of ``AsyncRuncrate``."""

    list = async_call(Environments.list)
    create = async_call(Environments.create)
    get = async_call(Environments.get)
    update = async_call(Environments.update)
    delete = async_call(Environments.delete)


class SecretsResource(SyncResource):
    """``client.secrets`` (names only)."""

    list = sync_call(Secrets.list)


class AsyncSecretsResource(AsyncResource):
    """``client.secrets`` of ``AsyncRuncrate``."""

    list = async_call(Secrets.list)
