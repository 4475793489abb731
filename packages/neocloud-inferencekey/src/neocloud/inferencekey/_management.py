"""``ManagementClient`` / ``AsyncManagementClient``: the control plane (``ik_sdk_`` token, one project).

``ensure`` is idempotent: list → create (with an ``Idempotency-Key`` derived from project, slug and spec,
so concurrent ensures of the same spec create one workload; a 409 means someone else just did, and the
workload is re-read) → compare → reconcile per ``on_drift``. ``wait_until_ready`` follows the readiness
event stream within its deadline (``_readiness``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx2

from neocloud.core._base import FinalRequest, new_idempotency_key
from neocloud.core._client import AsyncAPIClient, SyncAPIClient
from neocloud.core._types import TimeoutTypes
from neocloud.core.errors import APIStatusError
from neocloud.core.validation import check_seconds

from ._common import CONTROL_PROFILE, DEFAULT_BASE_URL, check_spec, require, resolve, workload_path, workloads_path
from ._policy import drifted_fields
from ._progress import ProgressView
from ._readiness import wait_async, wait_sync
from .enums import OnDrift
from .errors import Conflict, DriftError, LocalValidationError, translate
from .types import EndpointRef, ReadinessEvent, Workload, WorkloadSpec

if TYPE_CHECKING:
    import httpx

__all__ = ["AsyncManagementClient", "ManagementClient"]

log = logging.getLogger("neocloud.inferencekey")


class _Control(SyncAPIClient):
    profile = CONTROL_PROFILE


class _AsyncControl(AsyncAPIClient):
    profile = CONTROL_PROFILE


def _on_drift(value: OnDrift | str) -> OnDrift:
    try:
        return OnDrift(value)
    except ValueError:
        allowed = ", ".join(m.value for m in OnDrift)
        raise LocalValidationError(
            f"unknown on_drift {value!r}; allowed: {allowed}", param="on_drift", allowed=allowed
        ) from None


def _workloads(body: Any) -> list[Workload]:
    items = body.get("workloads") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise ValueError("the workload list is neither an array nor {'workloads': [...]}")
    return [Workload.model_validate(item) for item in items]


class _Base:
    project: str | None

    def _project(self, *candidates: str | None) -> str:
        project = next((p for p in (*candidates, self.project) if p), None)
        if project is not None and not isinstance(project, str):
            raise LocalValidationError(
                f"'project' must be a project slug; got {type(project).__name__}", param="project"
            )
        return require(project, "no project: pass project=..., set spec.project, or INFERENCEKEY_PROJECT")

    @staticmethod
    def _decide(spec: WorkloadSpec, live: Workload, on: OnDrift) -> dict[str, Any] | None:
        """The PATCH body to send, or ``None`` when nothing should be written."""
        desired = spec.desired()
        drift = drifted_fields(desired, live.model_dump(mode="json"))
        if not drift:
            return None
        if on is OnDrift.FAIL:
            raise DriftError(drift)
        if on is OnDrift.RECONCILE:
            return {name: desired[name] for name in drift}
        if on is OnDrift.WARN:
            log.warning("workload %s drifted from spec (%s); left unchanged", live.slug, ", ".join(drift))
        return None

    @staticmethod
    def _view(slug: str, on_progress: Callable[[ReadinessEvent], None] | None, silent: bool) -> Any:
        if on_progress is not None or silent:
            return None
        return ProgressView(slug)


class ManagementClient(_Base):
    """Control-plane client, scoped to one project: ``ensure``, ``wait_until_ready``, ``delete``, ``list_workloads``.

    ``project`` (else ``INFERENCEKEY_PROJECT``) is the default of every call; ``ensure`` also honours ``spec.project``.
    """

    def __init__(
        self,
        *,
        base_url: str,
        sdk_token: str,
        project: str | None = None,
        timeout: TimeoutTypes = None,
        max_retries: int | None = None,
        http_client: httpx2.Client | httpx.Client | None = None,
    ) -> None:
        require(sdk_token, "a blank sdk_token: pass sdk_token=... or set INFERENCEKEY_SDK_TOKEN")
        with translate():
            self._client = _Control(api_key=sdk_token, base_url=require(base_url, "base_url is required"),
                                    timeout=timeout if timeout is not None else CONTROL_PROFILE.default_timeout,
                                    max_retries=max_retries, http_client=http_client)  # fmt: skip
        # As documented for ensure and delete: the client's project, else INFERENCEKEY_PROJECT.
        self.project = resolve(project, "INFERENCEKEY_PROJECT")
        self._sleep: Callable[[float], None] = time.sleep

    @classmethod
    def from_env(
        cls, *, base_url: str | None = None, project: str | None = None, sdk_token: str | None = None
    ) -> ManagementClient:
        """Explicit > ``INFERENCEKEY_BASE_URL`` / ``INFERENCEKEY_PROJECT`` / ``INFERENCEKEY_SDK_TOKEN`` > default."""
        return cls(
            base_url=resolve(base_url, "INFERENCEKEY_BASE_URL", DEFAULT_BASE_URL) or DEFAULT_BASE_URL,
            sdk_token=resolve(sdk_token, "INFERENCEKEY_SDK_TOKEN") or "",
            project=resolve(project, "INFERENCEKEY_PROJECT"),
        )

    def __repr__(self) -> str:
        return f"ManagementClient(base_url={self._client.base_url!r}, project={self.project!r})"

    def list_workloads(self, *, project: str | None = None) -> list[Workload]:
        """Every workload of the project."""
        path = workloads_path(self._project(project))
        with translate():
            return _workloads(self._client.request(object, FinalRequest("GET", path)))

    def _find(self, project: str, slug: str) -> Workload | None:
        return next((w for w in self.list_workloads(project=project) if w.slug == slug), None)

    def ensure(
        self,
        spec: WorkloadSpec,
        *,
        on_drift: OnDrift | str = OnDrift.RECONCILE,
        project: str | None = None,
        idempotency_key: str | None = None,
    ) -> EndpointRef:
        """Provision ``spec`` if absent, reconcile it if it drifted; returns its ``EndpointRef``.

        The project is ``project`` > ``spec.project`` > the client's (> ``INFERENCEKEY_PROJECT``), and the
        returned reference names the project actually used.

        The create carries an ``Idempotency-Key`` (``idempotency_key`` or a fresh one per call) that every
        retry of this call reuses, so a retried create never provisions twice. Not derived from the spec:
        the platform would answer a later re-create, after a delete, with the deleted workload.
        """
        on = _on_drift(on_drift)
        check_spec(spec)
        where = self._project(project, spec.project)
        with translate():
            live = self._find(where, spec.slug)
            if live is None:
                try:
                    created = self._client.request(Workload, FinalRequest(
                        "POST", workloads_path(where), json=spec.create_body(),
                        idempotent=False,
                        idempotency_key=idempotency_key or new_idempotency_key()))  # fmt: skip
                    return EndpointRef(where, created.slug)
                except APIStatusError as exc:
                    if exc.status_code != 409:
                        raise
                    live = self._find(where, spec.slug)  # created concurrently with another spec: compare it
                    if live is None:
                        raise
            patch = self._decide(spec, live, on)
            if patch:
                live = self._client.request(Workload, FinalRequest("PATCH", workload_path(live.id), json=patch))
        return EndpointRef(where, live.slug)

    def wait_until_ready(
        self,
        workload_slug: str,
        *,
        project: str | None = None,
        timeout: float = 600.0,
        on_progress: Callable[[ReadinessEvent], None] | None = None,
        silent: bool = False,
    ) -> None:
        """Return when the workload serves; ``ApiError`` on its ``error`` phase, ``TimeoutError`` after ``timeout``."""
        check_seconds("timeout", timeout, error=LocalValidationError)
        where = self._project(project)
        view = self._view(workload_slug, on_progress, silent)
        with view if view is not None else _nothing():
            wait_sync(self._client, self._sleep, where, workload_slug, timeout, on_progress or view or _ignore)

    def delete(self, workload_slug: str, *, project: str | None = None) -> bool:
        """Delete the workload; ``True`` if it existed, ``False`` if it was already gone (idempotent)."""
        where = self._project(project)
        with translate():
            live = self._find(where, workload_slug)
            if live is None:
                return False
            self._client.request(object, FinalRequest("DELETE", workload_path(live.id)))
        return True

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ManagementClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncManagementClient(_Base):
    """Async twin of ``ManagementClient``."""

    def __init__(
        self,
        *,
        base_url: str,
        sdk_token: str,
        project: str | None = None,
        timeout: TimeoutTypes = None,
        max_retries: int | None = None,
        http_client: httpx2.AsyncClient | httpx.AsyncClient | None = None,
    ) -> None:
        require(sdk_token, "a blank sdk_token: pass sdk_token=... or set INFERENCEKEY_SDK_TOKEN")
        with translate():
            self._client = _AsyncControl(api_key=sdk_token, base_url=require(base_url, "base_url is required"),
                                         timeout=timeout if timeout is not None else CONTROL_PROFILE.default_timeout,
                                         max_retries=max_retries, http_client=http_client)  # fmt: skip
        # As documented for ensure and delete: the client's project, else INFERENCEKEY_PROJECT.
        self.project = resolve(project, "INFERENCEKEY_PROJECT")
        self._sleep: Callable[[float], Any] = asyncio.sleep

    @classmethod
    def from_env(
        cls, *, base_url: str | None = None, project: str | None = None, sdk_token: str | None = None
    ) -> AsyncManagementClient:
        """Explicit > environment > default, as ``ManagementClient.from_env``."""
        return cls(
            base_url=resolve(base_url, "INFERENCEKEY_BASE_URL", DEFAULT_BASE_URL) or DEFAULT_BASE_URL,
            sdk_token=resolve(sdk_token, "INFERENCEKEY_SDK_TOKEN") or "",
            project=resolve(project, "INFERENCEKEY_PROJECT"),
        )

    async def list_workloads(self, *, project: str | None = None) -> list[Workload]:
        path = workloads_path(self._project(project))
        with translate():
            return _workloads(await self._client.request(object, FinalRequest("GET", path)))

    async def _find(self, project: str, slug: str) -> Workload | None:
        return next((w for w in await self.list_workloads(project=project) if w.slug == slug), None)

    async def ensure(
        self,
        spec: WorkloadSpec,
        *,
        on_drift: OnDrift | str = OnDrift.RECONCILE,
        project: str | None = None,
        idempotency_key: str | None = None,
    ) -> EndpointRef:
        on = _on_drift(on_drift)
        check_spec(spec)
        where = self._project(project, spec.project)
        with translate():
            live = await self._find(where, spec.slug)
            if live is None:
                try:
                    created = await self._client.request(Workload, FinalRequest(
                        "POST", workloads_path(where), json=spec.create_body(),
                        idempotent=False,
                        idempotency_key=idempotency_key or new_idempotency_key()))  # fmt: skip
                    return EndpointRef(where, created.slug)
                except APIStatusError as exc:
                    if exc.status_code != 409:
                        raise
                    live = await self._find(where, spec.slug)
                    if live is None:
                        raise
            patch = self._decide(spec, live, on)
            if patch:
                live = await self._client.request(Workload, FinalRequest("PATCH", workload_path(live.id), json=patch))
        return EndpointRef(where, live.slug)

    async def wait_until_ready(
        self,
        workload_slug: str,
        *,
        project: str | None = None,
        timeout: float = 600.0,
        on_progress: Callable[[ReadinessEvent], None] | None = None,
        silent: bool = False,
    ) -> None:
        check_seconds("timeout", timeout, error=LocalValidationError)
        where = self._project(project)
        view = self._view(workload_slug, on_progress, silent)
        with view if view is not None else _nothing():
            await wait_async(self._client, self._sleep, where, workload_slug, timeout, on_progress or view or _ignore)

    async def delete(self, workload_slug: str, *, project: str | None = None) -> bool:
        where = self._project(project)
        with translate():
            live = await self._find(where, workload_slug)
            if live is None:
                return False
            await self._client.request(object, FinalRequest("DELETE", workload_path(live.id)))
        return True

    async def close(self) -> None:
        await self._client.close()

    async def __aenter__(self) -> AsyncManagementClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _ignore(event: ReadinessEvent) -> None:
    return None


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_ = Conflict
