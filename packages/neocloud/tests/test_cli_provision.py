"""The shell commands against a sandbox, piped (stdout not a terminal): plain tab-separated output, ``--json`` parsed
and checked, creates priced and confirmed and recorded in the spend ledger like an agent's calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from neocloud.cli.main import EXIT_USAGE

# A CLI process per step of each flow against the sandbox: the flows do not depend on the interpreter (the parser
# and its messages, which do, are tested on every Python in test_cli.py and test_cli_conventions.py).
pytestmark = pytest.mark.once_oldest


def runcrate(world: Any) -> Any:
    from neocloud.runcrate import Runcrate

    return Runcrate(api_key=world.env["RUNCRATE_API_KEY"], base_url=world.env["RUNCRATE_BASE_URL"], max_retries=0)


def ledger_json(cli: Any) -> dict[str, Any]:
    shown = cli("ledger", "--json")
    assert shown.returncode == 0, shown.stderr
    return dict(json.loads(shown.stdout))


def test_instances_create_status_terminate(world: Any, cli: Any) -> None:
    key = runcrate(world).ssh_keys.create(name="cli", public_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAclibox").id
    launch = ("instances", "create", "box", "--gpu-type", "A100", "--ssh-key", key, "--max-runtime", "60")

    refused = cli(*launch)  # piped, no --yes: nothing to ask on
    assert refused.returncode == EXIT_USAGE and "pass --yes" in refused.stderr and refused.stdout == ""
    assert "$1.29/h, at most $1.29 (a100-1x-us-east at $1.29/h for at most 60 minutes)" in refused.stderr
    assert cli("instances", "list").stdout == "none\n"  # nothing was launched

    made = cli(*launch, "--yes", "--json", "--run", "run-cli")
    assert made.returncode == 0, made.stderr
    box = json.loads(made.stdout)
    assert (box["name"], box["gpu_type"], box["cost_per_hour"], box["run_id"]) == ("box", "A100", 1.29, "run-cli")
    assert "recorded in the spend ledger as run run-cli" in made.stderr
    summary = ledger_json(cli)
    assert [(r["kind"], r["id"], r["run_id"]) for r in summary["resources"]] == [("instance", box["id"], "run-cli")]
    assert summary["total_usd"] == "1.29"

    listed = cli("instances", "list")
    assert listed.stdout.splitlines()[0].split("\t")[:2] == [box["id"], "box"]
    status = cli("instances", "status", box["id"], "--wait", "--json")
    assert status.returncode == 0 and json.loads(status.stdout)["status"] == "running"
    assert f"{box['id']}: running" in status.stderr  # the plain progress lines
    plain = cli("instances", "status", box["id"])
    assert "status\trunning" in plain.stdout.splitlines()

    gone = cli("instances", "terminate", box["id"], "--yes", "--json")
    assert gone.returncode == 0 and json.loads(gone.stdout) == {"terminated": box["id"]}
    assert ledger_json(cli)["resources"] == []  # the teardown is in the ledger too


def test_instances_types_and_budget(world: Any, cli: Any) -> None:
    types = json.loads(cli("instances", "types", "--json").stdout)
    a100 = next(t for t in types if t["id"] == "a100-1x-us-east")
    assert (a100["gpu_type"], a100["hourly_rate"]) == ("A100", 1.29)
    assert "a100-1x-us-east\tA100\t1\tus-east\t1.29" in cli("instances", "types").stdout.splitlines()
    over = cli("instances", "create", "big", "--gpu-type", "A100", "--ssh-key", "key_x", "--max-runtime", "600",
               "--budget", "5", "--yes")  # fmt: skip
    assert over.returncode == EXIT_USAGE and "refused" in over.stderr and "$12.90" in over.stderr
    bad = cli("instances", "create", "big", "--gpu-type", "A100", "--ssh-key", "k", "--budget", "lots")
    assert bad.returncode == 2 and "--budget: must be a non-negative amount in USD or 'unlimited'" in bad.stderr


def test_volumes_create_list_delete(world: Any, cli: Any) -> None:
    assert cli("volumes", "list").stdout == "none\n"
    assert json.loads(cli("volumes", "list", "--json").stdout) == []
    made = cli("volumes", "create", "data", "--size-gb", "100", "--region", "us-east-1", "--yes", "--json")
    assert made.returncode == 0, made.stderr
    volume = json.loads(made.stdout)
    assert (volume["name"], volume["size_gb"], volume["region"]) == ("data", 100, "us-east-1")
    assert "$0.00411/h, at most $0.692308 (100 GB at $0.03/GB-month" in made.stderr  # a week charged up front
    assert cli("volumes", "list").stdout.split("\t")[:3] == [volume["id"], "data", "100"]
    deleted = cli("volumes", "delete", volume["id"], "--yes", "--json")
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(deleted.stdout)["deleted"] == volume["id"] and json.loads(deleted.stdout)["refund_amount"] > 0
    assert cli("volumes", "list").stdout == "none\n" and ledger_json(cli)["resources"] == []


def test_a_fresh_sandbox_says_how_to_chat_with_inferencekey(world: Any, cli: Any) -> None:
    missing = cli("chat", "-p", "inferencekey", "hi")
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1
    assert "workload support-bot not found" in missing.stderr and "(request id req_" in missing.stderr
    assert "Hint: the project has no workload 'support-bot'; create it with `neocloud workloads ensure support-bot" \
        in missing.stderr  # fmt: skip
    assert cli("workloads", "list").stdout == "none\n"


def test_workloads_ensure_wait_chat_delete(world: Any, cli: Any) -> None:
    ensure = ("workloads", "ensure", "support-bot", "--model", "meta-llama/Llama-3.1-8B-Instruct", "--yes")
    unpriced = cli(*ensure)
    assert unpriced.returncode == EXIT_USAGE and "pass --assume-hourly USD" in unpriced.stderr
    made = cli(*ensure, "--assume-hourly", "2", "--wait", "--json")
    assert made.returncode == 0, made.stderr
    answer = json.loads(made.stdout)
    assert (answer["workload"], answer["created"], answer["ready"]) == ("support-bot", True, True)
    assert answer["endpoint"].endswith("/inferencekey/endpoint/acme/support-bot/v1")
    assert "reserves $2.00 of the run's budget" in made.stderr
    assert "support-bot: ready" in made.stderr  # the readiness phases, one plain line each
    assert [r["id"] for r in ledger_json(cli)["resources"]] == ["support-bot"]

    waited = cli("workloads", "wait", "support-bot", "--json")
    assert waited.returncode == 0 and json.loads(waited.stdout) == {"workload": "support-bot", "ready": True}
    rows = [line.split("\t") for line in cli("workloads", "list").stdout.splitlines()]
    assert rows == [["support-bot", "support-bot", "text2text", "vllm", "meta-llama/Llama-3.1-8B-Instruct"]]
    chat = cli("chat", "-p", "inferencekey", "--max-tokens", "3", "--json", "hi")
    assert chat.returncode == 0 and json.loads(chat.stdout)["model"] == "support-bot"

    deleted = cli("workloads", "delete", "support-bot", "--yes", "--json")
    assert json.loads(deleted.stdout) == {"deleted": True, "slug": "support-bot"}
    assert cli("workloads", "list").stdout == "none\n" and ledger_json(cli)["resources"] == []


def test_fine_tunes_create_watch_cancel(world: Any, cli: Any) -> None:
    create = ("fine-tunes", "create", "--base-model", "llama-3.1-8b", "--training-file", "https://data.example/t.jsonl",
              "--yes", "--json")  # fmt: skip
    assert cli(*create).returncode == EXIT_USAGE  # no published price, and a budget: refused before sending
    assert cli("fine-tunes", "list").stdout == "none\n"
    made = cli(*create, "--budget", "unlimited", "--watch")
    assert made.returncode == 0, made.stderr
    job = json.loads(made.stdout)
    assert (job["status"], job["progress"], job["fine_tuned_model"]) == ("succeeded", 1.0, "llama-3.1-8b:ft-" +
                                                                         job["id"][-6:])  # fmt: skip
    assert f"{job['id']}: succeeded" in made.stderr.splitlines()[-1]
    watched = cli("fine-tunes", "watch", job["id"], "--json")
    assert watched.returncode == 0 and json.loads(watched.stdout)["status"] == "succeeded"
    assert cli("fine-tunes", "list").stdout.split("\t")[:2] == [job["id"], "succeeded"]

    from neocloud.sandbox import Sandbox, SandboxSettings

    with Sandbox(settings=SandboxSettings(phase_s=60)) as slow:  # a job that is still queued when it is cancelled
        env = slow.env()
        second = json.loads(cli(*create, "--assume-hourly", "3", env=env).stdout)
        assert second["status"] == "queued"
        cancelled = cli("fine-tunes", "cancel", second["id"], "--yes", "--json", env=env)
        assert cancelled.returncode == 0 and json.loads(cancelled.stdout)["status"] == "cancelled"
        ended = cli("fine-tunes", "watch", second["id"], env=env)
        assert ended.returncode == 1 and "status\tcancelled" in ended.stdout.splitlines()  # not a success


def test_video_generate_saves_the_file(world: Any, cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "clip.mp4"
    made = cli("video", "generate", "-", "-m", "wan-ai/wan2.1", "-o", str(target), "--assume-hourly", "0.5", "--yes",
               "--json", stdin="a lighthouse at dawn\n")  # fmt: skip
    assert made.returncode == 0, made.stderr
    saved = json.loads(made.stdout)
    assert saved["path"] == str(target) and saved["bytes"] == target.stat().st_size > 0
    assert target.read_bytes().startswith(b"\x00\x00\x00\x18ftypmp42")
    assert f"{saved['job_id']}: completed 100%" in made.stderr
    [entry] = ledger_json(cli)["spend"]
    assert (entry["provider"], entry["committed_usd"]) == ("runcrate", "0.5")
