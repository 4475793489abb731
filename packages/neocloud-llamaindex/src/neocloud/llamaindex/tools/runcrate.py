"""``RuncrateToolSpec``."""

from __future__ import annotations

from typing import ClassVar

from .base import NeocloudToolSpec

__all__ = ["RuncrateToolSpec"]


class RuncrateToolSpec(NeocloudToolSpec):
    """Runcrate GPU instances, storage volumes, billing and templates as LlamaIndex tools.

    ```python
    from neocloud.llamaindex import RuncrateToolSpec

    tools = RuncrateToolSpec().to_tool_list()  # read tools only
    more = RuncrateToolSpec(allow_billable=True, allow_destructive=True, approval="workflow").to_tool_list()
    ```
    """

    _module: ClassVar[str] = "neocloud.runcrate.tools"
