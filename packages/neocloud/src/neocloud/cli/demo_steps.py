"""The demo's three sections. Each returns rows for the summary table and removes what it created.

In the sandbox, the agent's model turns are scripted (``Sandbox.script``): they are written out below and
printed as "scripted" when used; every other answer comes from the sandbox's deterministic generator and
is labelled "sandbox answer". Live, a real model decides and real providers answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

Row = tuple[str, str, str]
SLUG = "neocloud-demo"
DEMO_SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIneoclouddemokeyneoclouddemokey neocloud-demo"
DOCUMENTS = (
    "Cerebras serves open models on wafer-scale chips at thousands of tokens per second.",
    "Runcrate rents GPU instances by the hour and runs batch jobs with artifacts and schedules.",
    "InferenceKey deploys one model workload per endpoint and scales it to zero when idle.",
    "Cluster Protocol offers chat, embeddings, fine-tuning and a marketplace of datasets.",
    "MetalCloud runs inference jobs on bare-metal GPUs and keeps a history of every job.",
)


@dataclass
class DemoEnv:
    """Where the demo runs: the embedded sandbox (``sandbox`` set) or the real providers."""

    label: str
    sandbox: Any = None
    chat_model: str = "llama3.1-8b"
    created: list[str] = field(default_factory=list)

    def script(self, provider: str, *turns: dict[str, Any]) -> bool:
        """Script model turns in the sandbox; live, the model decides (returns whether it scripted)."""
        if self.sandbox is None:
            return False
        self.sandbox.script(provider, list(turns))
        return True


class PhaseLines:
    """A readiness callback for plain output: one line each time the phase or its message changes."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._last: tuple[str, str] | None = None

    def __call__(self, event: Any) -> None:
        current = (event.phase, event.message)
        if current != self._last:
            self._last = current
            self._console.print(f"  {event.phase}: {event.message}")


def turn(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"tool_calls": [{"id": call_id, "name": name, "arguments": arguments}]}


def inferencekey_workload(env: DemoEnv, console: Console) -> list[Row]:
    """Ensure a workload, wait for it with a live progress view, use it as a LangChain chat model, delete it."""
    from neocloud.inferencekey import Backend, ManagementClient, WorkloadSpec
    from neocloud.langchain import ChatInferenceKey

    console.rule("1 · InferenceKey workload → LangChain chat model")
    mgmt = ManagementClient.from_env()
    spec = WorkloadSpec(name="neocloud demo", slug=SLUG, model="meta-llama/Llama-3.1-8B-Instruct",
                        backend=Backend.VLLM, command="vllm serve meta-llama/Llama-3.1-8B-Instruct")  # fmt: skip
    ref = mgmt.ensure(spec)
    console.print(f"ensured workload [bold]{ref.workload_slug}[/bold] in project {ref.project_slug}")
    rows: list[Row] = [("InferenceKey ensure", "ok", ref.workload_slug)]
    try:
        # On a terminal, the client's own live progress view; otherwise one line per readiness phase (the
        # client reports every poll, so a phase that lasts several polls would otherwise be printed again).
        progress = None if console.is_terminal else PhaseLines(console)
        mgmt.wait_until_ready(ref.workload_slug, timeout=900, on_progress=progress)
        rows.append(("InferenceKey wait_until_ready", "ok", "serving"))
        chat = ChatInferenceKey(model=ref.workload_slug, max_tokens=32)
        reply: Any = chat.invoke("Say hello from a freshly started workload.")
        console.print(f"[cyan]invoke[/cyan] ({env.label}): {reply.content}")
        rows.append(
            ("ChatInferenceKey.invoke", "ok", f"{(reply.usage_metadata or {}).get('total_tokens', '?')} tokens")
        )
        console.print(f"[cyan]stream[/cyan] ({env.label}): ", end="")
        chunks = 0
        for chunk in chat.stream("Name three uses of a GPU."):
            console.print(chunk.content, end="")
            chunks += 1
        console.print()
        rows.append(("ChatInferenceKey.stream", "ok", f"{chunks} chunks"))
    finally:
        deleted = mgmt.delete(ref.workload_slug)
        console.print(f"deleted workload {ref.workload_slug}" if deleted else f"{ref.workload_slug} was already gone")
    rows.append(("InferenceKey delete", "ok", "deleted" if deleted else "already gone"))
    return rows


def rag_pipeline(env: DemoEnv, console: Console) -> list[Row]:
    """A LlamaIndex VectorStoreIndex on Cluster Protocol embeddings, answered through CerebrasLLM."""
    from llama_index.core import Document, VectorStoreIndex

    from neocloud.llamaindex import CerebrasLLM, ClusterProtocolEmbedding

    console.rule("2 · RAG: LlamaIndex VectorStoreIndex + provider embeddings + provider LLM")
    embed = ClusterProtocolEmbedding()
    index = VectorStoreIndex.from_documents([Document(text=t) for t in DOCUMENTS], embed_model=embed)
    console.print(f"indexed {len(DOCUMENTS)} documents with {embed.model_name} (Cluster Protocol)")
    engine = index.as_query_engine(llm=CerebrasLLM(model=env.chat_model, max_tokens=48), similarity_top_k=2)
    question = "Which cloud scales a workload to zero when it is idle?"
    answer = engine.query(question)
    console.print(f"[cyan]question[/cyan]: {question}")
    for node in answer.source_nodes:
        console.print(f"  [dim]retrieved ({node.score or 0:.2f}): {node.node.get_content()}[/dim]")
    console.print(f"[cyan]answer[/cyan] ({env.label}): {answer}")
    return [("VectorStoreIndex (ClusterProtocolEmbedding)", "ok", f"{len(DOCUMENTS)} documents"),
            ("query through CerebrasLLM", "ok", f"{len(answer.source_nodes)} sources")]  # fmt: skip


def agent_provisions(env: DemoEnv, console: Console) -> list[Row]:
    """A LangChain agent launches a Runcrate instance through the guarded toolkit, checks it, then asks for more
    than the run's budget allows and is refused (nothing is sent); cleanup tears the instance down and the run's
    spend is shown from the ledger. The billable tool is allowed explicitly; the approval hook grants and prints
    every call that fits the budget."""
    from langchain.agents import create_agent
    from langgraph.checkpoint.memory import InMemorySaver

    from neocloud.core.ledger import Budget, InMemoryLedger
    from neocloud.core.tools import Approval, ApprovalRequest, SpendPolicy
    from neocloud.langchain import ChatCerebras, RuncrateToolkit
    from neocloud.runcrate import Runcrate

    console.rule("3 · Agent provisions a Runcrate GPU instance through guarded tools")
    client = Runcrate()
    key = client.ssh_keys.create(name=SLUG, public_key=DEMO_SSH_KEY)
    approvals: list[str] = []

    def approve(request: ApprovalRequest) -> Approval:
        price = f" at ~${request.estimate.hourly_usd}/h" if request.estimate and request.estimate.hourly_usd else ""
        console.print(f"[yellow]approval requested[/yellow]: {request.operation}{price} {request.arguments} "
                      "→ [green]granted[/green] (the demo approves automatically)")  # fmt: skip
        approvals.append(request.operation)
        return Approval(True)

    # Spend is recorded in the ledger (live: the user's, NEOCLOUD_LEDGER or the default file; against the sandbox:
    # one in memory, so make-believe instances never land in a real record) under a $5 budget, at most $5/h running.
    ledger = InMemoryLedger() if env.sandbox is not None else None
    toolkit = RuncrateToolkit(client=client, allow_billable=True, allow_destructive=True, approve=approve,
                              ledger=ledger, budget=Budget(max_usd=5),
                              spend_policy=SpendPolicy(max_hourly_usd=5.0))  # fmt: skip
    launch = {"name": SLUG, "gpu_type": "A100", "gpu_count": 1, "ssh_key_id": key.id, "max_runtime_minutes": 30}
    big = {**launch, "name": f"{SLUG}-big", "gpu_type": "H100", "gpu_count": 8, "max_runtime_minutes": 600}
    scripted = env.script(
        "cerebras",
        turn("call_1", "runcrate_list_gpu_types", {"gpu_type": "A100"}),
        turn("call_2", "runcrate_create_instance", launch),
        {"content": "Launched one A100 instance (30-minute limit)."},
        turn("call_3", "runcrate_list_instances", {}),
        {"content": "The instance is running."},
        turn("call_4", "runcrate_create_instance", big),
        {"content": "Eight H100s for ten hours is over this run's budget, so nothing was launched."},
    )
    label = "scripted turn" if scripted else env.label
    if scripted:
        console.print("[dim]the agent's model turns are scripted in the sandbox (written out in "
                      "neocloud/cli/demo_steps.py); the tools really run[/dim]")  # fmt: skip
    agent = create_agent(ChatCerebras(model=env.chat_model, max_retries=1), tools=toolkit.get_tools(),
                         checkpointer=InMemorySaver())  # fmt: skip
    config: Any = {"configurable": {"thread_id": SLUG}}
    rows: list[Row] = []
    try:
        first = agent.invoke({"messages": [{"role": "user", "content": (
            f"Launch the cheapest single A100 instance named {SLUG} with SSH key {key.id}, max 30 minutes.")}]},
            config)  # fmt: skip
        _show_tools(console, first["messages"], label)
        launched = toolkit.session.resources()
        spent = toolkit.session.spend().committed_usd
        console.print(f"ledger: run {toolkit.run_id} holds ${spent:.2f} for {len(launched)} resource(s)")
        rows.append(("agent: create instance", "ok" if launched else "no instance", f"{len(approvals)} approval(s)"))
        for resource in launched:
            _wait_running(client, resource.id, console)
        second = agent.invoke({"messages": [{"role": "user", "content": "Is it up?"}]}, config)
        _show_tools(console, second["messages"][len(first["messages"]) :], label)
        rows.append(("agent: check instance", "ok", "listed"))
        before = len(second["messages"])
        third = agent.invoke({"messages": [{"role": "user", "content": (
            "Now launch eight H100s for ten hours for the big training run.")}]}, config)  # fmt: skip
        refusals = _show_tools(console, third["messages"][before:], label)
        rows.append(("agent: over-budget launch", "refused" if refusals else "not refused",
                     "nothing sent" if refusals else "?"))  # fmt: skip
    finally:
        removed = toolkit.cleanup()
        client.ssh_keys.delete(key.id)
    console.print(f"toolkit cleanup terminated: {', '.join(removed) or 'nothing'}")
    rows.append(("toolkit cleanup", "ok", f"{len(removed)} removed"))
    total = show_spend(console, toolkit.session.ledger, toolkit.run_id)
    rows.append(("ledger: run spend", "ok", f"${total:.6f}".rstrip("0").rstrip(".")))
    return rows


def show_spend(console: Console, ledger: Any, run_id: str) -> Any:
    """The run's spend from the ledger, per provider and model (an operation for a tool call, which has no model):
    calls, settled, still reserved and committed USD. Returns the total committed."""
    from rich.table import Table

    from neocloud.core.ledger import Spend

    groups: dict[tuple[str, str], Spend] = {}
    for entry in ledger.entries(run_id=run_id):
        group = (entry.provider, entry.model or entry.operation)
        groups[group] = groups.get(group, Spend()).add(entry)
    table = Table(title=f"Spend of run {run_id}, from the ledger (USD)")
    for column in ("provider", "model / operation", "calls", "settled", "reserved", "committed"):
        table.add_column(column)
    for (provider, what), spend in sorted(groups.items()):
        table.add_row(provider, what, str(spend.entries), f"{spend.actual_usd:.6f}", f"{spend.reserved_usd:.6f}",
                      f"{spend.committed_usd:.6f}")  # fmt: skip
    total = ledger.spend(run_id=run_id).committed_usd
    console.print(table)
    console.print(f"run {run_id} committed ${total:.6f} in total (a refused call reserves and spends nothing)")
    return total


def _show_tools(console: Console, messages: list[Any], label: str) -> int:
    """Print the agent's tool calls, their results and its answers; returns how many calls were refused."""
    refused = 0
    for message in messages:
        if message.type == "ai" and message.tool_calls:
            for call in message.tool_calls:
                console.print(f"[magenta]agent calls[/magenta] {call['name']}({call['args']})")
        elif message.type == "tool" and getattr(message, "status", None) == "error":
            refused += "refused" in str(message.content)
            console.print(f"  [red]→ tool error[/red]: {message.content}", highlight=False)
        elif message.type == "tool":
            text = str(message.content)
            console.print(f"  [dim]→ {text[:110]}{'…' if len(text) > 110 else ''}[/dim]")
        elif message.type == "ai" and message.content:
            console.print(f"[cyan]agent[/cyan] ({label}): {message.content}")
    return refused


def _wait_running(client: Any, instance_id: str, console: Console, timeout: float = 600.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    with console.status(f"waiting for {instance_id} to be running") as status:
        while time.monotonic() < deadline:
            current = client.instances.get_status(instance_id).status
            status.update(f"{instance_id}: {current}")
            if current == "running":
                console.print(f"{instance_id} is running")
                return
            time.sleep(0.2)
    raise TimeoutError(f"instance {instance_id} did not start within {timeout:.0f}s")


def leftovers() -> list[str]:
    """What the demo's resources left running (should be empty): live workloads and instances."""
    from neocloud.inferencekey import ManagementClient
    from neocloud.runcrate import Runcrate

    left = [f"workload {w.slug}" for w in ManagementClient.from_env().list_workloads() if w.slug == SLUG]
    left += [f"instance {i.id} ({i.status})" for i in Runcrate().instances.list()
             if i.name == SLUG and i.status not in {"terminated", "terminating"}]  # fmt: skip
    return left
