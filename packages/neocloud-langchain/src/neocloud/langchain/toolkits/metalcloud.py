"""``MetalCloudToolkit``."""

from __future__ import annotations

from typing import ClassVar

from .base import NeocloudToolkit

__all__ = ["MetalCloudToolkit"]


class MetalCloudToolkit(NeocloudToolkit):
    """MetalCloud models and inference jobs (read-only) as LangChain tools (METALCLOUD_API_KEY).

    ```python
    from neocloud.langchain import MetalCloudToolkit

    tools = MetalCloudToolkit().get_tools()  # read tools only
    more = MetalCloudToolkit(allow_billable=True, allow_destructive=True).get_tools()
    ```
    """

    _module: ClassVar[str] = "neocloud.metalcloud.tools"
