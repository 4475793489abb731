"""One provider's agent tools on one framework surface, called the way that framework calls them: LangChain with a
full tool call (sync ``invoke`` or async ``ainvoke``), LlamaIndex with keyword arguments (``call`` or ``acall``)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from pydantic import ValidationError

__all__ = ["SURFACES", "ToolSurface"]

SURFACES = ["langchain-sync", "langchain-async", "llamaindex-sync", "llamaindex-async"]
_NAMES = {"runcrate": "Runcrate", "clusterprotocol": "ClusterProtocol", "inferencekey": "InferenceKey",
          "metalcloud": "MetalCloud"}  # fmt: skip


class ToolSurface:
    """``surface`` is one of ``SURFACES``; ``options`` go to the toolkit / tool spec (billable and destructive
    tools are allowed unless said otherwise). ``call(name, **args)`` answers ``(ok, data)``: the tool's JSON answer
    parsed, or the error text."""

    def __init__(self, surface: str, provider: str, client: Any, **options: Any) -> None:
        self.framework, mode = surface.split("-")
        self.is_async = mode == "async"
        options.setdefault("allow_billable", True)
        options.setdefault("allow_destructive", True)
        if self.framework == "langchain":
            import neocloud.langchain as lc

            self.kit: Any = getattr(lc, f"{_NAMES[provider]}Toolkit")(client=client, **options)
            self.tools = {t.name: t for t in self.kit.get_tools()}
        else:
            import neocloud.llamaindex as li

            self.kit = getattr(li, f"{_NAMES[provider]}ToolSpec")(client=client, **options)
            self.tools = {t.metadata.name: t for t in self.kit.to_tool_list()}
        self.calls = 0

    @property
    def session(self) -> Any:
        return self.kit.session

    async def _acall(self, name: str, args: dict[str, Any]) -> tuple[bool, str]:
        tool = self.tools[name]
        if self.framework == "langchain":
            self.calls += 1
            call = {"type": "tool_call", "id": f"call-{self.calls}", "name": name, "args": args}
            message = await tool.ainvoke(call)
            return message.status == "success", str(message.content)
        output = await tool.acall(**args)
        return not output.is_error, str(output.content)

    def _call(self, name: str, args: dict[str, Any]) -> tuple[bool, str]:
        tool = self.tools[name]
        if self.framework == "langchain":
            self.calls += 1
            message = tool.invoke({"type": "tool_call", "id": f"call-{self.calls}", "name": name, "args": args})
            return message.status == "success", str(message.content)
        output = tool.call(**args)
        return not output.is_error, str(output.content)

    def call(self, name: str, /, **args: Any) -> tuple[bool, Any]:
        try:
            ok, text = asyncio.run(self._acall(name, args)) if self.is_async else self._call(name, args)
        except ValidationError as exc:
            # LangChain validates against the tool's schema before the tool runs and raises; an agent's tool node
            # hands that error to the model, as this does.
            return False, str(exc)
        return ok, (json.loads(text) if ok else text)

    def ok(self, name: str, /, **args: Any) -> Any:
        """The tool's answer; fails the test when the tool answered an error."""
        ok, data = self.call(name, **args)
        assert ok, data
        return data

    def cleanup(self) -> Any:
        return asyncio.run(self.kit.acleanup()) if self.is_async else self.kit.cleanup()
