"""Provisioning agents SIGKILLed at random instants, then ``neocloud cleanup --yes``: nothing they created is left on
the providers, and nothing is counted twice in the ledger.

Each round forks an agent (``crash_agent.py``) that creates Runcrate instances, volumes or batch jobs, InferenceKey
workloads or Cluster Protocol fine-tunes through ``ToolSession`` on a SQLite ledger file, against a sandbox on
loopback, and kills it after a random delay (seeded): before its first call, between a call's intent and its request,
while the provider acts, between the answer and its record. A lost job submission is resolved by sending it again with
its Idempotency-Key. Batch work runs longer than the rest (``job_phase_s``: a Runcrate job lives 16 s, a fine-tune 8 s),
so the jobs and fine-tunes of the last rounds are still queued or running when cleanup starts and it must cancel them;
the earlier ones have ended, so their teardown meets Runcrate's 409 "job not live", a final answer that is not
retried.

InferenceKey's ensure is keyed by its slug, not an idempotency key: cleanup resolves a lost one by the workload's
``created_at`` against the time its intent was recorded (``find_lost``). Every kind must be left with nothing, and
nothing unresolved.
"""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from neocloud.core.ledger import Status, open_ledger

log = logging.getLogger(__name__)

SEED = 20261201
KINDS = ("instance", "volume", "job", "workload", "fine_tune")
ROUNDS = 54  # two agents a round: 21 or 22 of each kind, every one killed
LIFE_S = 0.45  # an agent lives up to this long: opening the ledger, then a few creates of ~0.1 s each
JOB_PHASE_S = 30.0  # batch work outlives the whole test: cleanup meets every job and fine-tune still live
AGENT = Path(__file__).with_name("crash_agent.py")
PROVIDER = {
    "instance": "runcrate",
    "volume": "runcrate",
    "job": "runcrate",
    "workload": "inferencekey",
    "fine_tune": "clusterprotocol",
}


def left_on_sandbox(env: dict[str, str]) -> dict[str, set[str]]:
    """What the agents made that still exists (or runs), per kind, from the providers' own list APIs."""
    from neocloud.clusterprotocol import ClusterClient
    from neocloud.inferencekey import ManagementClient
    from neocloud.runcrate import Runcrate

    runcrate = Runcrate(api_key=env["RUNCRATE_API_KEY"], base_url=env["RUNCRATE_BASE_URL"])
    cluster = ClusterClient(api_key=env["CLUSTER_API_KEY"], base_url=env["CLUSTER_BASE_URL"])
    mgmt = ManagementClient(base_url=env["INFERENCEKEY_BASE_URL"], sdk_token=env["INFERENCEKEY_SDK_TOKEN"],
                            project=env["INFERENCEKEY_PROJECT"])  # fmt: skip
    return {
        "instance": {i.id for i in runcrate.instances.list() if i.status not in ("terminating", "terminated")},
        "volume": {v.id for v in runcrate.storage.list()},
        "job": {j.id for j in runcrate.jobs.list_all(status=["queued", "starting", "running"])},
        "workload": {w.slug for w in mgmt.list_workloads() if w.slug.startswith("crash-")},
        "fine_tune": {j.id for j in cluster.fine_tuning.list(limit=100) if j.status in ("queued", "running")},
    }


def volume_charges(env: dict[str, str]) -> dict[str, Decimal]:
    """What Runcrate charged net for each volume, by name: the week paid in advance less the refund on delete."""
    from neocloud.runcrate import Runcrate

    runcrate = Runcrate(api_key=env["RUNCRATE_API_KEY"], base_url=env["RUNCRATE_BASE_URL"])
    net: Counter[str] = Counter()
    offset = 0
    while True:
        page = runcrate.billing.list_transactions(limit=100, offset=offset)
        for t in page.data:
            if t.type in ("storage", "refund") and t.description.startswith("storage crash-"):
                net[t.description.split()[1]] -= Decimal(str(t.amount))  # a charge is negative
        offset += len(page.data)
        if not page.data or not page.has_more:
            return {name: Decimal(v) for name, v in net.items()}


def first_create_recorded(ledger_url: str, run_id: str, within_s: float = 60.0) -> None:
    """Wait until the ledger holds a resource made by ``run_id`` (bounded: a stuck agent fails the test)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        with open_ledger(ledger_url) as ledger:
            if any(e.resource is not None for e in ledger.entries(run_id=run_id)):
                return
        time.sleep(0.02)
    raise AssertionError(f"{run_id} recorded no resource within {within_s} s")


@pytest.mark.once  # 30 s of agents run and killed; the ledger's rules it checks are tested on every Python
def test_agents_killed_at_random_leave_nothing_after_cleanup_but_what_it_reports(tmp_path: Path, record_property: Callable[..., None],
                                                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from neocloud.runcrate import Runcrate
    from neocloud.sandbox import Sandbox, SandboxSettings

    rng = random.Random(SEED)
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    with Sandbox(settings=SandboxSettings(phase_s=0.05, job_phase_s=JOB_PHASE_S)) as sandbox:
        env = {**os.environ, **sandbox.env(), "NEOCLOUD_LEDGER": ledger_url, "CRASH_MAX_CREATES": "4"}
        key = Runcrate(api_key=env["RUNCRATE_API_KEY"], base_url=env["RUNCRATE_BASE_URL"]).ssh_keys.create(
            name="crash", public_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAcrashrecovery"
        )
        env["CRASH_SSH_KEY"] = key.id
        with open_ledger(ledger_url):
            pass  # the schema exists before the first agent races to create it
        zygote = subprocess.Popen([sys.executable, str(AGENT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, env=env)  # fmt: skip
        assert zygote.stdin is not None and zygote.stdout is not None
        kills = 0
        try:
            # Random instants prove nothing about a kind an overloaded machine never got to create: first, one
            # agent of each kind is killed right after its first create is recorded, whatever the load (first:
            # later ones may find an account's balance spent).
            for kind in KINDS:
                run_id = f"last-{kind}"
                zygote.stdin.write(f"{kind} {run_id}\n")
                zygote.stdin.flush()
                pid = int(zygote.stdout.readline())
                first_create_recorded(ledger_url, run_id)
                os.kill(pid, signal.SIGKILL)
                kills += 1
            for n in range(ROUNDS):
                agents = []
                for kind in (KINDS[(2 * n) % len(KINDS)], KINDS[(2 * n + 1) % len(KINDS)]):
                    zygote.stdin.write(f"{kind} r{n:03d}-{kind}\n")
                    zygote.stdin.flush()
                    agents.append((rng.uniform(0.0, LIFE_S), int(zygote.stdout.readline())))
                started = time.monotonic()
                for delay, pid in sorted(agents):
                    time.sleep(max(0.0, started + delay - time.monotonic()))
                    os.kill(pid, signal.SIGKILL)
                    kills += 1
        finally:
            zygote.stdin.close()
            zygote.wait(timeout=30)

        with open_ledger(ledger_url) as ledger:
            entries = ledger.entries()
            created = [e for e in entries if e.resource is not None]
            open_before = Counter(e.status.value for e in entries if e.status.open)
        before = left_on_sandbox(env)

        done = subprocess.run([sys.executable, "-m", "neocloud.cli", "cleanup", "--yes", "--json"], env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        report = json.loads(done.stdout)
        after = left_on_sandbox(env)
        charges = volume_charges(env)
        from neocloud.clusterprotocol import ClusterClient

        fine_tune_spent = ClusterClient(api_key=env["CLUSTER_API_KEY"], base_url=env["CLUSTER_BASE_URL"]).balance.get()

        with open_ledger(ledger_url) as ledger:
            entries = ledger.entries()
            still_open = ledger.open_intents()
            remaining = ledger.resources()

    made = [e.resource.id for e in entries if e.resource is not None]
    counts = {"kills": kills, "ledger_entries": len(entries), "recorded_before_cleanup": len(created),
              "open_before_cleanup": dict(open_before), "resolved_by_cleanup": len(report["resolved"]),
              "torn_down": len(report["torn_down"]), "resources_created": len(made),
              "created_by_kind": dict(Counter(e.resource.kind for e in entries if e.resource is not None)),
              "existing_before_cleanup": {k: len(v) for k, v in before.items()},
              "left_after_cleanup": {k: len(v) for k, v in after.items()},
              "unresolved": len(report["unresolved"])}  # fmt: skip
    for name, value in counts.items():
        record_property(name, value)
    log.warning("crash recovery: %s", counts)
    with capsys.disabled():
        print(f"\ncrash recovery: {counts}")

    assert kills >= 100
    assert set(counts["created_by_kind"]) == {"instance", "volume", "job", "workload", "fine_tune"}, counts
    assert report["failed"] == [], report
    # Each resource is recorded once (a create resolved after a kill is the same entry, not a second one).
    assert len(made) == len(set(made)), Counter(made).most_common(3)
    # Cleanup met jobs and fine-tunes still queued or running, and cancelled every one.
    assert before["job"] and before["fine_tune"], counts
    # Nothing of any kind is left, open or running, and cleanup resolved every lost outcome.
    assert after == {"instance": set(), "volume": set(), "job": set(), "workload": set(), "fine_tune": set()}
    assert remaining == [] and still_open == [] and report["unresolved"] == [], report["unresolved"]
    assert done.returncode == 0, done.stderr
    # Cluster Protocol charged one fine-tune price per job the ledger recorded: none was started twice.
    fine_tunes = [e for e in entries if e.operation == "clusterprotocol_create_fine_tune" and e.resource]
    assert fine_tune_spent.total_spent == pytest.approx(2.0 * len(fine_tunes))
    # Every volume the sandbox holds or held was recorded in the ledger exactly once.
    volumes = {e.arguments["name"]: e for e in entries if e.operation == "runcrate_create_volume" and e.resource}
    assert set(charges) == set(volumes)
    # What the ledger settled for each volume is what Runcrate charged, to the minute it rounds up to.
    for name, entry in volumes.items():
        assert entry.status is Status.SUCCEEDED and entry.actual_micros is not None
        minute = Decimal(entry.hourly_micros or 0) / 60 / 1_000_000
        assert charges[name] - Decimal("0.000002") <= entry.actual_usd <= charges[name] + minute + Decimal(
            "0.000002"), (name, entry.actual_usd, charges[name])  # fmt: skip
