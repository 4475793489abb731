"""``InferenceKeyToolSpec``."""

from __future__ import annotations

from typing import ClassVar

from .base import NeocloudToolSpec

__all__ = ["InferenceKeyToolSpec"]


class InferenceKeyToolSpec(NeocloudToolSpec):
    """InferenceKey workloads (ensure, wait until ready, endpoint, delete, list) as LlamaIndex tools.

    ```python
    from neocloud.llamaindex import InferenceKeyToolSpec

    tools = InferenceKeyToolSpec().to_tool_list()  # read tools only
    more = InferenceKeyToolSpec(allow_billable=True, allow_destructive=True, approval="workflow").to_tool_list()
    ```
    """

    _module: ClassVar[str] = "neocloud.inferencekey.tools"
