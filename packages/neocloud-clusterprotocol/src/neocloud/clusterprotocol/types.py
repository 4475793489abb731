"""Cluster Protocol wire models: OpenAI-compatible chat plus pricing fields, account, datasets, fine-tuning."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from neocloud.core.wire import ChatCompletion, ChatCompletionChunk, RequestModel, Usage, WireModel

__all__ = [
    "Balance",
    "ClusterChatCompletion",
    "ClusterChatCompletionChunk",
    "ClusterUsage",
    "Dataset",
    "DatasetAccess",
    "DatasetFile",
    "DatasetPage",
    "FineTuneJob",
    "FineTuneJobList",
    "FineTuneRequest",
    "Model",
    "ModelList",
    "Purchase",
    "UsageSummary",
]


class ClusterUsage(Usage):
    """Token usage plus ``total_cost`` in USD."""

    total_cost: float | None = None


class ClusterChatCompletion(ChatCompletion):
    """A chat completion whose usage carries ``total_cost``."""

    usage: ClusterUsage | None = None


class ClusterChatCompletionChunk(ChatCompletionChunk):
    """A stream chunk (a final usage-only chunk arrives when ``stream_options.include_usage`` is set)."""

    usage: ClusterUsage | None = None


class Model(WireModel):
    """A model with its price (USD per 1K tokens) and popularity."""

    id: str
    object: str = "model"
    name: str | None = None
    category: str | None = None
    input_price: float | None = None
    output_price: float | None = None
    total_runs: int | None = None
    context_length: int | None = None
    owned_by: str | None = None
    created: int | None = None


class _Listing(WireModel):
    @model_validator(mode="before")
    @classmethod
    def _bare_array(cls, data: Any) -> Any:
        # The API may answer with a bare JSON array; accept it as the list's data.
        return {"data": data} if isinstance(data, list) else data


class ModelList(_Listing):
    """Every model (iterate it directly)."""

    object: str = "list"
    data: list[Model] = Field(default_factory=list)

    def __iter__(self) -> Iterator[Model]:  # type: ignore[override]
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class Balance(WireModel):
    """Account balance in USD (``GET /api/balance``)."""

    balance_usd: float = Field(default=0.0, alias="balanceUsd")
    total_deposited: float = Field(default=0.0, alias="totalDeposited")
    total_spent: float = Field(default=0.0, alias="totalSpent")


class UsageSummary(WireModel):
    """Account usage totals (``GET /api/usage``)."""

    total_requests: int = Field(default=0, alias="totalRequests")
    total_tokens_in: int = Field(default=0, alias="totalTokensIn")
    total_tokens_out: int = Field(default=0, alias="totalTokensOut")
    total_tokens: int = Field(default=0, alias="totalTokens")
    total_cost: float = Field(default=0.0, alias="totalCost")
    avg_cost_per_request: float = Field(default=0.0, alias="avgCostPerRequest")
    avg_latency_ms: float = Field(default=0.0, alias="avgLatencyMs")


class DatasetFile(WireModel):
    """One file of a dataset; ``ipfs_cid`` is what ``download_file`` fetches."""

    id: str = ""
    filename: str = ""
    ipfs_cid: str | None = Field(default=None, alias="ipfsCid")
    size_bytes: int | None = Field(default=None, alias="sizeBytes")
    format: str | None = None


class Dataset(WireModel):
    """A marketplace dataset."""

    id: str = ""
    name: str = ""
    slug: str = ""
    description: str = ""
    license: str | None = None
    pricing_type: str = Field(default="free", alias="pricingType")
    price_usd: str | None = Field(default=None, alias="priceUsd")
    tags: list[str] = Field(default_factory=list)
    task_categories: list[str] = Field(default_factory=list, alias="taskCategories")
    status: str | None = None
    download_count: int = Field(default=0, alias="downloadCount")
    num_rows: int = Field(default=0, alias="numRows")
    total_size_bytes: int = Field(default=0, alias="totalSizeBytes")
    num_files: int = Field(default=0, alias="numFiles")
    formats: list[str] = Field(default_factory=list)
    files: list[DatasetFile] = Field(default_factory=list)
    creator: dict[str, Any] | None = None


class _Pagination(WireModel):
    total: int = 0
    page: int = 1
    limit: int = 20


class DatasetPage(WireModel):
    """One page of datasets; iterate it directly; ``pagination`` says where it is."""

    datasets: list[Dataset] = Field(default_factory=list)
    pagination: _Pagination = Field(default_factory=_Pagination)

    def __iter__(self) -> Iterator[Dataset]:  # type: ignore[override]
        return iter(self.datasets)

    @property
    def has_more(self) -> bool:
        return self.pagination.page * self.pagination.limit < self.pagination.total


class Purchase(WireModel):
    """The outcome of a dataset purchase."""

    id: str | None = None
    dataset_id: str = Field(default="", alias="datasetId")
    status: str = ""
    message: str | None = None


class DatasetAccess(WireModel):
    """Whether the account may download a dataset."""

    has_access: bool = Field(default=False, alias="hasAccess")
    reason: str | None = None


FineTuneStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class FineTuneRequest(RequestModel):
    """``fine_tuning.create`` arguments: ``base_model`` and ``training_file`` (an https URL) required."""

    model_config = ConfigDict(extra="forbid")

    base_model: str = Field(min_length=1)
    training_file: str = Field(pattern=r"^https://")
    suffix: str | None = Field(default=None, max_length=64)
    epochs: int | None = Field(default=None, ge=1, le=100)
    learning_rate: float | None = Field(default=None, gt=0, lt=1)
    lora_rank: int | None = Field(default=None, ge=1, le=256)
    lora_alpha: int | None = Field(default=None, ge=1, le=512)


class FineTuneJob(WireModel):
    """A fine-tuning job: ``queued`` → ``running`` → ``succeeded`` | ``failed`` | ``cancelled``."""

    id: str
    object: str = "fine_tuning.job"
    status: FineTuneStatus = "queued"
    base_model: str | None = None
    training_file: str | None = None
    suffix: str | None = None
    progress: float | None = None
    train_loss: float | None = None
    fine_tuned_model: str | None = None
    created_at: str | None = None
    finished_at: str | None = None
    error: Any = None
    hyperparameters: dict[str, Any] | None = None


class FineTuneJobList(_Listing):
    """Fine-tuning jobs, newest first (iterate it directly)."""

    object: str = "list"
    data: list[FineTuneJob] = Field(default_factory=list)

    def __iter__(self) -> Iterator[FineTuneJob]:  # type: ignore[override]
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)
