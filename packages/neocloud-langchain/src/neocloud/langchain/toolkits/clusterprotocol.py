"""``ClusterProtocolToolkit``."""

from __future__ import annotations

from typing import ClassVar

from .base import NeocloudToolkit

__all__ = ["ClusterProtocolToolkit"]


class ClusterProtocolToolkit(NeocloudToolkit):
    """Cluster Protocol fine-tuning jobs and models with prices as LangChain tools (CLUSTER_API_KEY).

    ```python
    from neocloud.langchain import ClusterProtocolToolkit

    tools = ClusterProtocolToolkit().get_tools()  # read tools only
    more = ClusterProtocolToolkit(allow_billable=True, allow_destructive=True).get_tools()
    ```
    """

    _module: ClassVar[str] = "neocloud.clusterprotocol.tools"
