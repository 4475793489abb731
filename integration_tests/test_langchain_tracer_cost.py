"""A LangChain tracer (what LangSmith's is) sees each call's cost in the run it records, against the sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from langchain_core.tracers.base import BaseTracer
from langchain_core.tracers.schemas import Run


class Captured(BaseTracer):
    """Keeps every finished top-level run, as LangSmith's tracer would send it."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[Run] = []

    def _persist_run(self, run: Run) -> None:
        self.runs.append(run)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    from neocloud.sandbox import Sandbox

    with Sandbox() as sb:
        yield sb


def model(sandbox: Any, **kwargs: Any) -> Any:
    from neocloud.langchain import ChatClusterProtocol

    return ChatClusterProtocol(model="llama-3.1-8b", api_key="sk-cluster-sandbox-valid", max_retries=0,
                               base_url=sandbox.base_url("clusterprotocol"), **kwargs)  # fmt: skip


def run_cost(run: Run) -> tuple[Any, Any]:
    """The cost in the run's ``llm_output`` and in its generation's message metadata."""
    assert run.outputs is not None
    (generation,) = run.outputs["generations"][0]
    message_cost = generation["message"]["kwargs"]["response_metadata"]["cost"]
    return (run.outputs.get("llm_output") or {}).get("cost"), message_cost


def test_a_tracer_sees_the_cost_in_the_runs_llm_output_and_message(sandbox: Any) -> None:
    tracer = Captured()
    message = model(sandbox).invoke("Say hi", config={"callbacks": [tracer]})
    (run,) = tracer.runs
    assert run.run_type == "llm"
    cost = message.response_metadata["cost"]
    assert cost["source"] == "provider" and Decimal(cost["usd"]) > 0
    assert run_cost(run) == (cost, cost)


def test_an_async_call_is_traced_with_its_cost(sandbox: Any) -> None:
    tracer = Captured()
    message = asyncio.run(model(sandbox).ainvoke("Say hi", config={"callbacks": [tracer]}))
    (run,) = tracer.runs
    assert run_cost(run) == (message.response_metadata["cost"],) * 2


def test_a_stream_is_traced_with_the_cost_of_its_usage_chunk(sandbox: Any) -> None:
    tracer = Captured()
    chunks = list(model(sandbox).stream("Say hi", config={"callbacks": [tracer]}))
    cost = [c.response_metadata["cost"] for c in chunks if "cost" in c.response_metadata]
    assert len(cost) == 1 and Decimal(cost[0]["usd"]) > 0
    (run,) = tracer.runs
    assert run.outputs is not None
    (generation,) = run.outputs["generations"][0]
    assert generation["message"]["kwargs"]["response_metadata"]["cost"] == cost[0]
