"""``ClusterProtocolToolSpec``."""

from __future__ import annotations

from typing import ClassVar

from .base import NeocloudToolSpec

__all__ = ["ClusterProtocolToolSpec"]


class ClusterProtocolToolSpec(NeocloudToolSpec):
    """Cluster Protocol fine-tuning jobs and models with prices as LlamaIndex tools.

    ```python
    from neocloud.llamaindex import ClusterProtocolToolSpec

    tools = ClusterProtocolToolSpec().to_tool_list()  # read tools only
    more = ClusterProtocolToolSpec(allow_billable=True, allow_destructive=True, approval="workflow").to_tool_list()
    ```
    """

    _module: ClassVar[str] = "neocloud.clusterprotocol.tools"
