"""The sandbox's documented API keys, per provider.

Any key with one of the provider's prefixes is a valid account, except the documented special keys:
``no_credits`` answers 402 on billable calls, and ``revoked`` (any key ending in ``-revoked``) answers 401.
Keys are hyphenated words so that no secret scanner mistakes them for real keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["KEY_PREFIXES", "SANDBOX_KEYS"]

SANDBOX_KEYS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "cerebras": MappingProxyType(
            {"valid": "csk-sandbox-valid", "no_credits": "csk-sandbox-nocredits", "revoked": "csk-sandbox-revoked"}
        ),
        "metalcloud": MappingProxyType(
            {"valid": "mc_sandbox-valid", "no_credits": "mc_sandbox-nocredits", "revoked": "mc_sandbox-revoked"}
        ),
        "runcrate": MappingProxyType(
            {
                "valid": "rc_live_sandbox-valid",
                "no_credits": "rc_live_sandbox-nocredits",
                "revoked": "rc_live_sandbox-revoked",
            }
        ),
        # Tokens name their project in their last hyphen-separated word; "readonly" tokens cannot write.
        "inferencekey": MappingProxyType(
            {
                "valid": "ik_sdk_sandbox-acme",
                "data": "ik_live_sandbox-acme",
                "other_project": "ik_sdk_sandbox-other",
                "readonly": "ik_sdk_sandbox-readonly-acme",
                "no_credits": "ik_sdk_sandbox-nocredits-acme",
                "revoked": "ik_live_sandbox-revoked",
                "project": "acme",
            }
        ),
        "clusterprotocol": MappingProxyType(
            {
                "valid": "sk-cluster-sandbox-valid",
                "no_credits": "sk-cluster-sandbox-nocredits",
                "revoked": "sk-cluster-sandbox-revoked",
            }
        ),
    }
)

# Every prefix a provider's own documentation shows: Cluster Protocol's page writes ``sk-cluster-`` keys and its
# SDK README ``cp_`` keys, so both open an account.
KEY_PREFIXES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "cerebras": ("csk-",),
        "clusterprotocol": ("sk-cluster-", "cp_"),
        "metalcloud": ("mc_",),
        "runcrate": ("rc_live_",),
        "inferencekey": ("ik_",),
    }
)
