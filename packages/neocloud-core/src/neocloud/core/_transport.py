"""The per-exchange policy of the API clients: bounded body reads, the per-call retry bookkeeping (``Attempts``),
typed errors for transport failures, and request logging. The clients and pools are in ``_pools``; the request
loops in ``_client`` and ``_async_client``."""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx2

from ._base import BaseAPIClient, FinalRequest
from ._http import errors
from ._reading import Watchdog
from .errors import APIConnectionError, APIError, APIResponseValidationError, APITimeoutError
from .retry import RetryDecision, decide_retry

__all__ = [
    "SEND_ERRORS",
    "Attempts",
    "aread_bounded",
    "follow_redirects",
    "log_retry",
    "read_bounded",
    "retry_of",
]

log = logging.getLogger("neocloud.core")


def SEND_ERRORS() -> tuple[type[Exception], ...]:
    """What sending can raise without a usable response, from ``httpx`` and ``httpx2``: transport failures, a
    redirect loop, a redirect to an unusable URL."""
    return errors("TransportError", "TooManyRedirects", "InvalidURL")


def _too_large(response: httpx2.Response, limit: int) -> APIResponseValidationError:
    return APIResponseValidationError(
        f"the response body is larger than {limit} bytes; refused rather than read into memory",
        request=response.request,
    )


def _declared_over(response: httpx2.Response, limit: int) -> bool:
    declared = response.headers.get("content-length", "")
    return declared.isdigit() and int(declared) > limit


# httpx2 (and httpx) read a body whole; these stop at ``limit`` bytes (an oversized or endless body cannot exhaust
# memory) and then hand the bytes to the response as if it had read them itself.
def read_bounded(response: httpx2.Response, limit: int) -> None:
    if _declared_over(response, limit):
        response.close()
        raise _too_large(response, limit)
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            response.close()
            raise _too_large(response, limit)
        chunks.append(chunk)
    response._content = b"".join(chunks)


async def aread_bounded(response: httpx2.Response, limit: int) -> None:
    if _declared_over(response, limit):
        await response.aclose()
        raise _too_large(response, limit)
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            await response.aclose()
            raise _too_large(response, limit)
        chunks.append(chunk)
    response._content = b"".join(chunks)


def follow_redirects(http: httpx2.Client | httpx2.AsyncClient, req: FinalRequest) -> bool:
    return http.follow_redirects if req.follow_redirects is None else req.follow_redirects


def retry_of(exc: BaseException) -> RetryDecision | None:
    decision = getattr(exc, "_neocloud_retry", None)
    return decision if isinstance(decision, RetryDecision) and decision.retry else None


def log_response(provider: str, request: httpx2.Request, response: httpx2.Response, request_id: str | None) -> None:
    """One INFO line per HTTP exchange (what the official SDKs print with ``<PROVIDER>_LOG=info``): method, path
    and status only; never headers, query or bodies, so never a key."""
    rid = f" (request id {request_id})" if request_id else ""
    log.info("%s %s %s -> %d%s", provider, request.method, request.url.path, response.status_code, rid)


def log_retry(provider: str, req: FinalRequest, attempt: int, exc: BaseException, delay: float) -> None:
    log.info(
        "%s %s %s failed (%s); retry %d in %.2fs",
        provider,
        req.method,
        req.path,
        getattr(exc, "status_code", type(exc).__name__),
        attempt + 1,
        delay,
    )


def retrying_options(provider: str, req: FinalRequest, sleep: Any) -> dict[str, Any]:
    """The tenacity options of both request loops (``Retrying`` / ``AsyncRetrying``): every decision is the one the
    pure ``decide_retry`` attached to the error (it counts attempts and watches the deadline)."""
    from tenacity import retry_if_exception, stop_never

    def delay(state: Any) -> float:
        return retry_of(state.outcome.exception()).delay  # type: ignore[union-attr]

    def before_sleep(state: Any) -> None:
        log_retry(provider, req, state.attempt_number, state.outcome.exception(), delay(state))

    return {"stop": stop_never, "retry": retry_if_exception(lambda e: retry_of(e) is not None), "wait": delay,
            "before_sleep": before_sleep, "sleep": sleep, "reraise": True}  # fmt: skip


class Attempts:
    """Shared per-call bookkeeping: deadline, decisions, error construction for transport failures."""

    def __init__(self, client: BaseAPIClient, req: FinalRequest) -> None:
        self.client = client
        self.req = req
        self.deadline = client._deadline(req)
        self.max_retries = client.max_retries if req.max_retries is None else req.max_retries

    def remaining(self) -> float | None:
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise APITimeoutError("the total deadline passed before the call could complete")
        return left

    def passed(self) -> bool:
        """Whether the total deadline has passed (never, without one)."""
        return self.deadline is not None and time.monotonic() >= self.deadline

    def decide(self, attempt: int, **kwargs: Any) -> RetryDecision:
        import random

        remaining = None if self.deadline is None else self.deadline - time.monotonic()
        return decide_retry(
            attempt=attempt,
            max_retries=self.max_retries,
            idempotent=self.req.idempotent or bool(self.req.idempotency_key),
            now=time.time(),
            jitter=random.random(),
            remaining=remaining,
            backoff=self.client.retry_backoff,
            **kwargs,
        )

    def transport_error(self, exc: Exception, request: httpx2.Request, attempt: int,
                        response: httpx2.Response | None = None) -> APIError:  # fmt: skip
        """The typed error for a failure with no usable response (``httpx`` or ``httpx2``), with its retry decision.
        ``response``: the answer whose body the failure cut short (its request id is kept)."""
        never_opened = isinstance(exc, errors("ConnectError", "ConnectTimeout", "PoolTimeout"))
        host = request.url.host or str(request.url)
        reason = _reason_of(exc)
        request_id = None if response is None else self.client._request_id(response)
        err: APIError
        if isinstance(exc, errors("TimeoutException")):
            err = APITimeoutError(f"no answer from {host} in time ({reason})", request=request,
                                  idempotency_key=self.req.idempotency_key, request_id=request_id)  # fmt: skip
        elif response is not None:
            err = APIConnectionError(f"the answer from {host} was cut off: {reason}", request=request,
                                     idempotency_key=self.req.idempotency_key, request_id=request_id)  # fmt: skip
        else:
            err = APIConnectionError(f"could not connect to {host}: {reason}", request=request,
                                     idempotency_key=self.req.idempotency_key)  # fmt: skip
        if isinstance(exc, errors("TransportError")):
            err._neocloud_retry = self.decide(attempt, status=None, connection_opened=not never_opened)  # type: ignore[attr-defined]
        return err  # a redirect loop or an invalid redirect target: repeating cannot help

    def deadline_error(self, request: httpx2.Request, response: httpx2.Response | None = None) -> APITimeoutError:
        total = self.client._timeout(self.req).total
        message = f"the total deadline of {total or 0:g} s passed while reading the answer from {request.url.host}"
        request_id = None if response is None else self.client._request_id(response)
        return APITimeoutError(message, request=request, idempotency_key=self.req.idempotency_key,
                               request_id=request_id)  # fmt: skip

    def cut_short(self, exc: Exception, response: httpx2.Response, attempt: int, *, expired: bool = False) -> APIError:
        """The typed error for a transport failure while reading ``response``'s body: the deadline's when it has
        passed (or a watchdog ended the read, ``expired``), else the failure's, with the request id."""
        if expired or self.passed():
            return self.deadline_error(response.request, response)
        return self.transport_error(exc, response.request, attempt, response)

    def undecodable(self, response: httpx2.Response, exc: Exception) -> APIResponseValidationError:
        encoding = response.headers.get("content-encoding", "")
        return APIResponseValidationError(
            f"the body cannot be decoded as its Content-Encoding {encoding!r} says ({_reason_of(exc)})",
            request=response.request, idempotency_key=self.req.idempotency_key,
            request_id=self.client._request_id(response),
        )  # fmt: skip

    def read(self, response: httpx2.Response, request: httpx2.Request, attempt: int, *, bounded: bool = False) -> None:
        """Read the whole body within the size limit and the total deadline: a body dripped byte by byte cannot
        outlive the deadline. ``bounded``: each socket read already stops at the deadline (``_deadline_io``);
        otherwise the socket is shut down when it passes, as for a stream (``_reading.Watchdog``)."""
        watchdog = None if self.deadline is None or bounded else Watchdog(response, self.deadline)
        try:
            read_bounded(response, self.client.max_response_bytes)
        except errors("DecodingError") as exc:
            self._undecodable_body(response, exc)
        except errors("TransportError") as exc:
            raise self.cut_short(exc, response, attempt, expired=watchdog is not None and watchdog.expired) from exc
        finally:
            if watchdog is not None:
                watchdog.stop()
            response.close()
        if watchdog is not None and watchdog.expired:
            raise self.deadline_error(request, response)  # the shut-down socket looked like the end of the body

    async def aread(self, response: httpx2.Response, request: httpx2.Request, attempt: int) -> None:
        """Async twin of ``read``: the read is awaited with only the time left before the deadline."""
        import asyncio

        try:
            if self.deadline is None:
                await aread_bounded(response, self.client.max_response_bytes)
            else:
                await asyncio.wait_for(aread_bounded(response, self.client.max_response_bytes),
                                       max(self.deadline - time.monotonic(), 0.0))  # fmt: skip
        except asyncio.TimeoutError as exc:
            raise self.deadline_error(request, response) from exc
        except errors("DecodingError") as exc:
            self._undecodable_body(response, exc)
        except errors("TransportError") as exc:
            raise self.cut_short(exc, response, attempt) from exc
        finally:
            await response.aclose()

    def _undecodable_body(self, response: httpx2.Response, exc: Exception) -> None:
        if response.status_code < 400:
            raise self.undecodable(response, exc) from exc
        response._content = b""  # an error status is still that error; its body is just unreadable

    def status_error(self, response: httpx2.Response, attempt: int) -> APIError:
        err = self.client._make_status_error(response, self.req)
        profile = self.client.profile
        if err.code in profile.never_retry_codes:
            err._neocloud_retry = RetryDecision(False, reason=f"error code {err.code} is never retried")  # type: ignore[attr-defined]
        else:
            err._neocloud_retry = self.decide(  # type: ignore[attr-defined]
                attempt, status=response.status_code, headers=response.headers,
                conflict_retry_reason=profile.conflict_retry_reason, conflict_reason=_reason(err),
                keyed=bool(self.req.idempotency_key),
            )  # fmt: skip
        return err


def _reason_of(exc: BaseException) -> str:
    # The exception's own words (host and port at most: httpx never puts headers in them), or its class name.
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{text} ({type(exc).__name__})" if text else type(exc).__name__


def _reason(err: APIError) -> object:
    details = getattr(err, "details", None)
    return details.get("reason") if isinstance(details, dict) else None
