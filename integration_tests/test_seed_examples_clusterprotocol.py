"""Every example of the Cluster Protocol SDK page, with only its imports changed, against the sandbox."""

from __future__ import annotations

import contextlib
import io
import time
import warnings
from typing import Any

import pytest

from neocloud.clusterprotocol import NotFoundError

from .seed_examples_clusterprotocol import EXAMPLES

# Examples that continue an earlier one (the page reuses `client` / `job`): run their prerequisites first.
PREREQUISITES = {
    "multi_turn": ["authentication"],
    "streaming": ["authentication"],
    "models": ["authentication"],
    "fine_tuning": ["authentication"],
    "list_and_cancel": ["authentication", "fine_tuning"],
}
EXPECTED = {
    "chat_completions": "Tokens used: ",
    "streaming": "Full response length: ",
    "models": "llama-3.1-70b: Llama 3.1 70B Instruct\n  Category: chat",
    "fine_tuning": "Done! Fine-tuned model: llama-3.1-8b:ft-my-custom-model-v1",
    "list_and_cancel": "succeeded (llama-3.1-8b)",
}


def rewrite(source: str, sandbox_root: str) -> str:
    """Only the imports change (``cluster_sdk`` → ``neocloud.clusterprotocol``); the one example that uses
    the official ``openai`` client gets the sandbox's URL instead of production's."""
    source = source.replace("from cluster_sdk.errors import", "from neocloud.clusterprotocol.errors import")
    source = source.replace("from cluster_sdk import", "from neocloud.clusterprotocol import")
    return source.replace("https://api.clusterprotocol.ai/v1", f"{sandbox_root}/clusterprotocol/v1")


@pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")  # the page's own f-strings
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs(name: str, live_sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in live_sandbox.env().items():
        monkeypatch.setenv(key, value)
    real_sleep = time.sleep
    monkeypatch.setattr(time, "sleep", lambda seconds: real_sleep(min(seconds, 0.05)))  # the page polls every 30 s
    namespace: dict[str, Any] = {"__name__": "__example__"}
    out = io.StringIO()
    # The page cancels a job id it made up ("ft_job_abc123"): like the real API, the sandbox answers 404.
    expect = pytest.raises(NotFoundError) if name == "list_and_cancel" else contextlib.nullcontext()
    with contextlib.redirect_stdout(out), expect:
        for step in [*PREREQUISITES.get(name, []), name]:
            with warnings.catch_warnings():
                # The page's own code, run as written: its "$\{price}" is an invalid escape that Python 3.12+
                # warns about at compile time (it still means a backslash and a brace).
                warnings.simplefilter("ignore", SyntaxWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                code = compile(rewrite(EXAMPLES[step], live_sandbox.url), f"<cluster example {step}>", "exec")
            exec(code, namespace)
    assert EXPECTED.get(name, "") in out.getvalue(), out.getvalue()[-800:]
    assert "Please deposit more funds" not in out.getvalue() and "Unexpected error" not in out.getvalue()
