"""Cluster Protocol resources, sync and async (thin: requests come from ``_requests``)."""

from __future__ import annotations

import asyncio
import builtins
import os
from pathlib import Path
from typing import Any

from neocloud.core._client import AsyncAPIResource, SyncAPIResource
from neocloud.core.openai_compat import AsyncChatCompletions, AsyncModels, ChatCompletions, Models

from . import _requests as rq
from .types import (
    Balance,
    ClusterChatCompletion,
    ClusterChatCompletionChunk,
    Dataset,
    DatasetAccess,
    DatasetPage,
    FineTuneJob,
    FineTuneJobList,
    Model,
    ModelList,
    Purchase,
    UsageSummary,
)

__all__ = ["AsyncChat", "AsyncDatasets", "AsyncFineTuning", "Chat", "Datasets", "FineTuning"]


class ClusterChatCompletions(ChatCompletions[ClusterChatCompletion, ClusterChatCompletionChunk]):
    """``client.chat.completions`` (OpenAI-compatible; extra fields pass through)."""

    response_model = ClusterChatCompletion
    chunk_model = ClusterChatCompletionChunk


class AsyncClusterChatCompletions(AsyncChatCompletions[ClusterChatCompletion, ClusterChatCompletionChunk]):
    """``client.chat.completions`` of the async client."""

    response_model = ClusterChatCompletion
    chunk_model = ClusterChatCompletionChunk


class Chat(SyncAPIResource):
    """``client.chat``."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.completions = ClusterChatCompletions(client)


class AsyncChat(AsyncAPIResource):
    """``client.chat`` of the async client."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.completions = AsyncClusterChatCompletions(client)


class ClusterModels(Models):
    """``client.models``: ``list()`` (with prices) and ``retrieve(model_id)``."""

    list_model = ModelList
    model_model = Model


class AsyncClusterModels(AsyncModels):
    """``client.models`` of the async client."""

    list_model = ModelList
    model_model = Model


class Account(SyncAPIResource):
    """``client.balance.get()`` / ``client.usage.get()`` share this shape."""

    def __init__(self, client: Any, kind: str) -> None:
        super().__init__(client)
        self._kind = kind

    def get(self) -> Any:
        """The account's balance (``Balance``) or usage totals (``UsageSummary``)."""
        if self._kind == "balance":
            return self._client.request(Balance, rq.balance())
        return self._client.request(UsageSummary, rq.usage())


class AsyncAccount(AsyncAPIResource):
    """Async twin of ``Account``."""

    def __init__(self, client: Any, kind: str) -> None:
        super().__init__(client)
        self._kind = kind

    async def get(self) -> Any:
        """The account's balance (``Balance``) or usage totals (``UsageSummary``)."""
        if self._kind == "balance":
            return await self._client.request(Balance, rq.balance())
        return await self._client.request(UsageSummary, rq.usage())


def _target(directory: str | os.PathLike[str], filename: str) -> Path:
    path = Path(directory) / Path(filename).name  # never let a server-given name escape the directory
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


class Datasets(SyncAPIResource):
    """``client.datasets``: the dataset marketplace."""

    def list(self, page: int = 1, limit: int = 20, q: str | None = None, category: str | None = None) -> DatasetPage:
        """One page of datasets (``has_more`` says whether another exists)."""
        return self._client.request(DatasetPage, rq.datasets(page, limit, q, category))

    def get(self, slug_or_id: str) -> Dataset:
        """One dataset by slug or id."""
        return self._client.request(Dataset, rq.dataset(slug_or_id))

    def purchase(
        self,
        dataset_id: str,
        payment_method: str = "balance",
        tx_hash: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Purchase:
        """Buy a dataset (sent with an ``Idempotency-Key``: a retried purchase never charges twice)."""
        return self._client.request(Purchase, rq.purchase(dataset_id, payment_method, tx_hash, idempotency_key))

    def check_access(self, dataset_id: str) -> DatasetAccess:
        """Whether this account may download the dataset (and why not)."""
        return self._client.request(DatasetAccess, rq.access(dataset_id))

    def download_file(self, dataset_id: str, cid: str, dest: str | os.PathLike[str]) -> Path:
        """Stream one file to ``dest`` (a file path); returns it."""
        path = Path(dest)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._client.stream_bytes(rq.download_file(dataset_id, cid)) as response, path.open("wb") as out:
            for piece in response.iter_bytes(8192):
                out.write(piece)
        return path

    def download(self, slug_or_id: str, directory: str | os.PathLike[str]) -> builtins.list[Path]:
        """Every file of a dataset that has an IPFS id, into ``directory``."""
        info = self.get(slug_or_id)
        return [
            self.download_file(info.id, f.ipfs_cid, _target(directory, f.filename or f.ipfs_cid))
            for f in info.files
            if f.ipfs_cid
        ]


class AsyncDatasets(AsyncAPIResource):
    """``client.datasets`` of the async client."""

    async def list(
        self, page: int = 1, limit: int = 20, q: str | None = None, category: str | None = None
    ) -> DatasetPage:
        return await self._client.request(DatasetPage, rq.datasets(page, limit, q, category))

    async def get(self, slug_or_id: str) -> Dataset:
        """One dataset by slug or id."""
        return await self._client.request(Dataset, rq.dataset(slug_or_id))

    async def purchase(
        self,
        dataset_id: str,
        payment_method: str = "balance",
        tx_hash: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Purchase:
        return await self._client.request(Purchase, rq.purchase(dataset_id, payment_method, tx_hash, idempotency_key))

    async def check_access(self, dataset_id: str) -> DatasetAccess:
        """Whether this account may download the dataset (and why not)."""
        return await self._client.request(DatasetAccess, rq.access(dataset_id))

    async def download_file(self, dataset_id: str, cid: str, dest: str | os.PathLike[str]) -> Path:
        path = Path(dest)
        path.parent.mkdir(parents=True, exist_ok=True)
        # File writes go to a thread so a large download never blocks the event loop.
        out = await asyncio.to_thread(path.open, "wb")
        try:
            async with self._client.stream_bytes(rq.download_file(dataset_id, cid)) as response:
                async for piece in response.aiter_bytes(8192):
                    await asyncio.to_thread(out.write, piece)
        finally:
            await asyncio.to_thread(out.close)
        return path

    async def download(self, slug_or_id: str, directory: str | os.PathLike[str]) -> builtins.list[Path]:
        info = await self.get(slug_or_id)
        return [
            await self.download_file(info.id, f.ipfs_cid, _target(directory, f.filename or f.ipfs_cid))
            for f in info.files
            if f.ipfs_cid
        ]


class FineTuning(SyncAPIResource):
    """``client.fine_tuning``: LoRA fine-tuning jobs."""

    def create(
        self,
        base_model: str,
        training_file: str,
        suffix: str | None = None,
        epochs: int | None = None,
        learning_rate: float | None = None,
        lora_rank: int | None = None,
        lora_alpha: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> FineTuneJob:
        """Start a job (sent with an ``Idempotency-Key``: a retried create never starts two jobs)."""
        fields = {"base_model": base_model, "training_file": training_file, "suffix": suffix, "epochs": epochs,
                  "learning_rate": learning_rate, "lora_rank": lora_rank, "lora_alpha": lora_alpha}  # fmt: skip
        return self._client.request(FineTuneJob, rq.create_fine_tune(fields, idempotency_key))

    def get(self, job_id: str) -> FineTuneJob:
        """One fine-tuning job by id."""
        return self._client.request(FineTuneJob, rq.get_fine_tune(job_id))

    def list(self, limit: int | None = None, after: str | None = None) -> FineTuneJobList:
        """Jobs, newest first (iterate the result)."""
        return self._client.request(FineTuneJobList, rq.list_fine_tunes(limit, after))

    def cancel(self, job_id: str) -> FineTuneJob:
        """Cancel a fine-tuning job (a finished one is returned unchanged)."""
        return self._client.request(FineTuneJob, rq.cancel_fine_tune(job_id))


class AsyncFineTuning(AsyncAPIResource):
    """``client.fine_tuning`` of the async client."""

    async def create(
        self,
        base_model: str,
        training_file: str,
        suffix: str | None = None,
        epochs: int | None = None,
        learning_rate: float | None = None,
        lora_rank: int | None = None,
        lora_alpha: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> FineTuneJob:
        fields = {"base_model": base_model, "training_file": training_file, "suffix": suffix, "epochs": epochs,
                  "learning_rate": learning_rate, "lora_rank": lora_rank, "lora_alpha": lora_alpha}  # fmt: skip
        return await self._client.request(FineTuneJob, rq.create_fine_tune(fields, idempotency_key))

    async def get(self, job_id: str) -> FineTuneJob:
        """One fine-tuning job by id."""
        return await self._client.request(FineTuneJob, rq.get_fine_tune(job_id))

    async def list(self, limit: int | None = None, after: str | None = None) -> FineTuneJobList:
        return await self._client.request(FineTuneJobList, rq.list_fine_tunes(limit, after))

    async def cancel(self, job_id: str) -> FineTuneJob:
        """Cancel a fine-tuning job (a finished one is returned unchanged)."""
        return await self._client.request(FineTuneJob, rq.cancel_fine_tune(job_id))
