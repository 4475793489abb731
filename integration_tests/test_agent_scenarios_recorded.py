"""Agents that provision through our tools, driven by explicitly scripted chat models (the sandbox's scripting:
every model turn below is written out), replayed from cassettes. Each scenario leaves nothing running."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from neocloud_testing.targets import Target

from neocloud.core.tools import SpendPolicy

pytestmark = pytest.mark.vcr
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAagents"


def turn(*calls: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """One scripted model turn: tool calls ``(id, name, arguments)``."""
    return {"tool_calls": [{"id": i, "name": n, "arguments": a} for i, n, a in calls]}


def say(text: str) -> dict[str, Any]:
    return {"content": text}


def chat(target: Target) -> Any:
    from neocloud.langchain import ChatCerebras

    return ChatCerebras(model="llama3.1-8b", api_key=target.api_key, base_url=target.base_url, max_retries=0)


def ik_clients(target: Target) -> Any:
    from neocloud.inferencekey import ManagementClient
    from neocloud.inferencekey.tools import Clients

    project = target.extra["project"]
    mgmt = ManagementClient(base_url=target.base_url, sdk_token=target.api_key, project=project, max_retries=0)
    return Clients(mgmt, target.base_url, project)


def test_langchain_agent_provisions_waits_uses_and_cleans_up_with_human_approval(
    cerebras_target: Target, inferencekey_target: Target
) -> None:
    from langchain.agents import create_agent
    from langchain.agents.middleware import HumanInTheLoopMiddleware
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.types import Command

    from neocloud.langchain import ChatInferenceKey, InferenceKeyToolkit

    spec = {"slug": "demo-bot", "model": "meta-llama/Llama-3.1-8B-Instruct"}
    cerebras_target.script(
        turn(("c1", "inferencekey_ensure_workload", spec)),
        turn(("c2", "inferencekey_wait_until_ready", {"slug": "demo-bot", "timeout_seconds": 60})),
        turn(("c3", "inferencekey_get_endpoint", {"slug": "demo-bot"})),
        say("demo-bot is ready."),
        turn(("c4", "inferencekey_delete_workload", {"slug": "demo-bot"})),
        say("demo-bot is deleted."),
    )
    clients = ik_clients(inferencekey_target)
    # InferenceKey publishes no prices: the default budget allows a workload once the toolkit says what to assume.
    toolkit = InferenceKeyToolkit(client=clients, allow_billable=True, allow_destructive=True,
                                  spend_policy=SpendPolicy(unpriced_hourly_usd=2.0))  # fmt: skip
    agent = create_agent(chat(cerebras_target), tools=toolkit.get_tools(), checkpointer=InMemorySaver(),
                         middleware=[HumanInTheLoopMiddleware(interrupt_on={"inferencekey_ensure_workload": True,
                                                                            "inferencekey_delete_workload": True})])  # fmt: skip
    config: Any = {"configurable": {"thread_id": "provision"}}
    paused = agent.invoke({"messages": [{"role": "user", "content": "Start demo-bot."}]}, config)
    [request] = paused["__interrupt__"][0].value["action_requests"]
    assert (request["name"], request["args"]) == ("inferencekey_ensure_workload", spec)
    assert clients.management.list_workloads() == []  # nothing happens before the human says yes
    done = agent.invoke(Command(resume={"decisions": [{"type": "approve"}]}), config)
    tool_results = {m.name: json.loads(m.content) for m in done["messages"] if m.type == "tool"}
    assert tool_results["inferencekey_wait_until_ready"]["progress"][-1] == "ready: Serving"
    assert done["messages"][-1].content == "demo-bot is ready."

    # Use it: a chat model bound to the workload the agent started.
    served = ChatInferenceKey(model="demo-bot", project=clients.project, base_url=inferencekey_target.base_url,
                              api_key=inferencekey_target.extra["data_key"], max_retries=0).invoke("Hola")  # fmt: skip
    assert served.content and served.response_metadata["model_name"] == "demo-bot"

    agent.invoke({"messages": [{"role": "user", "content": "Delete it."}]}, config)
    final = agent.invoke(Command(resume={"decisions": [{"type": "approve"}]}), config)
    assert final["messages"][-1].content == "demo-bot is deleted." and clients.management.list_workloads() == []
    assert toolkit.cleanup() == []  # the agent already removed what it made


def test_langchain_agent_told_no_and_refused_by_the_cap(cerebras_target: Target, runcrate_target: Target) -> None:
    from langchain.agents import create_agent
    from langchain.agents.middleware import HumanInTheLoopMiddleware
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.types import Command

    from neocloud.langchain import RuncrateToolkit
    from neocloud.runcrate import Runcrate

    client = Runcrate(api_key=runcrate_target.api_key, base_url=runcrate_target.base_url, max_retries=0)
    key = client.ssh_keys.create(name="agent", public_key=KEY)
    h100 = {"name": "big", "gpu_type": "H100", "gpu_count": 8, "ssh_key_id": key.id}
    cerebras_target.script(
        turn(("c1", "runcrate_create_instance", h100)),
        say("Understood, I will not launch it."),
        turn(("c2", "runcrate_create_instance", {**h100, "gpu_count": 1})),
        say("The spending cap does not allow an H100."),
    )
    toolkit = RuncrateToolkit(client=client, allow_billable=True, spend_policy=SpendPolicy(max_hourly_usd=2.0))
    agent = create_agent(chat(cerebras_target), tools=toolkit.get_tools(), checkpointer=InMemorySaver(),
                         middleware=[HumanInTheLoopMiddleware(interrupt_on={"runcrate_create_instance": True})])  # fmt: skip
    config: Any = {"configurable": {"thread_id": "denied"}}
    agent.invoke({"messages": [{"role": "user", "content": "Launch 8 H100s."}]}, config)
    denied = agent.invoke(Command(resume={"decisions": [{"type": "reject", "message": "Too expensive."}]}), config)
    assert "Too expensive." in denied["messages"][-2].content and list(client.instances.list()) == []

    agent.invoke({"messages": [{"role": "user", "content": "Then one H100."}]}, config)
    capped = agent.invoke(Command(resume={"decisions": [{"type": "approve"}]}), config)
    refusal = capped["messages"][-2]
    assert refusal.type == "tool" and refusal.status == "error"
    assert "this run's hourly cap ($2.00/h x 1 h) has $2.00 left of $2.00" in refusal.content
    assert "may cost up to $2.49" in refusal.content and list(client.instances.list()) == []
    assert capped["messages"][-1].content == "The spending cap does not allow an H100."
    client.ssh_keys.delete(key.id)


def test_replayed_create_leaves_one_instance(cerebras_target: Target, runcrate_target: Target) -> None:
    from langchain.agents import create_agent

    from neocloud.langchain import RuncrateToolkit
    from neocloud.runcrate import Runcrate

    client = Runcrate(api_key=runcrate_target.api_key, base_url=runcrate_target.base_url, max_retries=0)
    key = client.ssh_keys.create(name="agent", public_key=KEY)
    args = {"name": "once", "gpu_type": "A100", "ssh_key_id": key.id, "max_runtime_minutes": 30}
    # The model emits the same call twice (a retried turn replays the call id): one instance must result.
    cerebras_target.script(turn(("same", "runcrate_create_instance", args)),
                           turn(("same", "runcrate_create_instance", args)), say("Launched once."))  # fmt: skip
    with RuncrateToolkit(client=client, allow_billable=True, allow_destructive=True) as toolkit:
        result = create_agent(chat(cerebras_target), tools=toolkit.get_tools()).invoke(
            {"messages": [{"role": "user", "content": "Launch an A100."}]})  # fmt: skip
        made = [json.loads(m.content)["id"] for m in result["messages"] if m.type == "tool"]
        assert len(made) == 2 and made[0] == made[1] and len(client.instances.list()) == 1
    assert next(i.status for i in client.instances.list()) in ("terminating", "terminated")  # cleaned up
    client.ssh_keys.delete(key.id)


def test_llamaindex_function_agent_with_workflow_approval(cerebras_target: Target, runcrate_target: Target) -> None:
    from llama_index.core.agent.workflow import FunctionAgent
    from llama_index.core.workflow import HumanResponseEvent, InputRequiredEvent

    from neocloud.llamaindex import CerebrasLLM, RuncrateToolSpec
    from neocloud.runcrate import Runcrate

    client = Runcrate(api_key=runcrate_target.api_key, base_url=runcrate_target.base_url, max_retries=0)
    key = client.ssh_keys.create(name="agent", public_key=KEY)
    args = {"name": "li-box", "gpu_type": "L40S", "ssh_key_id": key.id, "max_runtime_minutes": 60}
    cerebras_target.script(turn(("c1", "runcrate_create_instance", args)),
                           turn(("c1b", "runcrate_list_instances", {})), say("Launched li-box."),
                           turn(("c2", "runcrate_create_instance", {**args, "name": "second"})), say("Not launched."))  # fmt: skip
    spec = RuncrateToolSpec(client=client, allow_billable=True, allow_destructive=True, approval="workflow")
    llm = CerebrasLLM(model="llama3.1-8b", api_key=cerebras_target.api_key, base_url=cerebras_target.base_url,
                      max_retries=0)  # fmt: skip
    agent = FunctionAgent(tools=spec.to_tool_list(), llm=llm, system_prompt="You manage GPU instances.")

    async def run(message: str, answer: str) -> tuple[Any, list[str]]:
        handler = agent.run(user_msg=message)
        asked = []
        async for event in handler.stream_events():
            if isinstance(event, InputRequiredEvent):
                asked.append(event.prefix)
                assert list(client.instances.list()) == [] or answer == "no"  # the wait comes before the act
                handler.ctx.send_event(HumanResponseEvent(response=answer))
        return await handler, asked

    with spec:
        result, asked = asyncio.run(run("Launch li-box.", "yes"))
        assert len(asked) == 1 and "Approve runcrate_create_instance" in asked[0] and "$0.89/h" in asked[0]
        assert str(result) == "Launched li-box." and [i.name for i in client.instances.list()] == ["li-box"]
        seen = [
            json.loads(m.tool_output.content) for m in result.tool_calls if m.tool_name == "runcrate_list_instances"
        ]
        assert [i["name"] for i in seen[0]] == ["li-box"]  # the agent looked at what it started
        result, asked = asyncio.run(run("Launch another.", "no"))
        assert len(asked) == 1 and str(result) == "Not launched."
        assert [i.name for i in client.instances.list()] == ["li-box"]  # the refused call created nothing
    assert client.instances.list()[0].status in ("terminating", "terminated")
    client.ssh_keys.delete(key.id)
