"""The toolkits' spend guard rails are the durable ledger and its atomic budget, against the live sandbox, through
the LangChain toolkits and the LlamaIndex tool specs, sync and async: parallel creates under a cap, a create whose
answer was lost, the default budget, operations that spend without creating, the durable record and its run id,
cleanup across processes, and the hourly cap."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from neocloud.core.ledger import Budget, InMemoryLedger, Status, open_ledger
from neocloud.core.tools import SpendPolicy

SURFACES = ["langchain-sync", "langchain-async", "llamaindex-sync", "llamaindex-async"]
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAbudgets"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from neocloud.sandbox import Sandbox, SandboxSettings

    with Sandbox(settings=SandboxSettings(phase_s=0.02)) as sb:
        yield sb


def runcrate(sb: Any) -> Any:
    from neocloud.runcrate import Runcrate

    url = sb.base_url("runcrate")
    # No client retries: a lost answer reaches the tool (the client's own retries are covered elsewhere).
    return Runcrate(api_key="rc_live_sandbox-valid", base_url=url, inference_url=url, max_retries=0)


class Tools:
    """Runcrate's tools on one surface, called the way that framework calls them (LangChain with a full tool
    call, LlamaIndex never with an id); each call answers ``(ok, text)``."""

    def __init__(self, surface: str, client: Any, **options: Any) -> None:
        self.framework, mode = surface.split("-")
        self.is_async = mode == "async"
        options.setdefault("allow_billable", True)
        options.setdefault("allow_destructive", True)
        if self.framework == "langchain":
            from neocloud.langchain import RuncrateToolkit

            self.kit: Any = RuncrateToolkit(client=client, **options)
            self.tools = {t.name: t for t in self.kit.get_tools()}
        else:
            from neocloud.llamaindex import RuncrateToolSpec

            self.kit = RuncrateToolSpec(client=client, **options)
            self.tools = {t.metadata.name: t for t in self.kit.to_tool_list()}
        self.calls = 0

    def description(self, name: str) -> str:
        tool = self.tools[name]
        return str(tool.description if self.framework == "langchain" else tool.metadata.description)

    async def acall(self, name: str, call_id: str | None = None, /, **args: Any) -> tuple[bool, str]:
        tool = self.tools[name]
        if self.framework == "langchain":
            self.calls += 1
            call = {"type": "tool_call", "id": call_id or f"call-{self.calls}", "name": name, "args": args}
            message = await tool.ainvoke(call) if self.is_async else await asyncio.to_thread(tool.invoke, call)
            return message.status == "success", str(message.content)
        output = await tool.acall(**args) if self.is_async else await asyncio.to_thread(tool.call, **args)
        return not output.is_error, str(output.content)

    def __call__(self, name: str, call_id: str | None = None, /, **args: Any) -> tuple[bool, str]:
        if not self.is_async and self.framework == "langchain":  # a plain sync call, no event loop involved
            self.calls += 1
            call = {"type": "tool_call", "id": call_id or f"call-{self.calls}", "name": name, "args": args}
            message = self.tools[name].invoke(call)
            return message.status == "success", str(message.content)
        if not self.is_async:
            output = self.tools[name].call(**args)
            return not output.is_error, str(output.content)
        return asyncio.run(self.acall(name, call_id, **args))

    def parallel(self, name: str, calls: list[dict[str, Any]]) -> list[tuple[bool, str]]:
        """``calls`` at once: threads for the sync tools, one ``gather`` for the async ones."""
        if self.is_async:

            async def together() -> list[tuple[bool, str]]:
                return list(await asyncio.gather(*(self.acall(name, **args) for args in calls)))

            return asyncio.run(together())
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(lambda args: self(name, **args), calls))


def ssh_key(client: Any) -> str:
    return str(client.ssh_keys.create(name="budgets", public_key=PUBLIC_KEY).id)


def live(client: Any) -> list[Any]:
    return [i for i in client.instances.list() if i.status not in ("terminating", "terminated")]


# -- 1. parallel creates under a cap: the check and the record are one atomic step -------------------------------
CAPS = {
    "budget": {"budget": Budget(max_usd=3)},  # $1.29 each: two fit ($2.58), a third does not
    "max_total_usd": {"spend_policy": SpendPolicy(max_total_usd=3)},
    "max_hourly_usd": {"spend_policy": SpendPolicy(max_hourly_usd=3)},  # $1.29/h x 1 h each
}


@pytest.mark.parametrize("cap", list(CAPS))
@pytest.mark.parametrize("surface", SURFACES)
def test_ten_parallel_creates_under_a_cap_for_two_make_exactly_two(sandbox: Any, surface: str, cap: str) -> None:
    sandbox.reset()
    client = runcrate(sandbox)
    key = ssh_key(client)
    tools = Tools(surface, client, **CAPS[cap])
    calls = [{"name": f"box-{i}", "gpu_type": "A100", "ssh_key_id": key, "max_runtime_minutes": 60} for i in range(10)]
    answers = tools.parallel("runcrate_create_instance", calls)
    made = [json.loads(text)["id"] for ok, text in answers if ok]
    refused = [text for ok, text in answers if not ok]
    assert len(made) == 2 and len(client.instances.list()) == 2
    assert len(refused) == 8
    for text in refused:  # what was asked, what is left, and why
        assert "runcrate_create_instance was refused before anything was sent" in text
        assert "it may cost up to $1.29" in text and "has $0.42 left of $3.00" in text
        assert "$2.58 already spent or reserved" in text
    assert sorted(r.id for r in tools.kit.session.resources()) == sorted(made)
    assert tools.kit.cleanup() and live(client) == []


# -- 2. a create whose answer was lost -------------------------------------------------------------------------------
@pytest.mark.parametrize("surface", SURFACES)
def test_a_lost_create_holds_its_reservation_and_cleanup_finds_and_removes_it(sandbox: Any, surface: str) -> None:
    sandbox.reset()
    client = runcrate(sandbox)
    key = ssh_key(client)
    sandbox.faults("runcrate", [{"kind": "drop_after_act", "path": "/api/v1/instances", "method": "POST", "times": 1}])
    tools = Tools(surface, client, spend_policy=SpendPolicy(max_total_usd=2))  # room for one $1.29 instance
    args = {"name": "lost", "gpu_type": "A100", "ssh_key_id": key, "max_runtime_minutes": 60}
    ok, text = tools("runcrate_create_instance", "c1", **args)
    assert not ok  # the connection dropped after the provider acted
    assert len(client.instances.list()) == 1  # the provider acted; the answer never came back

    ok, text = tools("runcrate_create_instance", "c2", **args)  # the agent retries under a new tool-call id
    assert not ok and "refused before anything was sent" in text and "has $0.71 left of $2.00" in text
    assert len(client.instances.list()) == 1

    [entry] = tools.kit.session.entries()
    assert entry.status is Status.UNKNOWN and entry.idempotency_key and entry.reserved_usd == Decimal("1.29")
    unset = ("region", "template", "instance_type_id", "cpu_cores", "memory", "storage", "env_vars",
             "startup_commands", "storage_id", "launch_script", "idle_shutdown_minutes")  # fmt: skip
    assert entry.arguments == {**args, "gpu_count": 1, **dict.fromkeys(unset)}

    report = tools.kit.cleanup()
    [instance] = client.instances.list()
    assert instance.status in ("terminating", "terminated")
    assert list(report) == [f"instance {instance.id}"] and instance.id in report.resolved[0]
    [entry] = tools.kit.session.entries()
    assert entry.status is Status.SUCCEEDED and entry.resource is not None and entry.resource.id == instance.id
    assert entry.torn_down_at is not None and tools.kit.session.ledger.open_intents() == []


# -- 3. billable tools without a budget get the default one -------------------------------------------------------
@pytest.mark.parametrize("surface", SURFACES)
def test_billable_tools_without_a_budget_stop_at_the_default_budget(sandbox: Any, surface: str) -> None:
    sandbox.reset()
    client = runcrate(sandbox)
    key = ssh_key(client)
    tools = Tools(surface, client)
    assert "$10.00" in tools.description("runcrate_create_instance")
    assert "$10.00" in tools.description("runcrate_create_volume")
    answers = [tools("runcrate_create_instance", f"c{i}", name=f"loop-{i}", gpu_type="A100", ssh_key_id=key)
               for i in range(12)]  # fmt: skip
    assert [ok for ok, _ in answers] == [True] * 7 + [False] * 5  # 7 x ($1.29/h x 1 h) fit in $10
    assert "default budget" in answers[7][1] and "has $0.97 left of $10.00" in answers[7][1]
    assert len(client.instances.list()) == 7
    tools.kit.cleanup()


@pytest.mark.parametrize("surface", ["langchain-sync", "llamaindex-async"])
def test_unlimited_only_when_asked_for(sandbox: Any, surface: str) -> None:
    from neocloud.core.tools import UNLIMITED

    sandbox.reset()
    client = runcrate(sandbox)
    key = ssh_key(client)
    tools = Tools(surface, client, budget=UNLIMITED)
    assert "$10.00" not in tools.description("runcrate_create_instance")
    answers = [tools("runcrate_create_instance", f"c{i}", name=f"u-{i}", gpu_type="A100", ssh_key_id=key)
               for i in range(9)]  # fmt: skip
    assert all(ok for ok, _ in answers) and len(client.instances.list()) == 9
    assert tools.kit.session.spend().committed_usd == 9 * Decimal("1.29")  # still recorded
    tools.kit.cleanup()


# -- 4. operations that spend without creating count too ---------------------------------------------------------
@pytest.mark.parametrize("surface", SURFACES)
def test_resizes_count_against_the_budget(sandbox: Any, surface: str) -> None:
    sandbox.reset()
    client = runcrate(sandbox)
    tools = Tools(surface, client, spend_policy=SpendPolicy(max_total_usd=2))
    ok, text = tools("runcrate_create_volume", "v1", name="data", size_gb=10, region="us-east-1")
    assert ok
    volume = json.loads(text)["id"]
    results = [tools("runcrate_resize_volume", f"r{i}", volume_id=volume, size_gb=10 + 100 * i) for i in range(1, 11)]
    assert [ok for ok, _ in results] == [True, True] + [False] * 8  # $0.07 + 2 x $0.69; a third $0.69 is over $2
    assert "runcrate_resize_volume was refused before anything was sent" in results[2][1]
    assert client.storage.get(volume).size_gb == 210
    charged = -sum(t.amount or 0 for t in client.billing.list_transactions(limit=100) if t.type == "storage")
    counted = float(tools.kit.session.spend().committed_usd)
    assert charged - 1e-9 <= counted <= charged + 0.01  # the ledger counted what was charged (a worst case, never less)
    tools.kit.cleanup()


# -- 5. the durable ledger by default, a run id per toolkit, ledger= and budget= -------------------------------------
@pytest.mark.parametrize("surface", SURFACES)
def test_toolkits_record_to_the_default_ledger_under_their_run_id(sandbox: Any, surface: str) -> None:
    sandbox.reset()
    client = runcrate(sandbox)
    tools = Tools(surface, client, run_id="nightly-42")
    ok, text = tools("runcrate_create_volume", "v1", name="data", size_gb=100, region="us-east-1")
    assert ok
    volume = json.loads(text)["id"]
    with open_ledger() as ledger:  # NEOCLOUD_LEDGER: the test configuration points it at a temporary file
        [entry] = ledger.entries(run_id="nightly-42")
        assert (entry.operation, entry.provider, entry.status) == ("runcrate_create_volume", "runcrate",
                                                                   Status.SUCCEEDED)  # fmt: skip
        assert entry.resource is not None and entry.resource.id == volume
        assert float(entry.estimate_usd) == pytest.approx(100 * 0.03 * 12 / 52, abs=1e-6)
    other = Tools(surface, client)
    assert other.kit.session.run_id != tools.kit.session.run_id != Tools(surface, client).kit.session.run_id
    tools.kit.cleanup()


@pytest.mark.parametrize("surface", SURFACES)
def test_an_explicit_ledger_and_budget_are_used(sandbox: Any, surface: str) -> None:
    sandbox.reset()
    client = runcrate(sandbox)
    ledger = InMemoryLedger()
    tools = Tools(surface, client, ledger=ledger, budget=Budget(max_usd=1), run_id="mine")
    assert "$1.00" in tools.description("runcrate_create_volume")
    assert tools("runcrate_create_volume", "v1", name="a", size_gb=100, region="us-east-1")[0]  # $0.69
    ok, text = tools("runcrate_create_volume", "v2", name="b", size_gb=100, region="us-east-1")
    assert not ok and "has $0.307692 left of $1.00" in text
    assert [e.status for e in ledger.entries(run_id="mine")] == [Status.SUCCEEDED]
    with open_ledger() as default:
        assert default.entries(run_id="mine") == []
    tools.kit.cleanup()


def test_the_test_suite_never_writes_the_user_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    from neocloud.core.ledger import default_path, parse_ledger_url

    configured = parse_ledger_url(os.environ["NEOCLOUD_LEDGER"])
    user_dir = platformdirs.user_data_path("neocloud")
    assert configured.kind == "sqlite" and not Path(configured.target).is_relative_to(user_dir)
    assert default_path() == user_dir / "ledger.sqlite3"
    # Constructing a toolkit and listing its tools opens nothing, even with the default path in effect.
    monkeypatch.setattr(platformdirs, "user_data_path", lambda app: tmp_path / "data" / app)
    monkeypatch.delenv("NEOCLOUD_LEDGER")
    from neocloud.langchain import RuncrateToolkit

    RuncrateToolkit(api_key="rc_live_sandbox-valid", allow_billable=True).get_tools()
    assert default_path() == tmp_path / "data" / "neocloud" / "ledger.sqlite3" and not (tmp_path / "data").exists()


# -- 6. cleanup across processes -------------------------------------------------------------------------------------
CRASHING_AGENT = """
import json, os, sys
from neocloud.langchain import RuncrateToolkit
from neocloud.runcrate import Runcrate

url, key = sys.argv[1], sys.argv[2]
client = Runcrate(api_key="rc_live_sandbox-valid", base_url=url, inference_url=url, max_retries=0)
tools = {t.name: t for t in RuncrateToolkit(client=client, allow_billable=True, run_id="crashed-run").get_tools()}
for i, (name, args) in enumerate([("runcrate_create_instance", {"name": "orphan", "gpu_type": "L40S",
                                                                "ssh_key_id": key}),
                                  ("runcrate_create_volume", {"name": "orphan", "size_gb": 20,
                                                              "region": "us-east-1"})]):
    message = tools[name].invoke({"type": "tool_call", "id": f"c{i}", "name": name, "args": args})
    assert message.status == "success", message.content
os._exit(1)  # a crash: no cleanup, no atexit
"""


def test_a_new_toolkit_with_the_same_run_id_cleans_up_after_a_crashed_process(sandbox: Any) -> None:
    sandbox.reset()
    client = runcrate(sandbox)
    key = ssh_key(client)
    done = subprocess.run([sys.executable, "-c", CRASHING_AGENT, sandbox.base_url("runcrate"), key],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert len(live(client)) == 1 and len(client.storage.list()) == 1

    from neocloud.langchain import RuncrateToolkit

    with open_ledger() as ledger:  # the same ledger (NEOCLOUD_LEDGER), a new connection
        report = RuncrateToolkit(client=client, ledger=ledger, run_id="crashed-run").cleanup()
        assert sorted(s.split()[0] for s in report) == ["instance", "volume"]
        assert live(client) == [] and list(client.storage.list()) == []
        assert ledger.resources(run_id="crashed-run") == []
        assert len(ledger.resources(run_id="crashed-run", include_torn_down=True)) == 2
    assert "instance" in str(report) and "volume" in str(report)


@pytest.mark.parametrize("surface", SURFACES)
def test_cleanup_tears_down_what_an_abandoned_toolkit_of_the_run_made(sandbox: Any, surface: str) -> None:
    sandbox.reset()
    client = runcrate(sandbox)
    first = Tools(surface, client, run_id="shared-run")
    assert first("runcrate_create_volume", "v1", name="a", size_gb=20, region="us-east-1")[0]
    del first  # abandoned without cleanup
    second = Tools(surface, client, run_id="shared-run")
    if second.is_async:
        report = asyncio.run(second.kit.acleanup())
    else:
        report = second.kit.cleanup()
    assert len(report) == 1 and report[0].startswith("volume ") and list(client.storage.list()) == []
    assert second.kit.cleanup() == []  # nothing left to do


# -- 7. the hourly cap: an hourly rate reserved for a declared runtime ------------------------------------------------
@pytest.mark.parametrize("surface", SURFACES)
def test_the_hourly_cap_counts_what_the_run_has_running_and_stopping_frees_it(sandbox: Any, surface: str) -> None:
    sandbox.reset()
    client = runcrate(sandbox)
    key = ssh_key(client)
    policy = SpendPolicy(max_hourly_usd=2.0)  # two L40S ($0.89/h each), not three
    tools = Tools(surface, client, spend_policy=policy, run_id="hourly")
    l40s = {"gpu_type": "L40S", "ssh_key_id": key}
    made = [json.loads(tools("runcrate_create_instance", f"c{i}", name=f"g{i}", **l40s)[1])["id"] for i in range(2)]
    assert tools.kit.session.running_hourly_usd() == Decimal("1.78")
    # Another toolkit of the same run sees what is running (the durable ledger, not an in-process list).
    again = Tools(surface, client, spend_policy=policy, run_id="hourly")
    ok, text = again("runcrate_create_instance", "c3", name="g3", **l40s)
    assert not ok and "hourly cap" in text and "$2.00/h" in text and "has $0.22 left of $2.00" in text
    assert tools("runcrate_terminate_instance", "t1", instance_id=made[0])[0]
    assert tools.kit.session.running_hourly_usd() == Decimal("0.89")
    assert again("runcrate_create_instance", "c4", name="g4", **l40s)[0]  # stopping one freed its hour
    again.kit.cleanup()
    assert live(client) == []
