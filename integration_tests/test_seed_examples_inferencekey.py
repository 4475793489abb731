"""Every example of the InferenceKey API reference, with only its imports changed, against the sandbox."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import pytest

from neocloud.inferencekey import ApiError

from .seed_examples_inferencekey import EXAMPLES

# The page's examples continue one another: each runs after the ones it builds on, in one namespace.
PREREQUISITES = {
    "from_env": ["imports"],
    "ensure": ["imports", "from_env"],
    "wait_until_ready": ["imports", "from_env"],
    "delete": ["imports", "from_env", "ensure"],
    "data_from_env": ["imports"],
    "endpoint": ["imports", "from_env", "ensure", "data_from_env"],
    "generate_text": ["imports", "from_env", "ensure", "wait_until_ready", "data_from_env", "endpoint"],
    "generate_text_stream": ["imports", "from_env", "ensure", "wait_until_ready", "data_from_env", "endpoint"],
    "embed": ["imports", "data_from_env"],
    "exceptions": ["imports", "from_env"],
    "clean_up": ["imports"],
    "e2e_call": ["e2e_provision", "wait_until_ready"],
    "e2e_delete": ["e2e_provision"],
}
EXPECTED = {
    "ensure": "acme support-bot",
    "delete": "deleted",
    "wait_until_ready": "ready Serving",
    "generate_text": "support-bot",
    "generate_text_stream": ".",
    "e2e_call": ".",
}
# "billing" is a workload the page never created: the platform (and the sandbox) answers 404.
RAISES: dict[str, type[Exception]] = {"embed": ApiError}


def rewrite(source: str) -> str:
    """Only the imports change: ``inferencekey`` is ``neocloud.inferencekey``."""
    return source.replace("from inferencekey import", "from neocloud.inferencekey import")


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs(name: str, live_sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in live_sandbox.env().items():
        monkeypatch.setenv(key, value)
    from neocloud.inferencekey import Backend, WorkloadSpec

    # `spec` is the workload the page's ensure example declares; later snippets refer to it by name.
    spec = WorkloadSpec(name="support-bot", slug="support-bot", model="meta-llama/Llama-3.1-8B-Instruct", backend=Backend.VLLM,
                        command="vllm serve meta-llama/Llama-3.1-8B-Instruct --max-model-len 8192")  # fmt: skip
    namespace: dict[str, Any] = {"__name__": "__example__", "spec": spec}
    out = io.StringIO()
    steps = [*PREREQUISITES.get(name, []), name]
    if name == "wait_until_ready":
        steps = ["imports", "from_env", "wait_until_ready"]
    expect = pytest.raises(RAISES[name]) if name in RAISES else contextlib.nullcontext()
    with contextlib.redirect_stdout(out), expect:
        for step in steps:
            exec(compile(rewrite(EXAMPLES[step]), f"<inferencekey example {step}>", "exec"), namespace)
    assert EXPECTED.get(name, "") in out.getvalue(), out.getvalue()
