"""``InferenceKeyToolkit``."""

from __future__ import annotations

from typing import ClassVar

from .base import NeocloudToolkit

__all__ = ["InferenceKeyToolkit"]


class InferenceKeyToolkit(NeocloudToolkit):
    """InferenceKey workloads (ensure, wait until ready, endpoint, delete, list) as LangChain tools
    (INFERENCEKEY_SDK_TOKEN, INFERENCEKEY_PROJECT).

    ```python
    from neocloud.langchain import InferenceKeyToolkit

    tools = InferenceKeyToolkit().get_tools()  # read tools only
    more = InferenceKeyToolkit(allow_billable=True, allow_destructive=True).get_tools()
    ```
    """

    _module: ClassVar[str] = "neocloud.inferencekey.tools"
