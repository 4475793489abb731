"""Where an InferenceKey framework model sends its requests: one workload's OpenAI-compatible root."""

from __future__ import annotations

import os

from neocloud.core.errors import ConfigurationError

__all__ = ["workload_root"]


def workload_root(base_url: str | None, project: str | None, workload: str) -> str:
    """``base_url`` when it already is a workload root (``.../endpoint/<project>/<workload>``), else built from
    the platform root (``base_url`` > ``INFERENCEKEY_BASE_URL`` > production) and ``project``."""
    if base_url and "/endpoint/" in base_url:
        return base_url
    if not project:
        raise ConfigurationError("InferenceKey needs the workload's project: pass project= or set INFERENCEKEY_PROJECT")
    from neocloud.inferencekey import endpoint_url

    return endpoint_url(
        project, workload, base_url or os.environ.get("INFERENCEKEY_BASE_URL") or "https://api.inferencekey.com"
    )
