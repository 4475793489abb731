"""Each provider's page and the capability matrix give the same configuration as the code: the base-URL
environment variable and the default base URL its ``PROVIDER_SPEC`` declares."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROVIDERS = ("cerebras", "clusterprotocol", "inferencekey", "metalcloud", "runcrate")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_provider_page_and_matrix_agree_with_the_spec(provider: str) -> None:
    spec = importlib.import_module(f"neocloud.{provider}").PROVIDER_SPEC
    assert spec.base_url_env, f"{provider}: the clients read a base URL from the environment; the spec must name it"
    page = (ROOT / "docs" / "providers" / f"{provider}.md").read_text()
    [row] = [line for line in page.splitlines() if line.startswith("|") and f"`{spec.base_url_env}`" in line]
    assert f"`{spec.default_base_url}`" in row, (
        f"{provider}.md says {row!r}; the code's default is {spec.default_base_url}"
    )
    matrix = (ROOT / "docs" / "capabilities.md").read_text()
    [config] = [
        line for line in matrix.splitlines() if line.startswith(f"| {spec.display_name} | `{spec.api_key_env}`")
    ]
    assert f"`{spec.base_url_env}`" in config and spec.default_base_url in config


def test_inferencekey_default_is_the_documented_platform_root() -> None:
    # The provider's SDK and documentation: one host for both planes, applied by from_env().
    from neocloud.inferencekey import PROVIDER_SPEC, endpoint_url

    assert PROVIDER_SPEC.default_base_url == "https://api.inferencekey.com"
    assert endpoint_url("acme", "bot") == "https://api.inferencekey.com/endpoint/acme/bot"
