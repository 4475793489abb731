"""Provisioning tools for agents, framework-free: operations defined once, and the guard rails (side-effect
classes, budgets reserved in the spend ledger, approval, dry run, idempotency, cleanup) every generated tool
runs through."""

from __future__ import annotations

from ._cleanup import CleanupReport, cleanup_ledger
from ._model import CostEstimate, Created, Operation, ResourceId, SideEffect, ToolRefused
from ._session import Approval, ApprovalRequest, ToolSession, allowed, call_fingerprint, idempotency_key
from ._spend import DEFAULT_BUDGET_USD, UNLIMITED, BudgetChoice, SpendPolicy, Unlimited, worst_case

__all__ = [
    "DEFAULT_BUDGET_USD",
    "UNLIMITED",
    "Approval",
    "ApprovalRequest",
    "BudgetChoice",
    "CleanupReport",
    "CostEstimate",
    "Created",
    "Operation",
    "ResourceId",
    "SideEffect",
    "SpendPolicy",
    "ToolRefused",
    "ToolSession",
    "Unlimited",
    "allowed",
    "call_fingerprint",
    "cleanup_ledger",
    "idempotency_key",
    "worst_case",
]
