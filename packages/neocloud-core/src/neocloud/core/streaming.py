"""Server-sent-event streams: framing by httpx-sse, meaning (``[DONE]``, error frames) by ``classify``.

httpx-sse rather than httpx2's own ``EventSource``: decoding a loopback stream of 5,000 chat chunks over httpx2,
httpx-sse took 45 µs per event against 54 µs (best of 7, a loaded 2-core machine), and 9-10 µs against 15-19 µs
from memory, sync and async. It works on either library's response; its ``SSEError`` is an ``httpx`` error, which
is why ``httpx`` is loaded once a stream is read.

``classify`` is a pure function over one decoded event, so the protocol rules are table-tested apart
from any I/O. ``Stream`` / ``AsyncStream`` own the HTTP response: they close it on every exit path
(exhaustion, ``break``, an exception, ``close()``, garbage collection) and, after ``[DONE]``, read the
few remaining bytes so the connection goes back to the pool instead of being torn down
(openai-python#3440 is the bug this avoids).

A stream with a deadline (the call's ``total`` timeout) ends when it passes, also in the middle of a read:
httpx fixes a read's timeout when the request is sent, so a read that starts just before the deadline could
otherwise wait a whole read timeout beyond it. Async reads are awaited with the time left; a sync read is
ended by shutting the socket down when the deadline passes (``_reading.Watchdog``; non-streamed body reads use it too).
Either way the stream raises
``APITimeoutError``. (A sync stream over a transport without a socket, such as ``httpx.MockTransport``, is
checked between events only.)

Per event the loop does as little as it can: the deadline check inline, then ``_item``, whose hot path validates
the raw JSON once with the model's pydantic-core validator (``_fastjson``); between the socket and the loop is one
splitter (``_reading.sse_events``: whole data frames skip the SSE decoders; it enforces the size cap below).

One line or event may hold at most ``max_event_chars`` characters (the profile's ``max_event_bytes``): a frame that
never ends is refused with ``StreamFormatError`` instead of being buffered until memory runs out.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

import httpx2

from ._fastjson import validator_of_method
from ._http import errors
from ._reading import Watchdog, asse_events, sse_events
from .errors import APIStatusError, APITimeoutError, StreamError, StreamFormatError

if TYPE_CHECKING:
    from httpx_sse import ServerSentEvent

__all__ = ["AsyncStream", "Frame", "Stream", "Watchdog", "classify"]

_T = TypeVar("_T")
# After [DONE] only a blank line and the chunked terminator should follow; stop draining past this.
_MAX_DRAIN_EVENTS = 8
_DONE: Any = object()
_SKIP: Any = object()


@dataclass(frozen=True, slots=True)
class Frame:
    """The meaning of one SSE event: data to yield, the end marker, an in-band error, or nothing."""

    kind: Literal["data", "done", "error", "skip"]
    payload: Any = None


def classify(event: str | None, data: str) -> Frame:
    """Interpret one decoded SSE event (pure). Raises ``StreamError`` on a frame that is not JSON."""
    if data.startswith("[DONE]"):
        return Frame("done")
    if not data.strip():
        return Frame("skip")
    try:
        payload = json.loads(data)
    except ValueError as exc:
        raise StreamFormatError(f"malformed stream frame (not JSON): {data[:120]!r}") from exc
    if event == "error":
        return Frame("error", payload if isinstance(payload, dict) else {"error": {"message": str(payload)}})
    if isinstance(payload, dict) and payload.get("error"):
        return Frame("error", payload)
    return Frame("data", payload)


def _invalid_json(exc: ValueError) -> str | None:
    """The parser's message when ``exc`` is pydantic's "this is not JSON" (from validating a raw frame)."""
    errors = getattr(exc, "errors", None)
    try:
        found = [e for e in errors() if e.get("type") == "json_invalid"] if callable(errors) else []
    except TypeError:
        return None
    return str(found[0].get("msg", "invalid JSON")) if found else None


ErrorFactory = Callable[[Mapping[str, Any], httpx2.Response], APIStatusError]


class _StreamBase(Generic[_T]):
    def __init__(
        self,
        response: httpx2.Response,
        parse: Callable[[Any], _T],
        make_error: ErrorFactory,
        *,
        require_done: bool = True,
        deadline: float | None = None,
        parse_json: Callable[[str], _T] | None = None,
        max_event_chars: int = 16 * 1024 * 1024,
        finish: Callable[[BaseException, httpx2.Response], None] | None = None,
    ) -> None:
        self.response = response
        self._max_event_chars = max_event_chars
        self._finish = finish
        self._parse = parse
        self._parse_json = validator_of_method(parse_json)
        self._make_error = make_error
        self._require_done = require_done
        self._deadline = deadline
        self._finished = False
        # Called with each item before it is yielded (the meter's pricing of the chunk that carries usage): a
        # hook instead of a generator around the stream saves every chunk one generator step. Read when
        # iteration starts.
        self.on_item: Callable[[Any], None] | None = None

    @property
    def request_id(self) -> str | None:
        value: str | None = self.response.headers.get("x-request-id")
        return value

    def _deadline_passed(self) -> APITimeoutError:
        return APITimeoutError("stream exceeded the total deadline", request=self.response.request)

    # The hot path (nearly every frame): a message that starts with "{" and does not mention an "error" key has
    # its raw JSON validated once, in pydantic-core, instead of json.loads + validate; about half the per-chunk
    # cost. Any other frame (one that mentions "error" may be an in-band error; a false positive only costs speed)
    # takes the general path through ``classify``.
    def _item(self, sse: ServerSentEvent | str) -> Any:
        """One event (a str: a data-only message's data, ``_reading.sse_events``' fast path) → a parsed item,
        ``_DONE`` or ``_SKIP``; raises the typed error of an in-band error frame."""
        fast = self._parse_json
        if type(sse) is str:
            if fast is not None and sse[:1] == "{" and '"error"' not in sse:
                return fast(sse)
            frame = classify(None, sse)
        else:
            data, event = sse.data, sse.event  # type: ignore[union-attr]
            if fast is not None and event == "message" and data[:1] == "{" and '"error"' not in data:
                return fast(data)
            frame = classify(event if event != "message" else None, data)
        if frame.kind == "data":
            return self._parse(frame.payload)
        if frame.kind == "error":
            raise self._make_error(frame.payload, self.response)
        return _DONE if frame.kind == "done" else _SKIP

    def _failed(self, exc: BaseException) -> None:
        # Every error leaving the stream passes the client's one exit (labelled, credentials masked).
        if self._finish is not None and not isinstance(exc, GeneratorExit):
            self._finish(exc, self.response)

    def _check_size(self, size: int) -> None:
        if size > self._max_event_chars:
            raise StreamFormatError(
                f"a stream event is longer than {self._max_event_chars} characters; refused rather than buffered",
                request=self.response.request,
            )

    def _translate(self, exc: Exception) -> Exception:
        """Map transport failures mid-stream to our tree: a truncated stream is an error, never an end."""
        from httpx_sse import SSEError

        req = self.response.request
        if isinstance(exc, SSEError):  # (an httpx.TransportError subclass, so test it first)
            ctype = self.response.headers.get("content-type", "")
            return StreamError(f"expected an event stream, got content-type {ctype!r}", request=req)
        if isinstance(exc, errors("DecodingError")):  # the body does not follow its Content-Encoding
            return StreamFormatError(f"stream cannot be decoded: {exc.__class__.__name__}", request=req)
        if isinstance(exc, errors("TimeoutException")):
            return APITimeoutError("stream stalled: no data within the read timeout", request=req)
        if isinstance(exc, errors("TransportError", "StreamError")):
            return StreamError(f"stream broke before it finished: {exc.__class__.__name__}", request=req)
        if isinstance(exc, ValueError) and (reason := _invalid_json(exc)):  # (the hot path validates raw JSON)
            return StreamFormatError(f"malformed stream frame (not JSON): {reason}", request=req)
        if isinstance(exc, ValueError):  # a chunk that does not match the documented shape
            return StreamFormatError(f"malformed stream chunk: {str(exc).splitlines()[0]}", request=req)
        return exc

    def _truncated(self) -> StreamError:
        return StreamError(
            "stream ended without its [DONE] marker: the answer may be truncated",
            request=self.response.request,
        )


class _SyncReader(_StreamBase[_T]):
    """The generator behind a ``Stream``. It holds no reference to the ``Stream`` itself, so a stream its consumer
    drops is freed at once (no reference cycle to wait on) and its connection goes back to the pool."""

    def _iter(self) -> Generator[_T, None, None]:
        try:
            yield from self._read()
        except BaseException as exc:
            self._failed(exc)
            raise

    def _read(self) -> Generator[_T, None, None]:
        events = sse_events(self.response, self._check_size)
        deadline, observe = self._deadline, self.on_item
        watchdog = None if deadline is None else Watchdog(self.response, deadline)
        try:
            done = False
            try:
                for sse in events:
                    if deadline is not None and time.monotonic() > deadline:
                        raise self._deadline_passed()
                    item = self._item(sse)
                    if item is _SKIP:
                        continue
                    if item is _DONE:
                        done = True
                        break
                    if observe is not None:
                        observe(item)
                    yield item
            except errors("HTTPError", "StreamError", "ValueError") as exc:
                if watchdog is not None and watchdog.expired:
                    raise self._deadline_passed() from exc
                translated = self._translate(exc)
                if translated is exc:
                    raise
                raise translated from exc
            if watchdog is not None and watchdog.expired and not done:
                raise self._deadline_passed()  # the shut-down socket looked like an orderly end
            if done:
                self._drain(events)
            elif self._require_done:
                raise self._truncated()
            self._finished = True
        finally:
            if watchdog is not None:
                watchdog.stop()
            self.response.close()

    def _drain(self, events: Iterator[ServerSentEvent | str]) -> None:
        try:
            for count, _ in enumerate(events):
                if count >= _MAX_DRAIN_EVENTS:
                    break
        except errors("HTTPError"):
            pass  # The answer is complete; a failure here only costs the pooled connection.


class Stream(_StreamBase[_T]):
    """A synchronous stream of parsed chunks; iterate it, or use it as a context manager."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reader = _SyncReader[_T](*args, **kwargs)
        self._iterator: Generator[_T, None, None] = self._reader._iter()

    def __iter__(self) -> Iterator[_T]:
        # A generator that holds the stream: iterating keeps it alive (``for c in client.create(...)`` keeps no
        # other reference), and when the consumer drops both, both are freed at once and the connection returns.
        yield from self._iterator

    def __del__(self) -> None:
        # A stream dropped without being read to the end or closed (the consumer broke out and forgot it)
        # must still give its connection back to the pool.
        response = getattr(self, "response", None)
        if response is not None and not response.is_closed:
            response.close()

    def __next__(self) -> _T:
        return next(self._iterator)

    def close(self) -> None:
        """Stop early and release the connection."""
        self._iterator.close()
        self.response.close()

    def __enter__(self) -> Stream[_T]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _AsyncReader(_StreamBase[_T]):
    """The async generator behind an ``AsyncStream`` (no reference back to it, as for ``_SyncReader``)."""

    async def _iter(self) -> AsyncGenerator[_T, None]:
        # One async generator, not a wrapper around a reader: each layer costs every chunk an extra ``asend``.
        events = asse_events(self.response, self._check_size)
        deadline, observe = self._deadline, self.on_item
        following = events.__anext__
        if deadline is not None:
            import asyncio

        try:
            done = False
            try:
                while True:
                    try:
                        if deadline is None:
                            sse = await following()
                        else:
                            # Each read is awaited with only the time left before the deadline.
                            left = deadline - time.monotonic()
                            if left <= 0:
                                raise self._deadline_passed()
                            try:
                                sse = await asyncio.wait_for(following(), left)
                            except asyncio.TimeoutError:
                                raise self._deadline_passed() from None
                    except StopAsyncIteration:
                        break
                    item = self._item(sse)
                    if item is _SKIP:
                        continue
                    if item is _DONE:
                        done = True
                        break
                    if observe is not None:
                        observe(item)
                    yield item
            except errors("HTTPError", "StreamError", "ValueError") as exc:
                translated = self._translate(exc)
                if translated is exc:
                    raise
                raise translated from exc
            if done:
                try:
                    count = 0
                    async for _ in events:
                        count += 1
                        if count >= _MAX_DRAIN_EVENTS:
                            break
                except errors("HTTPError"):
                    pass  # The answer is complete; a failure here only costs the pooled connection.
            elif self._require_done:
                raise self._truncated()
            self._finished = True
        except BaseException as exc:
            self._failed(exc)
            raise
        finally:
            await events.aclose()
            await self.response.aclose()


class AsyncStream(_StreamBase[_T]):
    """An asynchronous stream of parsed chunks; ``async for`` it, or use it as an async context manager."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reader = _AsyncReader[_T](*args, **kwargs)
        self._aiterator: AsyncGenerator[_T, None] = self._reader._iter()

    def __aiter__(self) -> AsyncStream[_T]:
        # The stream is its own iterator, so iterating keeps it alive (as ``Stream.__iter__``) without a second
        # async generator around the reader.
        return self

    def __anext__(self) -> Awaitable[_T]:
        return self._aiterator.__anext__()

    async def close(self) -> None:
        """Stop early and release the connection."""
        await self._aiterator.aclose()
        await self.response.aclose()

    async def __aenter__(self) -> AsyncStream[_T]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
