"""``neocloud workloads``, ``neocloud fine-tunes`` and ``neocloud video``: things that take minutes, with their
progress shown live (a rich view on a terminal, one stderr line per change otherwise).

Creates and deletions run through the agents' guard rails (``guarded``). InferenceKey, Cluster Protocol's
fine-tuning and Runcrate's video generation publish no prices, so under a budget (the default) they need
``--assume-hourly USD`` (what to reserve) or ``--budget unlimited``, exactly as an agent's toolkit needs
``SpendPolicy(unpriced_hourly_usd=...)``.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from rich.console import Console

from neocloud.core.errors import ConfigurationError

from .guarded import guard_options, json_flag, open_session, run_guarded
from .output import Poll, emit_list, emit_one, watch

__all__ = ["register"]

IK_TOOLS = "neocloud.inferencekey.tools"
CP_TOOLS = "neocloud.clusterprotocol.tools"
RC_TOOLS = "neocloud.runcrate.tools"
WORKLOAD_COLUMNS = ("slug", "name", "task_type", "backend", "model_name")
FINE_TUNE_COLUMNS = ("id", "status", "base_model", "progress", "fine_tuned_model")
FINE_TUNE_DONE = ("succeeded", "failed", "cancelled")


def _inferencekey() -> None:
    from .commands import load

    load("inferencekey")
    for name in ("INFERENCEKEY_SDK_TOKEN", "INFERENCEKEY_PROJECT"):
        if not os.environ.get(name):
            raise ConfigurationError(f"InferenceKey workloads need {name}")


def _client(provider: str) -> Any:
    from .commands import load, require_key

    spec = load(provider)
    require_key(spec)
    return spec.sync_client()


def workload_rows() -> list[dict[str, Any]]:
    """The project's workloads, JSON-able."""
    _inferencekey()
    from neocloud.inferencekey import ManagementClient

    with ManagementClient.from_env() as mgmt:
        return [w.model_dump(mode="json", exclude_none=True) for w in mgmt.list_workloads()]


def _workloads_list(args: argparse.Namespace, console: Console) -> None:
    emit_list(workload_rows(), WORKLOAD_COLUMNS, title="InferenceKey workloads", as_json=args.json, console=console)


def _wait_ready(slug: str, timeout: float) -> None:
    from neocloud.inferencekey import ManagementClient

    # The client's own view: a rich phase bar on a terminal, one line per phase change otherwise (on stderr).
    with ManagementClient.from_env() as mgmt:
        mgmt.wait_until_ready(slug, timeout=timeout)


def _workloads_ensure(args: argparse.Namespace, console: Console) -> None:
    _inferencekey()
    arguments = {"slug": args.slug, "model": args.model, "backend": args.backend, "task_type": args.task_type,
                 "name": args.name}  # fmt: skip
    session = open_session(IK_TOOLS, args)
    try:
        made = run_guarded(session, "inferencekey_ensure_workload", {k: v for k, v in arguments.items() if v},
                           what=f"ensure workload {args.slug!r} serving {args.model}", yes=args.yes,
                           console=console)  # fmt: skip
    finally:
        session.close()
    if args.wait:
        _wait_ready(args.slug, args.timeout)
    emit_one({**made, "ready": True if args.wait else None, "run_id": session.run_id}, as_json=args.json,
             console=console)  # fmt: skip


def _workloads_wait(args: argparse.Namespace, console: Console) -> None:
    _inferencekey()
    _wait_ready(args.slug, args.timeout)
    emit_one({"workload": args.slug, "ready": True}, as_json=args.json, console=console)


def _workloads_delete(args: argparse.Namespace, console: Console) -> None:
    _inferencekey()
    session = open_session(IK_TOOLS, args)
    try:
        done = run_guarded(session, "inferencekey_delete_workload", {"slug": args.slug},
                           what=f"delete workload {args.slug!r} (stops its GPU)", yes=args.yes,
                           console=console)  # fmt: skip
    finally:
        session.close()
    emit_one(done, as_json=args.json, console=console)


def _fine_tune_poll(client: Any, job_id: str) -> Poll:
    job = client.fine_tuning.get(job_id)
    loss = f"loss {job.train_loss:g}" if job.train_loss is not None else ""
    return Poll(job.status, job.progress, job.status in FINE_TUNE_DONE, loss)


def _fine_tunes_create(args: argparse.Namespace, console: Console) -> None:
    _client("clusterprotocol")
    arguments = {"base_model": args.base_model, "training_file": args.training_file, "suffix": args.suffix,
                 "epochs": args.epochs, "learning_rate": args.learning_rate, "lora_rank": args.lora_rank,
                 "lora_alpha": args.lora_alpha}  # fmt: skip
    session = open_session(CP_TOOLS, args)
    try:
        made = run_guarded(session, "clusterprotocol_create_fine_tune",
                           {k: v for k, v in arguments.items() if v is not None},
                           what=f"fine-tune {args.base_model}", yes=args.yes, console=console)  # fmt: skip
    finally:
        session.close()
    if args.watch:
        watch(made["id"], lambda: _fine_tune_poll(session.clients, made["id"]), timeout=args.timeout)
        made = session.clients.fine_tuning.get(made["id"]).model_dump(mode="json", exclude_none=True)
    emit_one({**made, "run_id": session.run_id}, as_json=args.json, console=console, title="fine-tune")


def _fine_tunes_watch(args: argparse.Namespace, console: Console) -> int:
    client = _client("clusterprotocol")
    watch(args.job_id, lambda: _fine_tune_poll(client, args.job_id), timeout=args.timeout)
    job = client.fine_tuning.get(args.job_id).model_dump(mode="json", exclude_none=True)
    emit_one(job, as_json=args.json, console=console, title="fine-tune")
    return 0 if job["status"] == "succeeded" else 1  # a failed or cancelled job is not success


def _fine_tunes_list(args: argparse.Namespace, console: Console) -> None:
    rows = [j.model_dump(mode="json", exclude_none=True) for j in _client("clusterprotocol").fine_tuning.list()]
    emit_list(rows, FINE_TUNE_COLUMNS, title="Cluster Protocol fine-tunes", as_json=args.json, console=console)


def _fine_tunes_cancel(args: argparse.Namespace, console: Console) -> None:
    _client("clusterprotocol")
    session = open_session(CP_TOOLS, args)
    try:
        done = run_guarded(session, "clusterprotocol_cancel_fine_tune", {"job_id": args.job_id},
                           what=f"cancel fine-tune {args.job_id}", yes=args.yes, console=console)  # fmt: skip
    finally:
        session.close()
    emit_one(done, as_json=args.json, console=console)


def _video_generate(args: argparse.Namespace, console: Console) -> int:
    _client("runcrate")
    prompt = sys.stdin.read().strip() if args.prompt == "-" else args.prompt
    arguments = {"model": args.model, "prompt": prompt, "duration": args.duration, "aspect_ratio": args.aspect_ratio}
    session = open_session(RC_TOOLS, args)
    try:
        job = run_guarded(session, "runcrate_generate_video", {k: v for k, v in arguments.items() if v is not None},
                          what=f"generate a video with {args.model}", yes=args.yes, console=console)  # fmt: skip

        def poll() -> Poll:
            seen = session.invoke("runcrate_video_status", {"job_id": job["id"]})
            return Poll(seen["status"], seen.get("progress"), seen["status"] in ("completed", "failed"))

        final = watch(job["id"], poll, timeout=args.timeout, interval=1.0)
        if final.status != "completed":
            print(f"neocloud: video {job['id']} {final.status}", file=sys.stderr)
            return 1
        saved = session.invoke("runcrate_save_video", {"job_id": job["id"], "path": args.output})
    finally:
        session.close()
    emit_one({**saved, "model": args.model, "run_id": session.run_id}, as_json=args.json, console=console)
    return 0


def register(sub: Any) -> None:
    """Add ``workloads``, ``fine-tunes`` and ``video`` to the ``neocloud`` parser."""
    timeout = {"type": float, "default": 900.0, "help": "give up after this many seconds (default 900)"}
    workloads = sub.add_parser(
        "workloads",
        help="InferenceKey workloads: list, ensure, wait, delete",
        description="InferenceKey workloads of INFERENCEKEY_PROJECT (INFERENCEKEY_SDK_TOKEN).",
    )
    actions = workloads.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("list", help="the project's workloads", description="List the project's workloads.")
    json_flag(p)
    p.set_defaults(handler=_workloads_list)
    p = actions.add_parser(
        "ensure",
        help="make sure a workload serves a model (confirmed first)",
        description="Create the workload unless it exists (one that differs is updated). "
        "Confirmed first, reserved against the run's budget, recorded in the ledger; "
        "InferenceKey publishes no prices: pass --assume-hourly USD or --budget unlimited.",
    )
    p.add_argument("slug", help="the workload slug, e.g. support-bot (what `neocloud chat -p inferencekey -m` takes)")
    p.add_argument("--model", required=True, help="the model to serve, e.g. meta-llama/Llama-3.1-8B-Instruct")
    p.add_argument("--backend", default="vllm", help="the serving engine (default vllm)")
    p.add_argument("--task-type", help="what it does (default text2text)")
    p.add_argument("--name", help="a display name (default: the slug)")
    p.add_argument("--wait", action="store_true", help="then wait until it serves, showing its progress")
    p.add_argument("--timeout", **timeout)
    guard_options(p)
    p.set_defaults(handler=_workloads_ensure)
    p = actions.add_parser(
        "wait",
        help="wait until a workload serves, with its readiness progress",
        description="Wait until the workload serves requests, showing each readiness phase.",
    )
    p.add_argument("slug", help="the workload slug")
    p.add_argument("--timeout", **timeout)
    json_flag(p)
    p.set_defaults(handler=_workloads_wait)
    p = actions.add_parser(
        "delete",
        help="delete a workload (confirmed first)",
        description="Delete a workload (stops its GPU); recorded in the spend ledger.",
    )
    p.add_argument("slug", help="the workload slug")
    guard_options(p, spends=False)
    p.set_defaults(handler=_workloads_delete)

    tunes = sub.add_parser("fine-tunes", help="Cluster Protocol fine-tuning jobs: list, create, watch, cancel",
                           description="Cluster Protocol LoRA fine-tuning jobs (CLUSTER_API_KEY).")  # fmt: skip
    actions = tunes.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("list", help="the fine-tuning jobs", description="List fine-tuning jobs, newest first.")
    json_flag(p)
    p.set_defaults(handler=_fine_tunes_list)
    p = actions.add_parser("create", help="start a fine-tune (confirmed first)",
                           description="Start a LoRA fine-tuning job. Cluster Protocol publishes no price: pass "
                           "--assume-hourly USD or --budget unlimited.")  # fmt: skip
    p.add_argument("--base-model", required=True, help="the model to fine-tune, e.g. llama-3.1-8b")
    p.add_argument("--training-file", required=True, help="an https URL of the JSONL training data")
    p.add_argument("--suffix", help="a suffix for the fine-tuned model's name")
    p.add_argument("--epochs", type=int, help="passes over the data")
    p.add_argument("--learning-rate", type=float, help="the optimizer's learning rate")
    p.add_argument("--lora-rank", type=int, help="the LoRA adapter's rank")
    p.add_argument("--lora-alpha", type=int, help="the LoRA scaling factor")
    p.add_argument("--watch", action="store_true", help="then follow it until it ends, showing its progress")
    p.add_argument("--timeout", **timeout)
    guard_options(p)
    p.set_defaults(handler=_fine_tunes_create)
    p = actions.add_parser(
        "watch",
        help="follow a fine-tune until it ends",
        description="Follow a fine-tuning job until it ends (exit 0 succeeded, 1 otherwise).",
    )
    p.add_argument("job_id", help="the job id (ft_job_...)")
    p.add_argument("--timeout", **timeout)
    json_flag(p)
    p.set_defaults(handler=_fine_tunes_watch)
    p = actions.add_parser("cancel", help="cancel a fine-tune (confirmed first)",
                           description="Cancel a fine-tuning job; recorded in the spend ledger.")  # fmt: skip
    p.add_argument("job_id", help="the job id (ft_job_...)")
    guard_options(p, spends=False)
    p.set_defaults(handler=_fine_tunes_cancel)

    video = sub.add_parser("video", help="Runcrate video generation",
                           description="Runcrate video generation (RUNCRATE_API_KEY).")  # fmt: skip
    actions = video.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("generate", help="render a video and save it (confirmed first)",
                           description="Render a video from a prompt, follow it, download it and save it. Runcrate "
                           "publishes no video price: pass --assume-hourly USD or --budget unlimited.")  # fmt: skip
    p.add_argument("prompt", help="what the video shows ('-': read it from stdin)")
    p.add_argument("--model", "-m", required=True, help="the video model")
    p.add_argument("--output", "-o", required=True, help="the file to save the video to, e.g. clip.mp4")
    p.add_argument("--duration", type=float, help="its length in seconds")
    p.add_argument("--aspect-ratio", help="e.g. 16:9")
    p.add_argument("--timeout", **timeout)
    guard_options(p)
    p.set_defaults(handler=_video_generate)
