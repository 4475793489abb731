"""``RuncrateToolkit``."""

from __future__ import annotations

from typing import ClassVar

from .base import NeocloudToolkit

__all__ = ["RuncrateToolkit"]


class RuncrateToolkit(NeocloudToolkit):
    """Runcrate GPU instances, storage volumes, billing and templates as LangChain tools (RUNCRATE_API_KEY).

    ```python
    from neocloud.langchain import RuncrateToolkit

    tools = RuncrateToolkit().get_tools()  # read tools only
    more = RuncrateToolkit(allow_billable=True, allow_destructive=True).get_tools()
    ```
    """

    _module: ClassVar[str] = "neocloud.runcrate.tools"
