"""The same commands on a terminal (a pseudo-terminal, as in a person's shell): rich tables, live progress views,
and the confirmation question answered at the prompt."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from neocloud.cli.main import EXIT_USAGE

# A CLI process under a pseudo-terminal per test: what it draws does not depend on the interpreter (the parser and
# its messages, which do, are tested on every Python in test_cli.py and test_cli_conventions.py).
pytestmark = [pytest.mark.skipif(not hasattr(__import__("os"), "openpty"), reason="needs a pseudo-terminal"),
              pytest.mark.once]  # fmt: skip

BAR = "━"  # rich's progress bar
BOX = ("┏", "┃", "│")  # rich's table


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", text).replace("\r", "")


def test_listings_are_tables_and_empty_ones_say_none(world: Any, in_pty: Any) -> None:
    code, out = in_pty(["instances", "types"])
    assert code == 0 and all(c in out for c in BOX) and "a100-1x-us-east" in plain(out)
    code, out = in_pty(["volumes", "list"])
    assert (code, plain(out).strip()) == (0, "none")  # no empty box


def test_a_create_asks_and_a_no_changes_nothing(world: Any, in_pty: Any) -> None:
    create = ["volumes", "create", "scratch", "--size-gb", "10", "--region", "us-east-1"]
    code, out = in_pty(create, answers={"[y/N]": "n"})
    text = plain(out)
    assert code == EXIT_USAGE and "create the 10 GB volume 'scratch' in us-east-1: $0.000411/h" in text
    assert "create the 10 GB volume 'scratch' in us-east-1? [y/N]" in text and "not confirmed" in text
    code, out = in_pty(["volumes", "list"])
    assert plain(out).strip() == "none"

    code, out = in_pty(create, answers={"[y/N]": "y"})
    assert code == 0 and "vol_" in plain(out) and "us-east-1" in plain(out)
    code, out = in_pty(["volumes", "list"])
    assert code == 0 and all(c in out for c in BOX) and "scratch" in out

    code, out = in_pty(["cleanup"], answers={"Go ahead? [y/N]": "y"})  # the ledger has it: cleanup removes it
    assert code == 0 and "1 resource(s) to tear down and 0 open call(s) to resolve. Go ahead? [y/N]" in plain(out)
    code, out = in_pty(["volumes", "list"])
    assert plain(out).strip() == "none"


def test_instance_launch_shows_live_progress(world: Any, in_pty: Any, cli: Any) -> None:
    from neocloud.runcrate import Runcrate

    client = Runcrate(api_key=world.env["RUNCRATE_API_KEY"], base_url=world.env["RUNCRATE_BASE_URL"])
    key = client.ssh_keys.create(name="t", public_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAtty").id
    code, out = in_pty(["instances", "create", "tty-box", "--gpu-type", "A100", "--ssh-key", key, "--max-runtime",
                        "30", "--wait", "--yes"])  # fmt: skip
    assert code == 0 and BAR in out and "running" in plain(out) and "tty-box" in plain(out)
    [box] = json.loads(cli("instances", "list", "--json").stdout)
    code, out = in_pty(["instances", "status", box["id"], "--wait"])
    assert code == 0 and BAR in out and "running" in plain(out)
    code, out = in_pty(["instances", "terminate", box["id"]], answers={"[y/N]": "y"})
    assert code == 0 and f"terminate instance {box['id']} (its disk is lost)? [y/N]" in plain(out)


def test_workload_readiness_is_a_progress_view(world: Any, in_pty: Any) -> None:
    code, out = in_pty(["workloads", "ensure", "tty-bot", "--model", "meta-llama/Llama-3.1-8B-Instruct",
                        "--assume-hourly", "1", "--yes", "--wait"])  # fmt: skip
    assert code == 0 and BAR in out and "ready: Serving" in plain(out)
    code, out = in_pty(["workloads", "wait", "tty-bot"])
    assert code == 0 and BAR in out
    code, out = in_pty(["workloads", "list"])
    assert code == 0 and all(c in out for c in BOX) and "tty-bot" in out
    code, out = in_pty(["workloads", "delete", "tty-bot", "--yes"])
    assert code == 0 and "deleted" in plain(out)


def test_fine_tune_and_video_progress(world: Any, in_pty: Any, tmp_path: Path) -> None:
    code, out = in_pty(["fine-tunes", "create", "--base-model", "llama-3.1-8b", "--training-file",
                        "https://data.example/t.jsonl", "--budget", "unlimited", "--yes", "--watch"])  # fmt: skip
    assert code == 0 and BAR in out and "succeeded" in plain(out)
    job = re.search(r"ft_job_[0-9a-f]+", plain(out))
    assert job is not None
    code, out = in_pty(["fine-tunes", "watch", job.group(0)])
    assert code == 0 and BAR in out
    code, out = in_pty(["fine-tunes", "list"])
    assert code == 0 and all(c in out for c in BOX) and job.group(0) in out

    target = tmp_path / "tty.mp4"
    code, out = in_pty(["video", "generate", "waves", "-m", "wan-ai/wan2.1", "-o", str(target), "--assume-hourly",
                        "0.2"], answers={"[y/N]": "y"})  # fmt: skip
    assert code == 0 and BAR in out and "completed" in plain(out) and target.stat().st_size > 0


def test_chat_on_a_terminal_needs_a_prompt(world: Any, in_pty: Any) -> None:
    code, out = in_pty(["chat", "-p", "cerebras"])
    assert code == EXIT_USAGE and "chat needs a prompt" in plain(out)
    code, out = in_pty(["chat", "-p", "cerebras", "--max-tokens", "4", "Hello"])
    assert code == 0 and len(plain(out).split()) == 4
