"""``MetalCloudToolSpec``."""

from __future__ import annotations

from typing import ClassVar

from .base import NeocloudToolSpec

__all__ = ["MetalCloudToolSpec"]


class MetalCloudToolSpec(NeocloudToolSpec):
    """MetalCloud models and inference jobs (read-only) as LlamaIndex tools.

    ```python
    from neocloud.llamaindex import MetalCloudToolSpec

    tools = MetalCloudToolSpec().to_tool_list()  # read tools only
    more = MetalCloudToolSpec(allow_billable=True, allow_destructive=True, approval="workflow").to_tool_list()
    ```
    """

    _module: ClassVar[str] = "neocloud.metalcloud.tools"
