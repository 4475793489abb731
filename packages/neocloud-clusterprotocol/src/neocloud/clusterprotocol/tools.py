"""Cluster Protocol operations for agents, defined once: fine-tuning jobs and models with their prices."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from neocloud.core.tools import CostEstimate, Created, Operation, ResourceId, SideEffect

__all__ = ["OPERATIONS", "make_clients"]


def make_clients(**settings: Any) -> Any:
    """The client the operations run against (``CLUSTER_API_KEY`` etc. when not given)."""
    from ._client import ClusterClient

    return ClusterClient(**settings)


class NoArgs(BaseModel):
    pass


class FineTuneArgs(BaseModel):
    base_model: str = Field(description="The model to fine-tune, from clusterprotocol_list_models.")
    training_file: str = Field(description="The training dataset id.")
    suffix: str | None = Field(default=None, description="A suffix for the fine-tuned model's name.")
    epochs: int | None = Field(default=None, ge=1, le=50)


class JobArgs(BaseModel):
    job_id: ResourceId = Field(description="The fine-tuning job id (ft_job_...).")


class ListJobsArgs(BaseModel):
    limit: int | None = Field(default=20, ge=1, le=100)


def _dump(item: Any) -> dict[str, Any]:
    return dict(item.model_dump(mode="json", exclude_none=True))


OPERATIONS = [
    Operation("clusterprotocol_list_models", "List Cluster Protocol models with their prices (USD per 1K input and "
              "output tokens) and context length.", NoArgs, SideEffect.READ,
              lambda c, a, k: [_dump(m) for m in c.models.list()]),
    Operation("clusterprotocol_create_fine_tune", "Start a fine-tuning job (billed to the account balance). Poll it "
              "with clusterprotocol_get_fine_tune.", FineTuneArgs, SideEffect.BILLABLE,
              lambda c, a, k: _dump(c.fine_tuning.create(idempotency_key=k, **a.model_dump(exclude_none=True))),
              # The API lists no fine-tuning price: the cost is unknown until the job is billed.
              estimate=lambda c, a: CostEstimate(None, None, "Cluster Protocol publishes no fine-tuning price"),
              created=lambda a, r: Created("fine_tune", r["id"], "clusterprotocol_cancel_fine_tune",
                                           {"job_id": r["id"]})),
    Operation("clusterprotocol_get_fine_tune", "Get a fine-tuning job's status and progress.", JobArgs,
              SideEffect.READ, lambda c, a, k: _dump(c.fine_tuning.get(a.job_id))),
    Operation("clusterprotocol_list_fine_tunes", "List fine-tuning jobs, newest first.", ListJobsArgs,
              SideEffect.READ, lambda c, a, k: [_dump(j) for j in c.fine_tuning.list(limit=a.limit)]),
    Operation("clusterprotocol_cancel_fine_tune", "Cancel a fine-tuning job.", JobArgs, SideEffect.DESTRUCTIVE,
              lambda c, a, k: _dump(c.fine_tuning.cancel(a.job_id)), removes=lambda a: a.job_id),
]  # fmt: skip
