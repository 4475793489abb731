"""A provisioning agent to be killed: ``test_crash_recovery.py`` runs this file and SIGKILLs its agents.

Started once, it imports everything an agent needs, then reads commands from stdin, one per line:
``<kind> <run_id>``. For each it forks an agent process (so a kill can land a few milliseconds into an agent's life
without paying Python's start-up every round) and prints the agent's pid. The agent opens the SQLite ledger
(``NEOCLOUD_LEDGER``) and creates resources of ``kind`` through the toolkits' ``ToolSession`` one after another
(``CRASH_MAX_CREATES`` at most), then waits to be killed. Clients come from the environment (the sandbox's).

Kinds: ``instance``, ``volume`` and ``job`` (Runcrate), ``workload`` (InferenceKey ensure), ``fine_tune`` (Cluster
Protocol).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

from neocloud.clusterprotocol import tools as clusterprotocol_tools
from neocloud.core.ledger import open_ledger
from neocloud.core.tools import UNLIMITED, ToolSession
from neocloud.inferencekey import tools as inferencekey_tools
from neocloud.runcrate import tools as runcrate_tools

MODULES = {"instance": runcrate_tools, "volume": runcrate_tools, "job": runcrate_tools,
           "workload": inferencekey_tools, "fine_tune": clusterprotocol_tools}  # fmt: skip


def call(kind: str, run_id: str, i: int) -> tuple[str, dict[str, Any]]:
    """The tool call an agent of ``kind`` makes the ``i``-th time."""
    name = f"crash-{run_id}-{i}"
    if kind == "instance":
        box = {"gpu_type": "A100", "ssh_key_id": os.environ["CRASH_SSH_KEY"], "max_runtime_minutes": 60}
        return "runcrate_create_instance", {"name": name, **box}
    if kind == "volume":
        return "runcrate_create_volume", {"name": name, "size_gb": 10, "region": "us-east-1"}
    if kind == "job":
        return "runcrate_run_job", {"name": name, "command": "python train.py", "gpu_type": "A100",
                                    "max_runtime_minutes": 30}  # fmt: skip
    if kind == "workload":
        return "inferencekey_ensure_workload", {"slug": name, "model": "meta-llama/Llama-3.1-8B-Instruct"}
    return "clusterprotocol_create_fine_tune", {"base_model": "llama-3.1-8b", "suffix": name,
                                                "training_file": "https://example.com/train.jsonl"}  # fmt: skip


def agent(kind: str, run_id: str) -> None:
    """Create resources until told to stop (or killed)."""
    session = ToolSession.for_provider(MODULES[kind].__name__, allow_billable=True, ledger=open_ledger(),
                                       budget=UNLIMITED, run_id=run_id)  # fmt: skip
    for i in range(int(os.environ.get("CRASH_MAX_CREATES", "4"))):
        name, args = call(kind, run_id, i)
        try:
            session.invoke(name, args, call_id=f"{run_id}-c{i}")
        except Exception as exc:  # an agent reads a tool error and goes on
            print(f"agent {run_id}: {name} failed: {exc}", file=sys.stderr)
    time.sleep(60)


def warm() -> None:
    """What every agent would do first, done once before forking (imports, models built on first use, TLS
    contexts): one read per provider, on clients closed again, so no connection is shared with an agent."""
    for module, read in ((runcrate_tools, "runcrate_list_gpu_types"), (runcrate_tools, "runcrate_list_volumes"),
                         (inferencekey_tools, "inferencekey_list_workloads"),
                         (clusterprotocol_tools, "clusterprotocol_list_fine_tunes")):  # fmt: skip
        session = ToolSession.for_provider(module.__name__)
        session.invoke(read, {})
        for kind in MODULES:
            name, args = call(kind, "warm", 0)
            if name in session.operations:
                session.operations[name].args.model_validate(args)
        clients = session.clients
        closing = getattr(clients, "close", None) or getattr(getattr(clients, "management", None), "close", None)
        if closing is not None:
            closing()


def main() -> None:
    warm()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # agents are reaped by the kernel once killed
    for line in sys.stdin:
        kind, run_id = line.split()
        pid = os.fork()
        if pid == 0:
            try:
                agent(kind, run_id)
            finally:
                os._exit(0)
        print(pid, flush=True)


if __name__ == "__main__":
    main()
