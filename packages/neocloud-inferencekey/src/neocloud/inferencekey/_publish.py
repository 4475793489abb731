"""Publishing a packaged custom backend: ``POST /api/tenants/{tenant}/custom-backends`` (multipart).

The artifact is the ``.tar.gz`` a backend packager builds, with a root ``manifest.json``; the upload's text
parts come from that manifest (read without importing or extracting anything else).
"""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path
from typing import Any

from neocloud.core._base import FinalRequest
from neocloud.core._client import AsyncAPIClient, SyncAPIClient

from ._common import CONTROL_PROFILE, DEFAULT_BASE_URL, require, resolve, route
from .errors import ConfigurationError, PackagingError, translate

__all__ = ["apublish_custom_backend", "publish_custom_backend", "read_manifest"]

MANIFEST_NAME = "manifest.json"
_FIELDS = ("name", "slug", "version", "task_type", "entrypoint")


class _Publisher(SyncAPIClient):
    profile = CONTROL_PROFILE


class _AsyncPublisher(AsyncAPIClient):
    profile = CONTROL_PROFILE


def read_manifest(package_path: str | os.PathLike[str]) -> dict[str, Any]:
    """The root ``manifest.json`` of a backend package; ``PackagingError`` if it cannot be read safely."""
    try:
        tar = tarfile.open(package_path, "r:gz")  # noqa: SIM115 - closed by the `with tar` below
    except (tarfile.TarError, OSError) as exc:
        raise PackagingError(f"could not open archive {str(package_path)!r}: {exc}") from exc
    with tar:
        for member in tar.getmembers():
            # A member escaping the archive root marks a hostile or broken package: refuse it whole.
            if member.name.startswith("/") or ".." in Path(member.name).parts:
                raise PackagingError(f"unsafe member in archive: {member.name!r}")
        try:
            member = tar.getmember(MANIFEST_NAME)
        except KeyError:
            raise PackagingError(f"{MANIFEST_NAME} not found in archive {str(package_path)!r}") from None
        extracted = tar.extractfile(member) if member.isfile() else None
        if extracted is None:
            raise PackagingError(f"{MANIFEST_NAME} in {str(package_path)!r} is not a regular file")
        raw = extracted.read()
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackagingError(f"{MANIFEST_NAME} is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict):
        raise PackagingError(f"{MANIFEST_NAME} must hold a JSON object")
    return manifest


def _request(tenant_id: str, package_path: str | os.PathLike[str]) -> FinalRequest:
    require(tenant_id, "tenant_id is required")
    manifest = read_manifest(package_path)
    if not manifest.get("name"):
        raise ConfigurationError(f"the manifest in {str(package_path)!r} has no 'name'")
    fields = {name: str(manifest.get(name) or "") for name in _FIELDS}
    fields["slug"] = fields["slug"] or fields["name"]
    content = Path(package_path).read_bytes()
    return FinalRequest(
        "POST", route("/api/tenants/{tenant_id}/custom-backends", tenant_id=tenant_id), data=fields,
        files={"file": (Path(package_path).name, content, "application/gzip")},
        idempotent=False,  # a (slug, version) publishes once; a retried upload would answer 409
    )  # fmt: skip


def _client_kwargs(token: str | None, base_url: str | None) -> dict[str, Any]:
    return {
        "api_key": require(token or resolve(None, "INFERENCEKEY_SDK_TOKEN"), "publish_custom_backend needs a token"),
        "base_url": resolve(base_url, "INFERENCEKEY_BASE_URL", DEFAULT_BASE_URL),
    }


def publish_custom_backend(
    tenant_id: str, package_path: str | os.PathLike[str], *, token: str | None = None, base_url: str | None = None
) -> dict[str, Any]:
    """Upload a packaged custom backend; returns the platform's record (``id``, ``slug``, ``sha256``, ...).

    ``token`` defaults to ``INFERENCEKEY_SDK_TOKEN`` and ``base_url`` to ``INFERENCEKEY_BASE_URL``.
    """
    request = _request(tenant_id, package_path)
    with translate(), _Publisher(**_client_kwargs(token, base_url)) as client:
        record: dict[str, Any] = client.request(dict, request)
        return record


async def apublish_custom_backend(
    tenant_id: str, package_path: str | os.PathLike[str], *, token: str | None = None, base_url: str | None = None
) -> dict[str, Any]:
    """Async twin of ``publish_custom_backend``."""
    request = _request(tenant_id, package_path)
    with translate():
        async with _AsyncPublisher(**_client_kwargs(token, base_url)) as client:
            record: dict[str, Any] = await client.request(dict, request)
            return record
