"""``neocloud instances`` and ``neocloud volumes``: Runcrate GPU instances and storage volumes from the shell.

Listings read the API directly; creates, terminations and deletions run through the agents' guard rails
(``guarded``), so they are priced, confirmed, reserved against a budget and recorded in the spend ledger.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from .guarded import guard_options, json_flag, open_session, run_guarded
from .output import Poll, emit_list, emit_one, watch

__all__ = ["register"]

RUNCRATE_TOOLS = "neocloud.runcrate.tools"
# An instance is done changing once it serves or is gone.
SETTLED = ("running", "terminated", "failed", "error", "stopped")
INSTANCE_COLUMNS = ("id", "name", "status", "gpu_type", "gpu_count", "cost_per_hour")
TYPE_COLUMNS = ("id", "gpu_type", "gpu_count", "region", "hourly_rate")
VOLUME_COLUMNS = ("id", "name", "size_gb", "region", "status")


def _client() -> Any:
    from .commands import load, require_key

    spec = load("runcrate")
    require_key(spec)
    return spec.sync_client()


def _dump(item: Any) -> dict[str, Any]:
    return dict(item.model_dump(mode="json", exclude_none=True))


def _instances_list(args: argparse.Namespace, console: Console) -> None:
    rows = [_dump(i) for i in _client().instances.list()]
    emit_list(rows, INSTANCE_COLUMNS, title="Runcrate instances", as_json=args.json, console=console)


def _instances_types(args: argparse.Namespace, console: Console) -> None:
    rows = [_dump(t) for t in _client().instances.list_types()]
    emit_list(rows, TYPE_COLUMNS, title="Runcrate instance types (USD per hour)", as_json=args.json, console=console)


def _wait_instance(client: Any, instance_id: str, timeout: float) -> dict[str, Any]:
    def poll() -> Poll:
        status = client.instances.get_status(instance_id)
        return Poll(status.status, None, status.status in SETTLED, f"ip {status.ip}" if status.ip else "")

    watch(instance_id, poll, timeout=timeout, interval=1.0)
    return _dump(client.instances.get(instance_id))


def _instances_create(args: argparse.Namespace, console: Console) -> None:
    _client()  # the key is checked before anything is priced
    arguments = {"name": args.name, "gpu_type": args.gpu_type, "gpu_count": args.gpu_count,
                 "instance_type_id": args.instance_type, "region": args.region, "ssh_key_id": args.ssh_key,
                 "template": args.template, "max_runtime_minutes": args.max_runtime,
                 "idle_shutdown_minutes": args.idle_shutdown}  # fmt: skip
    session = open_session(RUNCRATE_TOOLS, args)
    try:
        made = run_guarded(session, "runcrate_create_instance", {k: v for k, v in arguments.items() if v is not None},
                           what=f"launch {args.gpu_count}x {args.gpu_type} instance {args.name!r}", yes=args.yes,
                           console=console)  # fmt: skip
    finally:
        session.close()
    if args.wait:
        made = _wait_instance(session.clients, made["id"], args.timeout)
    emit_one({**made, "run_id": session.run_id}, as_json=args.json, console=console, title="instance")


def _instances_status(args: argparse.Namespace, console: Console) -> None:
    client = _client()
    if args.wait:
        emit_one(_wait_instance(client, args.instance_id, args.timeout), as_json=args.json, console=console)
        return
    emit_one(_dump(client.instances.get_status(args.instance_id)), as_json=args.json, console=console)


def _instances_terminate(args: argparse.Namespace, console: Console) -> None:
    _client()
    session = open_session(RUNCRATE_TOOLS, args)
    try:
        done = run_guarded(session, "runcrate_terminate_instance", {"instance_id": args.instance_id},
                           what=f"terminate instance {args.instance_id} (its disk is lost)", yes=args.yes,
                           console=console)  # fmt: skip
    finally:
        session.close()
    emit_one(done, as_json=args.json, console=console)


def _volumes_list(args: argparse.Namespace, console: Console) -> None:
    rows = [_dump(v) for v in _client().storage.list()]
    emit_list(rows, VOLUME_COLUMNS, title="Runcrate volumes", as_json=args.json, console=console)


def _volumes_create(args: argparse.Namespace, console: Console) -> None:
    _client()
    session = open_session(RUNCRATE_TOOLS, args)
    try:
        made = run_guarded(session, "runcrate_create_volume",
                           {"name": args.name, "size_gb": args.size_gb, "region": args.region},
                           what=f"create the {args.size_gb} GB volume {args.name!r} in {args.region}", yes=args.yes,
                           console=console)  # fmt: skip
    finally:
        session.close()
    emit_one({**made, "run_id": session.run_id}, as_json=args.json, console=console, title="volume")


def _volumes_delete(args: argparse.Namespace, console: Console) -> None:
    _client()
    session = open_session(RUNCRATE_TOOLS, args)
    try:
        done = run_guarded(session, "runcrate_delete_volume", {"volume_id": args.volume_id},
                           what=f"delete volume {args.volume_id} and its data", yes=args.yes,
                           console=console)  # fmt: skip
    finally:
        session.close()
    emit_one({"deleted": args.volume_id, **done}, as_json=args.json, console=console)  # (plus the refund, if any)


def _wait_flags(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--wait", action="store_true", help=f"wait until {what}, showing its progress")
    parser.add_argument("--timeout", type=float, default=600.0, help="how long --wait waits, in seconds (default 600)")


def register(sub: Any) -> None:
    """Add ``instances`` and ``volumes`` to the ``neocloud`` parser."""
    desc = "Runcrate GPU instances (RUNCRATE_API_KEY)."
    instances = sub.add_parser("instances", help="Runcrate GPU instances: list, types, create, status, terminate",
                               description=desc)  # fmt: skip
    actions = instances.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("list", help="the instances", description="List the workspace's instances.")
    json_flag(p)
    p.set_defaults(handler=_instances_list)
    p = actions.add_parser("types", help="the instance types and their prices",
                           description="List the instance types with their hourly price in USD.")  # fmt: skip
    json_flag(p)
    p.set_defaults(handler=_instances_types)
    p = actions.add_parser("create", help="launch an instance (priced and confirmed first)",
                           description="Launch a GPU instance. Its price is shown and confirmed first; the launch is "
                           "reserved against the run's budget and recorded in the spend ledger.")  # fmt: skip
    p.add_argument("name", help="a name for the instance")
    p.add_argument("--gpu-type", required=True, help="the GPU model, e.g. A100 (see: neocloud instances types)")
    p.add_argument("--gpu-count", type=int, default=1, help="GPUs per instance (default 1)")
    p.add_argument("--instance-type", help="an exact instance type id, e.g. a100-1x-us-east")
    p.add_argument("--region", help="the region (default: any)")
    p.add_argument("--ssh-key", required=True, help="the id of an SSH key of the workspace")
    p.add_argument("--template", help="the image template id")
    p.add_argument("--max-runtime", type=int, metavar="MINUTES", help="stop it after this many minutes (recommended: "
                   "it bounds the cost)")  # fmt: skip
    p.add_argument("--idle-shutdown", type=int, metavar="MINUTES", help="stop it after this many idle minutes")
    _wait_flags(p, "it is running")
    guard_options(p)
    p.set_defaults(handler=_instances_create)
    p = actions.add_parser("status", help="an instance's status",
                           description="Show an instance's status and IP address.")  # fmt: skip
    p.add_argument("instance_id", help="the instance id (inst_...)")
    _wait_flags(p, "it is running (or gone)")
    json_flag(p)
    p.set_defaults(handler=_instances_status)
    p = actions.add_parser(
        "terminate",
        help="terminate an instance (confirmed first)",
        description="Terminate an instance (its disk is lost); recorded in the spend ledger.",
    )
    p.add_argument("instance_id", help="the instance id (inst_...)")
    guard_options(p, spends=False)
    p.set_defaults(handler=_instances_terminate)

    volumes = sub.add_parser("volumes", help="Runcrate storage volumes: list, create, delete",
                             description="Runcrate storage volumes (RUNCRATE_API_KEY).")  # fmt: skip
    actions = volumes.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("list", help="the volumes", description="List the storage volumes.")
    json_flag(p)
    p.set_defaults(handler=_volumes_list)
    p = actions.add_parser("create", help="create a volume (priced and confirmed first)",
                           description="Create a storage volume ($0.03 per GB-month, a week charged up front). "
                           "Priced, confirmed, reserved against the run's budget, recorded in the ledger.")  # fmt: skip
    p.add_argument("name", help="a name for the volume")
    p.add_argument("--size-gb", type=int, required=True, help="the size in GB")
    p.add_argument("--region", required=True, help="a storage region id, e.g. us-east-1")
    guard_options(p)
    p.set_defaults(handler=_volumes_create)
    p = actions.add_parser("delete", help="delete a volume (confirmed first)",
                           description="Delete a volume and its data; recorded in the spend ledger.")  # fmt: skip
    p.add_argument("volume_id", help="the volume id")
    guard_options(p, spends=False)
    p.set_defaults(handler=_volumes_delete)
