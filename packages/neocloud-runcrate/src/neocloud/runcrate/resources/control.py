"""Control-plane operations (``/api/v1``): instances, SSH keys, storage, billing, templates."""

from __future__ import annotations

import re
from typing import Any

from neocloud.core._base import FinalRequest, new_idempotency_key

from .._ops import Op, clean, ident, instance_create, none, one, page_of, ranged, route
from ..exceptions import RuncrateValidationError
from ..types import (
    Balance,
    Instance,
    InstanceStatus,
    InstanceType,
    Page,
    Region,
    SSHKey,
    StorageDeleteResult,
    StorageVolume,
    Template,
    Transaction,
    UsageSummary,
)
from ..types_jobs import AutoRecharge, PaymentMethod, TopUp

__all__ = ["Billing", "BillingSettings", "Instances", "SSHKeys", "Storage", "Templates"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Instances:
    """``client.instances``: list, list_types, create, get, get_status, update, terminate."""

    @staticmethod
    def list(search: str | None = None) -> Op[Page[Instance]]:
        return Op(FinalRequest("GET", "/api/v1/instances", params=clean({"search": search})), page_of(Instance))

    @staticmethod
    def list_types(
        gpu_type: str | None = None, region: str | None = None, gpu_count: int | None = None
    ) -> Op[Page[InstanceType]]:
        ranged(gpu_count, "gpu_count", 1, 8)
        params = clean({"gpu_type": gpu_type, "region": region, "gpu_count": gpu_count})
        return Op(FinalRequest("GET", "/api/v1/instances/types", params=params), page_of(InstanceType))

    @staticmethod
    def create(idempotency_key: str | None = None, **fields: Any) -> Op[Instance]:
        """Launch an instance (``POST /api/v1/instances``): name, gpu_type, gpu_count, ssh_key_id, region, template,
        max_runtime_minutes; one ``Idempotency-Key`` per call, reused by its retries."""
        return Op(instance_create(fields, idempotency_key), one(Instance))

    @staticmethod
    def get(instance_id: str) -> Op[Instance]:
        return Op(FinalRequest("GET", route("/api/v1/instances/{instance_id}", instance_id=instance_id)), one(Instance))

    @staticmethod
    def get_status(instance_id: str) -> Op[InstanceStatus]:
        path = route("/api/v1/instances/{instance_id}/status", instance_id=instance_id)
        return Op(FinalRequest("GET", path), one(InstanceStatus))

    @staticmethod
    def update(instance_id: str, **fields: Any) -> Op[Instance]:
        """Change an instance's name or limits (``PATCH /api/v1/instances/{id}``)."""
        unknown = set(fields) - {"max_runtime_minutes", "idle_shutdown_minutes"}
        if unknown or not fields:
            raise RuncrateValidationError(
                "update takes max_runtime_minutes and/or idle_shutdown_minutes",
                param=sorted(unknown)[0] if unknown else None,
            )
        ranged(fields.get("max_runtime_minutes"), "max_runtime_minutes", 5, 10080)
        ranged(fields.get("idle_shutdown_minutes"), "idle_shutdown_minutes", 5, 1440)
        path = route("/api/v1/instances/{instance_id}", instance_id=instance_id)
        return Op(FinalRequest("PATCH", path, json=fields), one(Instance))

    @staticmethod
    def terminate(instance_id: str) -> Op[None]:
        return Op(FinalRequest("DELETE", route("/api/v1/instances/{instance_id}", instance_id=instance_id)), none)


class SSHKeys:
    """``client.ssh_keys``: list, create, delete (workspace-wide)."""

    @staticmethod
    def list() -> Op[Page[SSHKey]]:
        return Op(FinalRequest("GET", "/api/v1/ssh-keys"), page_of(SSHKey))

    @staticmethod
    def create(name: str, public_key: str, type: str | None = None) -> Op[SSHKey]:
        """Add an SSH public key (``POST /api/v1/ssh-keys``)."""
        ident(name, "name")
        if not isinstance(public_key, str) or not public_key.startswith(("ssh-", "ecdsa-")):
            raise RuncrateValidationError(
                "'public_key' must be an OpenSSH public key (ssh-ed25519 ..., ssh-rsa ...)", param="public_key"
            )
        if type is not None:
            ident(type, "type")
        body = clean({"name": name, "public_key": public_key, "type": type})
        return Op(FinalRequest("POST", "/api/v1/ssh-keys", json=body, idempotent=False), one(SSHKey))

    @staticmethod
    def delete(key_id: str) -> Op[None]:
        return Op(FinalRequest("DELETE", route("/api/v1/ssh-keys/{key_id}", key_id=key_id)), none)


class Storage:
    """``client.storage``: regions, list, get, create, resize (grow only), delete (refunds pro rata)."""

    @staticmethod
    def list_regions() -> Op[Page[Region]]:
        return Op(FinalRequest("GET", "/api/v1/storage/regions"), page_of(Region))

    @staticmethod
    def list(search: str | None = None) -> Op[Page[StorageVolume]]:
        return Op(FinalRequest("GET", "/api/v1/storage", params=clean({"search": search})), page_of(StorageVolume))

    @staticmethod
    def get(volume_id: str) -> Op[StorageVolume]:
        return Op(FinalRequest("GET", route("/api/v1/storage/{volume_id}", volume_id=volume_id)), one(StorageVolume))

    @staticmethod
    def create(name: str, size_gb: int, region: str, idempotency_key: str | None = None) -> Op[StorageVolume]:
        """Create a storage volume (``POST /api/v1/storage``); a week is charged up front."""
        ident(name, "name")
        ident(region, "region")
        ranged(size_gb, "size_gb", 1, 100_000)
        body = {"name": name, "size_gb": size_gb, "region": region}
        request = FinalRequest("POST", "/api/v1/storage", json=body, idempotent=False,
                               idempotency_key=idempotency_key or new_idempotency_key())  # fmt: skip
        return Op(request, one(StorageVolume))

    @staticmethod
    def resize(volume_id: str, size_gb: int) -> Op[StorageVolume]:
        """Grow a volume to ``size_gb`` (``PATCH /api/v1/storage/{id}``); volumes never shrink."""
        ranged(size_gb, "size_gb", 1, 100_000)
        path = route("/api/v1/storage/{volume_id}", volume_id=volume_id)
        return Op(FinalRequest("PATCH", path, json={"size_gb": size_gb}), one(StorageVolume))

    @staticmethod
    def delete(volume_id: str) -> Op[StorageDeleteResult]:
        path = route("/api/v1/storage/{volume_id}", volume_id=volume_id)
        return Op(FinalRequest("DELETE", path), one(StorageDeleteResult))


class Billing:
    """``client.billing``: balance, transactions (``has_more``), usage."""

    @staticmethod
    def get_balance() -> Op[Balance]:
        return Op(FinalRequest("GET", "/api/v1/billing/balance"), one(Balance))

    @staticmethod
    def list_transactions(limit: int = 50, offset: int = 0, type: str | None = None) -> Op[Page[Transaction]]:
        ranged(limit, "limit", 1, 100)
        ranged(offset, "offset", 0, 10**9)
        params = clean({"limit": limit, "offset": offset, "type": type})
        return Op(FinalRequest("GET", "/api/v1/billing/transactions", params=params), page_of(Transaction))

    @staticmethod
    def usage(from_date: str | None = None, to_date: str | None = None) -> Op[UsageSummary]:
        for value, name in ((from_date, "from_date"), (to_date, "to_date")):
            if value is not None and (not isinstance(value, str) or not _DATE.match(value)):
                raise RuncrateValidationError(
                    f"'{name}' must be YYYY-MM-DD; got {value!r}", param=name, allowed="YYYY-MM-DD"
                )
        params = clean({"from": from_date, "to": to_date})
        return Op(FinalRequest("GET", "/api/v1/billing/usage", params=params), one(UsageSummary))


class BillingSettings:
    """The billing calls beyond balance and usage: top-ups, auto-recharge, payment methods."""

    @staticmethod
    def top_up(*, amount_usd: float, idempotency_key: str | None = None) -> Op[TopUp]:
        """Buy credits. The key goes in the header and the body: a retried top-up never charges twice."""
        if not isinstance(amount_usd, (int, float)) or isinstance(amount_usd, bool) or not 20 <= amount_usd <= 10_000:
            raise RuncrateValidationError("'amount_usd' must be from 20 to 10000", param="amount_usd",
                                         allowed="20..10000")  # fmt: skip
        key = idempotency_key or new_idempotency_key()
        body = {"amount_usd": amount_usd, "idempotency_key": key}
        request = FinalRequest("POST", "/api/v1/billing/topups", json=body, idempotency_key=key)
        return Op(request, one(TopUp))

    @staticmethod
    def get_auto_recharge() -> Op[AutoRecharge]:
        return Op(FinalRequest("GET", "/api/v1/billing/auto-recharge"), one(AutoRecharge))

    @staticmethod
    def set_auto_recharge(*, enabled: bool, threshold_usd: float | None, target_usd: float | None) -> Op[AutoRecharge]:
        """Turn automatic top-ups on or off, with the balance that triggers one and the balance it tops up to."""
        if not isinstance(enabled, bool):
            raise RuncrateValidationError("'enabled' must be True or False", param="enabled")
        for name, value in (("threshold_usd", threshold_usd), ("target_usd", target_usd)):
            if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
                raise RuncrateValidationError(f"'{name}' must be a number of dollars", param=name)
        if enabled and (threshold_usd is None or target_usd is None or not 0 <= threshold_usd < target_usd):
            raise RuncrateValidationError("'threshold_usd' must be below 'target_usd'", param="threshold_usd")
        body = {"enabled": enabled, "threshold_usd": threshold_usd, "target_usd": target_usd}  # all three, always
        return Op(FinalRequest("PUT", "/api/v1/billing/auto-recharge", json=body), one(AutoRecharge))

    @staticmethod
    def list_payment_methods() -> Op[Page[PaymentMethod]]:
        return Op(FinalRequest("GET", "/api/v1/billing/payment-methods"), page_of(PaymentMethod))


class Templates:
    """``client.templates``: paged, searchable (``total`` / ``has_more`` on the result)."""

    @staticmethod
    def list(
        page: int = 1,
        page_size: int = 25,
        search: str | None = None,
        category: str | None = None,
        sort_by: str | None = None,
        sort_dir: str | None = None,
    ) -> Op[Page[Template]]:
        ranged(page, "page", 1, 10**6)
        ranged(page_size, "page_size", 1, 100)
        if sort_dir is not None and sort_dir not in ("asc", "desc"):
            raise RuncrateValidationError("'sort_dir' must be asc or desc", param="sort_dir", allowed="asc, desc")
        params = clean({"page": page, "page_size": page_size, "search": search, "category": category,
                        "sort_by": sort_by, "sort_dir": sort_dir})  # fmt: skip
        return Op(FinalRequest("GET", "/api/v1/templates", params=params), page_of(Template))
