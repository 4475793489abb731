"""Runcrate resources: each operation is defined once (``control`` / ``inference``) and exposed here as
a typed sync method and a typed async method."""

from __future__ import annotations

from ._base import AsyncResource, SyncResource, async_call, sync_call
from .control import Billing, BillingSettings, Instances, SSHKeys, Storage, Templates
from .job_resources import (
    AsyncEnvironmentsResource,
    AsyncJobGroupsResource,
    AsyncJobsResource,
    AsyncSchedulesResource,
    AsyncSecretsResource,
    EnvironmentsResource,
    JobGroupsResource,
    JobsResource,
    SchedulesResource,
    SecretsResource,
)

__all__ = [
    "AsyncBillingResource",
    "AsyncEnvironmentsResource",
    "AsyncInstancesResource",
    "AsyncJobGroupsResource",
    "AsyncJobsResource",
    "AsyncSSHKeysResource",
    "AsyncSchedulesResource",
    "AsyncSecretsResource",
    "AsyncStorageResource",
    "AsyncTemplatesResource",
    "BillingResource",
    "EnvironmentsResource",
    "InstancesResource",
    "JobGroupsResource",
    "JobsResource",
    "SSHKeysResource",
    "SchedulesResource",
    "SecretsResource",
    "StorageResource",
    "TemplatesResource",
]


class InstancesResource(SyncResource):
    """``client.instances``: GPU instances (environment-scoped)."""

    list = sync_call(Instances.list)
    list_types = sync_call(Instances.list_types)
    create = sync_call(Instances.create)
    get = sync_call(Instances.get)
    get_status = sync_call(Instances.get_status)
    update = sync_call(Instances.update)
    terminate = sync_call(Instances.terminate)


class AsyncInstancesResource(AsyncResource):
    """``client.instances`` of ``AsyncRuncrate``."""

    list = async_call(Instances.list)
    list_types = async_call(Instances.list_types)
    create = async_call(Instances.create)
    get = async_call(Instances.get)
    get_status = async_call(Instances.get_status)
    update = async_call(Instances.update)
    terminate = async_call(Instances.terminate)


class SSHKeysResource(SyncResource):
    """``client.ssh_keys`` (workspace-wide)."""

    list = sync_call(SSHKeys.list)
    create = sync_call(SSHKeys.create)
    delete = sync_call(SSHKeys.delete)


class AsyncSSHKeysResource(AsyncResource):
    """``client.ssh_keys`` of ``AsyncRuncrate``."""

    list = async_call(SSHKeys.list)
    create = async_call(SSHKeys.create)
    delete = async_call(SSHKeys.delete)


class StorageResource(SyncResource):
    """``client.storage`` (environment-scoped volumes)."""

    list_regions = sync_call(Storage.list_regions)
    list = sync_call(Storage.list)
    get = sync_call(Storage.get)
    create = sync_call(Storage.create)
    resize = sync_call(Storage.resize)
    delete = sync_call(Storage.delete)


class AsyncStorageResource(AsyncResource):
    """``client.storage`` of ``AsyncRuncrate``."""

    list_regions = async_call(Storage.list_regions)
    list = async_call(Storage.list)
    get = async_call(Storage.get)
    create = async_call(Storage.create)
    resize = async_call(Storage.resize)
    delete = async_call(Storage.delete)


class BillingResource(SyncResource):
    """``client.billing`` (workspace-wide)."""

    get_balance = sync_call(Billing.get_balance)
    list_transactions = sync_call(Billing.list_transactions)
    usage = sync_call(Billing.usage)
    top_up = sync_call(BillingSettings.top_up)
    get_auto_recharge = sync_call(BillingSettings.get_auto_recharge)
    set_auto_recharge = sync_call(BillingSettings.set_auto_recharge)
    list_payment_methods = sync_call(BillingSettings.list_payment_methods)


class AsyncBillingResource(AsyncResource):
    """``client.billing`` of ``AsyncRuncrate``."""

    get_balance = async_call(Billing.get_balance)
    list_transactions = async_call(Billing.list_transactions)
    usage = async_call(Billing.usage)
    top_up = async_call(BillingSettings.top_up)
    get_auto_recharge = async_call(BillingSettings.get_auto_recharge)
    set_auto_recharge = async_call(BillingSettings.set_auto_recharge)
    list_payment_methods = async_call(BillingSettings.list_payment_methods)


class TemplatesResource(SyncResource):
    """``client.templates``."""

    list = sync_call(Templates.list)


class AsyncTemplatesResource(AsyncResource):
    """``client.templates`` of ``AsyncRuncrate``."""

    list = async_call(Templates.list)
