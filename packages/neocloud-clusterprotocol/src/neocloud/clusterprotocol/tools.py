"""Cluster Protocol operations for agents, defined once: fine-tuning jobs, models with their prices, and the
dataset marketplace.

Cluster Protocol publishes no fine-tuning price, so under a budget a fine-tune is refused unless the toolkit's
``SpendPolicy(unpriced_hourly_usd=...)`` states what to assume. A dataset purchase is priced from the dataset's own
``price_usd`` (free datasets cost nothing; buying one already owned costs nothing). Fine-tunes and purchases carry
an Idempotency-Key, so one whose answer was lost is sent again with it to find what it did (``recover``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from neocloud.core.tools import CostEstimate, Created, Operation, ResourceId, SideEffect

__all__ = ["NOT_TOOLS", "OPERATIONS", "make_clients"]

_INFERENCE = (
    "inference: the provider's chat model, embeddings and LLM classes are how agents call models (they meter tokens)"
)

# Client methods that create or spend and are deliberately not agent tools, with why.
NOT_TOOLS = {
    "embeddings.create": _INFERENCE,
    "chat.completions.create": _INFERENCE,
}


def make_clients(**settings: Any) -> Any:
    """The client the operations run against (``CLUSTER_API_KEY`` etc. when not given)."""
    from ._client import ClusterClient

    return ClusterClient(**settings)


class NoArgs(BaseModel):
    pass


class FineTuneArgs(BaseModel):
    # The limits are the client's (``FineTuneRequest``): a bad value is refused before anything is reserved.
    base_model: str = Field(min_length=1, description="The model to fine-tune, e.g. 'llama-3.1-8b' "
                            "(from clusterprotocol_list_models).")  # fmt: skip
    training_file: str = Field(pattern=r"^https://", description="An https URL of the JSONL training data.")
    suffix: str | None = Field(default=None, max_length=64, description="A suffix for the fine-tuned model's name.")
    epochs: int | None = Field(default=None, ge=1, le=100, description="Passes over the data.")
    learning_rate: float | None = Field(default=None, gt=0, lt=1, description="The optimizer's learning rate.")
    lora_rank: int | None = Field(default=None, ge=1, le=256, description="The LoRA adapter's rank.")
    lora_alpha: int | None = Field(default=None, ge=1, le=512, description="The LoRA scaling factor (alpha).")


class DatasetsArgs(BaseModel):
    q: str | None = Field(default=None, description="Search text.")
    category: str | None = None
    page: int = Field(default=1, ge=1)
    limit: int = Field(default=20, ge=1, le=100)


class PurchaseArgs(BaseModel):
    dataset_id: ResourceId = Field(description="The dataset id (from clusterprotocol_list_datasets).")
    payment_method: Literal["balance", "eth", "token"] = Field(default="balance", description="How to pay: the "
                                                               "account balance, or an on-chain payment.")  # fmt: skip
    tx_hash: str | None = Field(default=None, description="The payment's transaction hash (eth and token only).")


class JobArgs(BaseModel):
    job_id: ResourceId = Field(description="The fine-tuning job id (ft_job_...).")


class ListJobsArgs(BaseModel):
    limit: int | None = Field(default=20, ge=1, le=100)


def _fine_tune(c: Any, a: FineTuneArgs, key: str | None) -> dict[str, Any]:
    return _dump(c.fine_tuning.create(idempotency_key=key, **a.model_dump(exclude_none=True)))


def _dump(item: Any) -> dict[str, Any]:
    return dict(item.model_dump(mode="json", exclude_none=True))


def _purchase(c: Any, a: PurchaseArgs, key: str | None) -> dict[str, Any]:
    return _dump(c.datasets.purchase(a.dataset_id, a.payment_method, a.tx_hash, idempotency_key=key))


def _purchase_estimate(c: Any, a: PurchaseArgs) -> CostEstimate:
    found = c.datasets.get(a.dataset_id)
    if found.pricing_type != "free" and c.datasets.check_access(found.id).has_access:
        return CostEstimate(None, 0.0, f"dataset {found.slug or found.id} is owned already: nothing to pay")
    price = 0.0 if found.pricing_type == "free" else float(found.price_usd or 0)
    if found.pricing_type != "free" and found.price_usd is None:
        return CostEstimate(None, None, f"dataset {found.slug or found.id} lists no price")
    return CostEstimate(None, price, f"dataset {found.slug or found.id} at ${price:g} ({found.pricing_type})")


OPERATIONS = [
    Operation("clusterprotocol_list_models", "List Cluster Protocol models with their prices (USD per 1K input and "
              "output tokens) and context length.", NoArgs, SideEffect.READ,
              lambda c, a, k: [_dump(m) for m in c.models.list()]),
    Operation("clusterprotocol_create_fine_tune", "Start a LoRA fine-tuning job (billed to the account balance); "
              "epochs, learning_rate, lora_rank and lora_alpha are optional. Poll it with "
              "clusterprotocol_get_fine_tune.", FineTuneArgs, SideEffect.BILLABLE,
              _fine_tune,
              # The API lists no fine-tuning price: the cost is unknown until the job is billed.
              estimate=lambda c, a: CostEstimate(None, None, "Cluster Protocol publishes no fine-tuning price"),
              created=lambda a, r: Created("fine_tune", r["id"], "clusterprotocol_cancel_fine_tune",
                                           {"job_id": r["id"]}),
              recover=_fine_tune),
    Operation("clusterprotocol_get_fine_tune", "Get a fine-tuning job's status and progress.", JobArgs,
              SideEffect.READ, lambda c, a, k: _dump(c.fine_tuning.get(a.job_id))),
    Operation("clusterprotocol_list_fine_tunes", "List fine-tuning jobs, newest first.", ListJobsArgs,
              SideEffect.READ, lambda c, a, k: [_dump(j) for j in c.fine_tuning.list(limit=a.limit)]),
    Operation("clusterprotocol_cancel_fine_tune", "Cancel a fine-tuning job.", JobArgs, SideEffect.DESTRUCTIVE,
              lambda c, a, k: _dump(c.fine_tuning.cancel(a.job_id)), removes=lambda a: a.job_id),
    Operation("clusterprotocol_list_datasets", "Search the dataset marketplace (name, pricing type, price in USD, "
              "size).", DatasetsArgs, SideEffect.READ,
              lambda c, a, k: [_dump(d) for d in c.datasets.list(a.page, a.limit, a.q, a.category)]),
    Operation("clusterprotocol_purchase_dataset", "Buy a dataset (from the balance by default) so its files can be "
              "downloaded and used for fine-tuning.", PurchaseArgs, SideEffect.BILLABLE, _purchase,
              estimate=_purchase_estimate, recover=_purchase,
              actual=lambda a, r: 0.0 if r.get("status") == "already_owned" else None),
]  # fmt: skip
