"""MetalCloud operations for agents, defined once: models and inference jobs (all read-only)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from neocloud.core.tools import Operation, ResourceId, SideEffect

__all__ = ["NOT_TOOLS", "OPERATIONS", "make_clients"]

_INFERENCE = (
    "inference: the provider's chat model, embeddings and LLM classes are how agents call models (they meter tokens)"
)

# Client methods that create or spend and are deliberately not agent tools, with why.
NOT_TOOLS = {
    "inference": _INFERENCE,
}


def make_clients(**settings: Any) -> Any:
    """The client the operations run against (``METALCLOUD_API_KEY`` etc. when not given)."""
    from ._client import Client

    return Client(**settings)


class NoArgs(BaseModel):
    pass


class JobArgs(BaseModel):
    job_id: ResourceId = Field(description="The job id (job_...).")


class ListJobsArgs(BaseModel):
    limit: int = Field(default=10, ge=1, le=100)
    status: Literal["pending", "running", "completed", "failed"] | None = None


def _dump(item: Any) -> dict[str, Any]:
    return dict(item.model_dump(mode="json", exclude_none=True))


OPERATIONS = [
    Operation("metalcloud_list_models", "List MetalCloud models (context length, parameters).", NoArgs,
              SideEffect.READ, lambda c, a, k: [_dump(m) for m in c.list_models()]),
    Operation("metalcloud_get_job", "Get an inference job's status and result.", JobArgs, SideEffect.READ,
              lambda c, a, k: _dump(c.get_job(a.job_id))),
    Operation("metalcloud_list_jobs", "List recent inference jobs, optionally by status.", ListJobsArgs,
              SideEffect.READ, lambda c, a, k: [_dump(j) for j in c.list_jobs(limit=a.limit, status=a.status)]),
]  # fmt: skip
