"""The identity of one tool invocation: its ``Idempotency-Key`` and its fingerprint."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

__all__ = ["call_fingerprint", "idempotency_key"]


def idempotency_key(operation: str, arguments: dict[str, Any], call_id: str | None) -> str:
    """The ``Idempotency-Key`` of one tool invocation: it protects a redelivery of the same call, never merges two.

    With the agent's tool-call id, the key derives from it (and the operation and arguments): the framework
    delivering that call again gets the same key, and the provider answers with what the first delivery made.
    Without one (LlamaIndex passes none), every invocation gets a fresh random key: two identical calls are two
    deliberate creates, and a create after a delete or cancel is a new resource, never the old one answered back.
    The core client reuses the key for its own retries of the invocation, which is what keeps an answer lost after
    the provider acted from provisioning twice; the ledger records it, so ``cleanup`` can send a lost create again
    with it and learn what it made.
    """
    if call_id is None:
        return "neocloud-tool-" + uuid.uuid4().hex
    return "neocloud-tool-" + call_fingerprint(operation, arguments, call_id)


def call_fingerprint(operation: str, arguments: dict[str, Any], call_id: str | None = None) -> str:
    """A stable digest of a call (operation, arguments and tool-call id): the same call, the same digest.

    Not an idempotency key by itself (identical calls without an id are distinct creates); the LlamaIndex approval
    flow uses it to find its pending answer again when the workflow replays the tool body."""
    material = json.dumps({"op": operation, "args": arguments, "call": call_id}, sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()[:32]
