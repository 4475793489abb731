"""``ClusterProtocolEmbedding``."""

from __future__ import annotations

from typing import ClassVar

from .base import NeocloudEmbedding

__all__ = ["ClusterProtocolEmbedding"]


class ClusterProtocolEmbedding(NeocloudEmbedding):
    """Cluster Protocol embeddings (``CLUSTER_API_KEY``, ``CLUSTER_BASE_URL``; default ``bge-large-en-v1.5``)."""

    provider: ClassVar[str] = "clusterprotocol"
