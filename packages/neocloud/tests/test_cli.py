"""The ``neocloud`` command: every subcommand against a sandbox, errors as one line with a documented exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from neocloud.cli.commands import MissingWorkload
from neocloud.cli.lifecycle import PortBusy, SandboxNotRunning
from neocloud.cli.main import (
    EXIT_CONFIG,
    EXIT_MISSING,
    EXIT_NOT_RUNNING,
    EXIT_PORT_BUSY,
    EXIT_PROVIDER,
    EXIT_USAGE,
    _one_line,
)
from neocloud.cli.output import NotConfirmed
from neocloud.core.errors import (
    APIConnectionError,
    APIResponseValidationError,
    AuthenticationError,
    ConfigurationError,
    LocalBadRequestError,
    NotFoundError,
)
from neocloud.core.tools import ToolRefused


def neocloud(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "neocloud.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=120)  # fmt: skip


@pytest.fixture(scope="module")
def sandbox_env() -> Iterator[dict[str, str]]:
    from neocloud.sandbox import Sandbox

    with Sandbox() as sandbox:
        yield sandbox.env()


@pytest.mark.parametrize(
    ("provider", "expected"),
    [("cerebras", "llama3.1-8b"), ("clusterprotocol", "bge-large-en-v1.5"), ("metalcloud", "meta-llama/Llama-3.1-8B"),
     ("runcrate", "deepseek-ai/DeepSeek-V3")],
)  # fmt: skip
def test_models_lists_each_providers_models(sandbox_env: dict[str, str], provider: str, expected: str) -> None:
    result = neocloud("models", "--provider", provider, env=sandbox_env)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


@pytest.mark.parametrize("provider", ["cerebras", "clusterprotocol", "metalcloud", "runcrate"])
def test_chat_streams_an_answer(sandbox_env: dict[str, str], provider: str) -> None:
    result = neocloud("chat", "--provider", provider, "--max-tokens", "8", "Hello there", env=sandbox_env)
    assert result.returncode == 0, result.stderr
    words = result.stdout.split()
    assert 1 <= len(words) <= 8 and words[0][0].isupper()  # the sandbox's generated sentence, cut at 8 tokens


def test_instances_and_workloads(sandbox_env: dict[str, str]) -> None:
    from neocloud.inferencekey import Backend, ManagementClient, WorkloadSpec
    from neocloud.runcrate import Runcrate

    types = neocloud("instances", "types", env=sandbox_env)
    assert types.returncode == 0 and "a100-1x-us-east" in types.stdout and "1.29" in types.stdout
    runcrate = Runcrate(api_key=sandbox_env["RUNCRATE_API_KEY"], base_url=sandbox_env["RUNCRATE_BASE_URL"])
    key = runcrate.ssh_keys.create(name="cli", public_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAcli")
    made = runcrate.instances.create(name="cli-box", gpu_type="A100", ssh_key_id=key.id)
    mgmt = ManagementClient(base_url=sandbox_env["INFERENCEKEY_BASE_URL"], sdk_token=sandbox_env[
        "INFERENCEKEY_SDK_TOKEN"], project=sandbox_env["INFERENCEKEY_PROJECT"])  # fmt: skip
    mgmt.ensure(
        WorkloadSpec(name="cli bot", slug="cli-bot", model="meta-llama/Llama-3.1-8B-Instruct", backend=Backend.VLLM)
    )
    try:
        listed = neocloud("instances", "list", env=sandbox_env)
        assert listed.returncode == 0 and made.id in listed.stdout and "cli-box" in listed.stdout
        workloads = neocloud("workloads", "list", env=sandbox_env)
        assert workloads.returncode == 0 and "cli-bot" in workloads.stdout
        models = neocloud("models", "--provider", "inferencekey", env=sandbox_env)
        assert "cli-bot" in models.stdout
    finally:
        runcrate.instances.terminate(made.id)
        mgmt.delete("cli-bot")


def test_errors_are_one_line_with_exit_codes(sandbox_env: dict[str, str]) -> None:
    cases = [
        (("chat", "-p", "cerebras", "Hi"), {**sandbox_env, "CEREBRAS_API_KEY": ""}, EXIT_CONFIG, "CEREBRAS_API_KEY"),
        (("chat", "-p", "cerebras", "Hi"), {**sandbox_env, "CEREBRAS_API_KEY": "csk-x-revoked"}, EXIT_PROVIDER, "401"),
        (("chat", "-p", "cerebras", "-m", "nosuch", "Hi"), sandbox_env, EXIT_PROVIDER, "neocloud: Cerebras 404 model_not_found: "),
        (("demo", "--live"), {k: "" for k in sandbox_env}, EXIT_CONFIG, "INFERENCEKEY_SDK_TOKEN"),
        (("chat", "-p", "nope", "Hi"), sandbox_env, 2, "invalid choice"),
        (("chat", "-p", "cerebras", "--max-tokens", "0", "Hi"), sandbox_env, EXIT_USAGE,
         "'max_tokens': Input should be greater than 0; allowed: gt 0 (refused here: nothing was sent)"),
    ]  # fmt: skip
    for args, env, code, text in cases:
        result = neocloud(*args, env=env)
        assert result.returncode == code, (args, result.stderr)
        assert text in result.stderr and "Traceback" not in result.stderr
        if "invalid choice" not in text:  # (argparse's own usage errors print the usage too)
            assert result.stderr.strip().count("\n") == 0 and result.stdout.strip() == ""


@pytest.mark.parametrize(
    ("exc", "code", "text"),
    [
        (ImportError('the runcrate provider is not installed: pip install "neocloud[runcrate]"'), EXIT_MISSING,
         'pip install "neocloud[runcrate]".'),
        (ImportError("No module named 'llama_index'"), EXIT_MISSING, 'Hint: pip install "neocloud[all]"'),
        (ConfigurationError("Runcrate needs an API key: set RUNCRATE_API_KEY"), EXIT_CONFIG,
         'neocloud sandbox start && eval "$(neocloud sandbox env)"'),
        (PortBusy("port 8765 on 127.0.0.1 is already in use"), EXIT_PORT_BUSY, "neocloud: port 8765"),
        (SandboxNotRunning("no sandbox is running"), EXIT_NOT_RUNNING, "neocloud: no sandbox is running"),
        (NotConfirmed("not confirmed: nothing was changed"), EXIT_USAGE, "neocloud: not confirmed"),
        (ToolRefused("runcrate_create_instance was refused"), EXIT_USAGE, "neocloud: runcrate_create_instance was"),
        (MissingWorkload("404 workload x not found. Hint: neocloud workloads ensure x"), EXIT_PROVIDER,
         "Hint: neocloud workloads ensure x"),
        (AuthenticationError("invalid key", status_code=401), EXIT_PROVIDER, "check the API key"),
        (NotFoundError("no such model", status_code=404, request_id="req_1", code="model_not_found",
                       provider="Cerebras"), EXIT_PROVIDER,
         "neocloud: Cerebras 404 model_not_found: no such model (request id req_1)"),
        (APIResponseValidationError("the answer is not JSON", provider="Runcrate", request_id="req_2"), EXIT_PROVIDER,
         "neocloud: Runcrate: the answer is not JSON (request id req_2)"),
        (APIConnectionError("Connection error"), EXIT_PROVIDER, "is the base URL right"),
        (RuntimeError("first line\nsecond line"), EXIT_PROVIDER, "RuntimeError: first line"),
        (LocalBadRequestError("invalid argument 'max_tokens': must be > 0", param="max_tokens"), EXIT_USAGE,
         "neocloud: invalid argument 'max_tokens': must be > 0 (refused here: nothing was sent)"),
    ],
)  # fmt: skip
def test_one_line_mapping(exc: Exception, code: int, text: str) -> None:
    got_code, line = _one_line(exc)
    assert got_code == code and text in line and "\n" not in line and line.startswith("neocloud: ")


def test_the_cli_reaches_every_provider_the_frameworks_do() -> None:
    from neocloud.cli.commands import PROVIDERS, load
    from neocloud.langchain import PROVIDERS as LANGCHAIN
    from neocloud.llamaindex import PROVIDERS as LLAMAINDEX

    assert set(PROVIDERS) == set(LANGCHAIN) == set(LLAMAINDEX)
    for name, module in PROVIDERS.items():
        assert load(name).name == name and LANGCHAIN[name].module == module
