"""Provisioning tools for agents, framework-free: operations defined once, and the guard rails (side-effect
classes, spend caps, approval, dry run, idempotency, ledger and cleanup) every generated tool runs through."""

from __future__ import annotations

from ._model import CostEstimate, Created, Operation, ResourceId, SideEffect
from ._session import (
    Approval,
    ApprovalRequest,
    LedgerEntry,
    SpendPolicy,
    ToolRefused,
    ToolSession,
    allowed,
    call_fingerprint,
    idempotency_key,
)

__all__ = [
    "Approval",
    "ApprovalRequest",
    "CostEstimate",
    "Created",
    "LedgerEntry",
    "Operation",
    "ResourceId",
    "SideEffect",
    "SpendPolicy",
    "ToolRefused",
    "ToolSession",
    "allowed",
    "call_fingerprint",
    "idempotency_key",
]
