"""``Client`` and ``AsyncClient``: MetalCloud's documented Python surface on the neocloud core.

Wire layout (MetalCloud documents only the Python surface; the paths are this project's documented
choice, shared with the sandbox): ``POST /v1/inference``, ``GET /v1/models``, ``GET /v1/jobs/{id}``,
``GET /v1/jobs?limit=&status=&after=``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

import httpx2
from pydantic import SecretStr

from neocloud.core._base import ClientProfile, FinalRequest
from neocloud.core._client import AsyncAPIClient, SyncAPIClient
from neocloud.core._types import Timeout, TimeoutTypes, coerce_timeout
from neocloud.core.paths import build
from neocloud.core.streaming import AsyncStream, Stream
from neocloud.core.validation import validated_body

from . import exceptions as exc
from .types import InferenceChunk, InferenceRequest, InferenceResponse, Job, JobList, JobStatus, ModelList

if TYPE_CHECKING:
    import httpx

__all__ = ["PROFILE", "AsyncClient", "Client"]

PROFILE = ClientProfile(
    provider="metalcloud",
    label="MetalCloud",
    distribution="neocloud-metalcloud",
    default_base_url="https://api.metalcloud.space",
    api_key_env="METALCLOUD_API_KEY",
    base_url_env="METALCLOUD_BASE_URL",
    # MetalCloud documents a single 300 s timeout.
    default_timeout=Timeout(connect=10.0, read=300.0, write=300.0, pool=300.0),
    error_classes={401: exc.AuthenticationError, 402: exc.InsufficientCreditsError, 429: exc.RateLimitError},
    error_codes={"model_not_found": exc.ModelNotFoundError, "job_not_found": exc.JobNotFoundError},
    # A stream that fails mid-way sends an error frame and closes; a clean one ends with [DONE].
    stream_requires_done=True,
    local_error=exc.LocalBadRequestError,
)

_STATUSES = ("pending", "running", "completed", "failed")


def _inference_request(fields: Mapping[str, Any]) -> FinalRequest:
    body = {k: v for k, v in fields.items() if v is not None}
    if isinstance(body.get("messages"), (list, tuple)):
        body["messages"] = list(body["messages"])
    body = validated_body(InferenceRequest, body, what="inference", error=exc.LocalBadRequestError)
    # Inference creates nothing billable twice by itself, but the job id makes it a create: retry only
    # where the server cannot have acted (the core's rule for non-idempotent requests).
    return FinalRequest("POST", "/v1/inference", json=body, idempotent=False)


def _job_request(job_id: str) -> FinalRequest:
    return FinalRequest("GET", build("/v1/jobs/{job_id}", job_id=job_id, error=exc.LocalBadRequestError))


def _jobs_request(limit: int, status: str | None, after: str | None) -> FinalRequest:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100:
        raise exc.LocalBadRequestError(
            f"list_jobs: 'limit' must be an integer from 1 to 100, got {limit!r}", param="limit", allowed="1..100"
        )
    if status is not None and status not in _STATUSES:
        raise exc.LocalBadRequestError(
            f"list_jobs: 'status' must be one of {', '.join(_STATUSES)}; got {status!r}",
            param="status",
            allowed=", ".join(_STATUSES),
        )
    return FinalRequest("GET", "/v1/jobs", params={"limit": limit, "status": status, "after": after})


def _timeout(timeout: TimeoutTypes) -> Any:
    # The doc's timeout is one number of seconds for the whole request; a neocloud Timeout or an httpx.Timeout is
    # taken as it is (as every client accepts).
    if timeout is not None and not isinstance(timeout, (int, float)):
        return {"timeout": coerce_timeout(timeout, PROFILE.default_timeout)}
    return (
        {}
        if timeout is None
        else {"timeout": Timeout(connect=min(10.0, timeout), read=timeout, write=timeout, pool=timeout, total=timeout)}
    )


class Client(SyncAPIClient):
    """MetalCloud client: ``inference``, ``list_models``, ``get_job``, ``list_jobs``.

    ``api_key`` defaults to ``METALCLOUD_API_KEY``; ``base_url`` to ``METALCLOUD_BASE_URL`` or
    ``https://api.metalcloud.space``; ``timeout`` is in seconds (default 300). ``ledger=`` / ``budget=`` /
    ``run_id=`` / ``prices=`` / ``unpriced=`` reserve and record each inference (``neocloud.core.pricing.Meter``).
    """

    profile = PROFILE

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = None,
        *,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx2.Client | httpx.Client | None = None,
        ledger: Any = None,
        budget: Any = None,
        run_id: str | None = None,
        prices: Any = None,
        unpriced: str = "refuse",
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client=http_client,
            ledger=ledger,
            budget=budget,
            run_id=run_id,
            prices=prices,
            unpriced=unpriced,
            **_timeout(timeout),
        )

    @overload
    def inference(
        self,
        model: str,
        prompt: str | None = None,
        messages: list[dict[str, str]] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        stream: Literal[False] = False,
        stop: list[str] | None = None,
    ) -> InferenceResponse: ...
    @overload
    def inference(
        self,
        model: str,
        prompt: str | None = None,
        messages: list[dict[str, str]] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        *,
        stream: Literal[True],
        stop: list[str] | None = None,
    ) -> Stream[InferenceChunk]: ...
    def inference(
        self,
        model: str,
        prompt: str | None = None,
        messages: list[dict[str, str]] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        stream: bool = False,
        stop: list[str] | None = None,
    ) -> InferenceResponse | Stream[InferenceChunk]:
        """Run inference with ``prompt`` or ``messages`` (exactly one). Server defaults: max_tokens 256,
        temperature 1.0, top_p 1.0. With ``stream=True`` returns a stream of chunks with ``.text``."""
        req = _inference_request(
            {
                "model": model,
                "prompt": prompt,
                "messages": messages,
                "max_tokens": max_tokens,
                "temperature": temperature,
                "top_p": top_p,
                "stream": True if stream else None,
                "stop": stop,
            }
        )
        # Metered as a chat call: the body's prompt / messages and max_tokens bound its cost (see Meter).
        if stream:
            return self.meter.stream(  # type: ignore[no-any-return]
                "chat", req.json, lambda: self.request_stream(
                    InferenceChunk.model_validate, req, parse_json=InferenceChunk.model_validate_json)
            )  # fmt: skip
        return self.meter.call("chat", req.json, lambda: self.request(InferenceResponse, req))  # type: ignore[no-any-return]

    def list_models(self) -> ModelList:
        """Every available model (iterate the result); each has ``id`` and ``parameters`` (billions)."""
        return self.request(ModelList, FinalRequest("GET", "/v1/models"))

    def get_job(self, job_id: str) -> Job:
        """A job's ``status`` and, once completed, its ``result``."""
        return self.request(Job, _job_request(job_id))

    def list_jobs(self, limit: int = 10, status: JobStatus | None = None, after: str | None = None) -> JobList:
        """Recent jobs, newest first (iterate the result); ``after`` continues from a job id."""
        return self.request(JobList, _jobs_request(limit, status, after))

    def iter_jobs(self, status: JobStatus | None = None, page_size: int = 100) -> Iterator[Job]:
        """Every job, following ``has_more`` pages."""
        after: str | None = None
        while True:
            page = self.list_jobs(limit=page_size, status=status, after=after)
            yield from page.data
            if not page.has_more or not page.data:
                return
            after = page.data[-1].id


class AsyncClient(AsyncAPIClient):
    """Async twin of ``Client``: the same methods, awaited (streams are ``async for``)."""

    profile = PROFILE

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = None,
        *,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx2.AsyncClient | httpx.AsyncClient | None = None,
        ledger: Any = None,
        budget: Any = None,
        run_id: str | None = None,
        prices: Any = None,
        unpriced: str = "refuse",
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            max_retries=max_retries,
            default_headers=default_headers,
            http_client=http_client,
            ledger=ledger,
            budget=budget,
            run_id=run_id,
            prices=prices,
            unpriced=unpriced,
            **_timeout(timeout),
        )

    @overload
    async def inference(
        self,
        model: str,
        prompt: str | None = None,
        messages: list[dict[str, str]] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        stream: Literal[False] = False,
        stop: list[str] | None = None,
    ) -> InferenceResponse: ...
    @overload
    async def inference(
        self,
        model: str,
        prompt: str | None = None,
        messages: list[dict[str, str]] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        *,
        stream: Literal[True],
        stop: list[str] | None = None,
    ) -> AsyncStream[InferenceChunk]: ...
    async def inference(
        self,
        model: str,
        prompt: str | None = None,
        messages: list[dict[str, str]] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        stream: bool = False,
        stop: list[str] | None = None,
    ) -> InferenceResponse | AsyncStream[InferenceChunk]:
        """Run inference with ``prompt`` or ``messages`` (exactly one); see ``Client.inference``."""
        req = _inference_request(
            {
                "model": model,
                "prompt": prompt,
                "messages": messages,
                "max_tokens": max_tokens,
                "temperature": temperature,
                "top_p": top_p,
                "stream": True if stream else None,
                "stop": stop,
            }
        )
        if stream:
            return await self.meter.astream(  # type: ignore[no-any-return]
                "chat", req.json, lambda: self.request_stream(
                    InferenceChunk.model_validate, req, parse_json=InferenceChunk.model_validate_json)
            )  # fmt: skip
        return await self.meter.acall("chat", req.json, lambda: self.request(InferenceResponse, req))  # type: ignore[no-any-return]

    async def list_models(self) -> ModelList:
        """Every available model."""
        return await self.request(ModelList, FinalRequest("GET", "/v1/models"))

    async def get_job(self, job_id: str) -> Job:
        """A job's ``status`` and, once completed, its ``result``."""
        return await self.request(Job, _job_request(job_id))

    async def list_jobs(self, limit: int = 10, status: JobStatus | None = None, after: str | None = None) -> JobList:
        """Recent jobs, newest first; ``after`` continues from a job id."""
        return await self.request(JobList, _jobs_request(limit, status, after))

    async def iter_jobs(self, status: JobStatus | None = None, page_size: int = 100) -> AsyncIterator[Job]:
        """Every job, following ``has_more`` pages."""
        after: str | None = None
        while True:
            page = await self.list_jobs(limit=page_size, status=status, after=after)
            for job in page.data:
                yield job
            if not page.has_more or not page.data:
                return
            after = page.data[-1].id
