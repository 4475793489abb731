"""Where recorded tests point their clients: the sandbox while recording, nowhere while replaying.

- replay (``--record-mode=none``, the default in ``make test``): clients get the canonical
  ``http://sandbox.invalid/<provider>`` base URL and a placeholder key; vcrpy answers from the cassette.
- record (``make record``): against the real provider when its API key is in the environment (and is not
  a sandbox key), else against the in-process sandbox.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from .cassettes import CANONICAL_HOST, REAL_BASE_URLS

__all__ = ["PLACEHOLDER_KEYS", "Target"]

# Used while replaying; shaped like each provider's keys but obviously fake.
PLACEHOLDER_KEYS = {
    "cerebras": "csk-sandbox-valid",
    "clusterprotocol": "sk-cluster-sandbox-valid",
    "metalcloud": "mc_sandbox-valid",
    "runcrate": "rc_live_sandbox-valid",
    "inferencekey": "ik_sdk_sandbox-acme",
}
# Second credentials of providers with two planes (InferenceKey: the ik_live_ data key and the project).
PLACEHOLDER_EXTRAS: dict[str, dict[str, str]] = {
    "inferencekey": {"data_key": "ik_live_sandbox-acme", "project": "acme"},
}
EXTRA_ENV = {"inferencekey": {"data_key": "INFERENCEKEY_API_KEY", "project": "INFERENCEKEY_PROJECT"}}
ENV_KEYS = {
    "cerebras": "CEREBRAS_API_KEY",
    "clusterprotocol": "CLUSTER_API_KEY",
    "metalcloud": "METALCLOUD_API_KEY",
    "runcrate": "RUNCRATE_API_KEY",
    "inferencekey": "INFERENCEKEY_SDK_TOKEN",
}


@dataclass
class Target:
    """A provider endpoint for one recorded test: ``base_url``, ``api_key`` and scripting of answers."""

    provider: str
    base_url: str
    api_key: str
    live: bool = False
    sandbox: Any = None
    scripted: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)

    def script(self, *responses: dict[str, Any]) -> None:
        """Script the next model answers (sandbox only). While replaying, the cassette already holds them.

        Against a real provider scripting is impossible; the test then records whatever the model says,
        so tests that script answers are recorded against the sandbox.
        """
        if self.live:
            import pytest

            pytest.skip("scripted answers need the sandbox; this test is recorded against the sandbox only")
        self.scripted.extend(responses)
        if self.sandbox is not None:
            # Answers are reserved for the key that asks: InferenceKey models ask with the workload's data key.
            self.sandbox.script(self.provider, list(responses), api_key=self.extra.get("data_key", self.api_key))

    def client_kwargs(self) -> dict[str, Any]:
        return {"api_key": self.api_key, "base_url": self.base_url}


def make_target(provider: str, *, recording: bool, sandbox: Any) -> Target:
    placeholder_extra = PLACEHOLDER_EXTRAS.get(provider, {})
    if not recording:
        return Target(provider, f"{CANONICAL_HOST}/{provider}", PLACEHOLDER_KEYS[provider], extra=placeholder_extra)
    real_key = os.environ.get(ENV_KEYS[provider], "")
    if real_key and not real_key.startswith(PLACEHOLDER_KEYS[provider].rsplit("-", 1)[0]):
        real = next(url for url, prefix in REAL_BASE_URLS.items() if prefix == f"/{provider}")
        extra = {name: os.environ.get(env, "") for name, env in EXTRA_ENV.get(provider, {}).items()}
        return Target(provider, real, real_key, live=True, extra=extra)
    from neocloud.sandbox import SANDBOX_KEYS

    keys = SANDBOX_KEYS[provider]
    extra = {"data_key": keys["data"], "project": keys["project"]} if placeholder_extra else {}
    return Target(provider, sandbox.base_url(provider), keys["valid"], sandbox=sandbox, extra=extra)


def env_for(target: Target) -> dict[str, str]:
    """The environment variables that point a provider's framework classes at ``target``."""
    return {
        "cerebras": {"CEREBRAS_API_KEY": target.api_key, "CEREBRAS_BASE_URL": target.base_url},
        "clusterprotocol": {"CLUSTER_API_KEY": target.api_key, "CLUSTER_BASE_URL": target.base_url},
        "runcrate": {"RUNCRATE_API_KEY": target.api_key, "RUNCRATE_INFERENCE_URL": target.base_url},
        "metalcloud": {"METALCLOUD_API_KEY": target.api_key, "METALCLOUD_BASE_URL": target.base_url},
        "inferencekey": {
            "INFERENCEKEY_API_KEY": target.extra.get("data_key", ""),
            "INFERENCEKEY_BASE_URL": target.base_url,
            "INFERENCEKEY_PROJECT": target.extra.get("project", ""),
        },
    }[target.provider]


def provision_workload(target: Target, slug: str, task_type: str = "text2text") -> None:
    """While recording against the sandbox, start an InferenceKey workload and wait until it serves (replays
    need nothing: the cassette holds the workload's answers)."""
    if target.sandbox is None:
        return
    from neocloud.inferencekey import Backend, ManagementClient, WorkloadSpec

    mgmt = ManagementClient(base_url=target.base_url, sdk_token=target.api_key, project=target.extra["project"])
    mgmt.ensure(WorkloadSpec(name=slug, slug=slug, model="org/model", backend=Backend.VLLM, task_type=task_type))
    mgmt.wait_until_ready(slug, silent=True, timeout=30)
