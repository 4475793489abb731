"""``ClusterProtocolEmbeddings``."""

from __future__ import annotations

from typing import ClassVar

from .base import BaseNeocloudEmbeddings

__all__ = ["ClusterProtocolEmbeddings"]


class ClusterProtocolEmbeddings(BaseNeocloudEmbeddings):
    """Cluster Protocol embeddings (``CLUSTER_API_KEY``, ``CLUSTER_BASE_URL``).

    ```python
    from neocloud.langchain import ClusterProtocolEmbeddings

    vectors = ClusterProtocolEmbeddings().embed_documents(["GPU clusters", "fast inference"])
    ```
    """

    _provider: ClassVar[str] = "clusterprotocol"
