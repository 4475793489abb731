"""Every example of the MetalCloud SDK reference, with only its imports changed, against the sandbox."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import pytest

from neocloud.core.errors import RequestValidationError
from neocloud.metalcloud import JobNotFoundError

from .seed_examples_metalcloud import EXAMPLES

# The reference's placeholders are literal: "job_abc123" is no job of ours (404, as the real API would say)
# and `client.inference(...)` passes an Ellipsis as the model (refused before any request is sent).
RAISES: dict[str, type[Exception]] = {"get_job": JobNotFoundError, "error_handling": RequestValidationError}
EXPECTED = {
    "list_models": "meta-llama/Llama-3.3-70B: 70B params",
    "list_jobs": ": completed",
}


def rewrite(source: str) -> str:
    """Only the imports change: ``metalcloud`` is ``neocloud.metalcloud``."""
    return source.replace("import metalcloud\n", "from neocloud import metalcloud\n").replace(
        "from metalcloud.exceptions import", "from neocloud.metalcloud.exceptions import"
    )


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs(name: str, live_sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in live_sandbox.env().items():
        monkeypatch.setenv(key, value)
    from neocloud import metalcloud

    # Later examples use `client`: the reference's recommended form, configured from the environment.
    namespace: dict[str, Any] = {"__name__": "__example__", "client": metalcloud.Client()}
    if name == "list_jobs":  # give the account a completed job to list
        namespace["client"].inference(model="meta-llama/Llama-3.3-70B", prompt="Hello")
    out = io.StringIO()
    expect = pytest.raises(RAISES[name]) if name in RAISES else contextlib.nullcontext()
    with contextlib.redirect_stdout(out), expect:
        exec(compile(rewrite(EXAMPLES[name]), f"<metalcloud example {name}>", "exec"), namespace)
    assert EXPECTED.get(name, "") in out.getvalue(), out.getvalue()
    if name == "inference":
        assert namespace["response"].text and out.getvalue().count(".") >= 2
