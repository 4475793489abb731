"""``NeocloudToolkit``: LangChain tools generated from a provider's operations, behind the shared guard rails
(``neocloud.core.tools.ToolSession``). Refusals and provider errors come back to the agent as tool errors
(``ToolException`` with ``handle_tool_error``), so it can read why and act on it."""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable
from typing import Any, ClassVar

from langchain_core.tools import BaseTool, BaseToolkit, ToolException
from pydantic import ConfigDict, PrivateAttr

from neocloud.core.errors import NeocloudError
from neocloud.core.tools import Approval, ApprovalRequest, Operation, SpendPolicy, ToolSession

__all__ = ["NeocloudTool", "NeocloudToolkit"]

# The id of the model's tool call being run (LangChain hands it to ``run``, not to ``_run``): the idempotency
# key is derived from it, so the same call replayed by an agent never provisions twice.
_CALL_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("neocloud_tool_call_id", default=None)


class NeocloudTool(BaseTool):
    """One provider operation as a LangChain tool (sync and async)."""

    handle_tool_error: bool = True
    model_config = ConfigDict(arbitrary_types_allowed=True)

    _session: ToolSession = PrivateAttr()
    _operation: Operation = PrivateAttr()

    @classmethod
    def for_operation(cls, session: ToolSession, op: Operation) -> NeocloudTool:
        tool = cls(name=op.name, description=op.description, args_schema=op.args)
        tool._session, tool._operation = session, op
        return tool

    @property
    def side_effect(self) -> str:
        return self._operation.side_effect.value

    def run(self, tool_input: Any, *args: Any, tool_call_id: str | None = None, **kwargs: Any) -> Any:
        token = _CALL_ID.set(tool_call_id)
        try:
            return super().run(tool_input, *args, tool_call_id=tool_call_id, **kwargs)
        finally:
            _CALL_ID.reset(token)

    async def arun(self, tool_input: Any, *args: Any, tool_call_id: str | None = None, **kwargs: Any) -> Any:
        token = _CALL_ID.set(tool_call_id)
        try:
            return await super().arun(tool_input, *args, tool_call_id=tool_call_id, **kwargs)
        finally:
            _CALL_ID.reset(token)

    def _run(self, *args: Any, run_manager: Any = None, **kwargs: Any) -> str:
        try:
            return json.dumps(self._session.invoke(self.name, kwargs, _CALL_ID.get()), default=str)
        except NeocloudError as exc:
            raise ToolException(f"{self.name} failed: {exc}") from exc

    async def _arun(self, *args: Any, run_manager: Any = None, **kwargs: Any) -> str:
        try:
            return json.dumps(await self._session.ainvoke(self.name, kwargs, _CALL_ID.get()), default=str)
        except NeocloudError as exc:
            raise ToolException(f"{self.name} failed: {exc}") from exc


class NeocloudToolkit(BaseToolkit):
    """Provisioning tools for one provider. Read tools only unless ``allow_billable`` / ``allow_destructive``;
    ``spend_policy`` caps what the session may start; ``approve`` sees every billable or destructive call;
    ``dry_run`` describes and prices calls without sending them. ``cleanup()`` (or ``with toolkit:``) tears down
    everything the toolkit created."""

    _module: ClassVar[str] = ""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    _session: ToolSession = PrivateAttr()

    def __init__(
        self,
        *,
        client: Any = None,
        allow_billable: bool = False,
        allow_destructive: bool = False,
        spend_policy: SpendPolicy | None = None,
        approve: Callable[[ApprovalRequest], Approval | bool] | None = None,
        dry_run: bool = False,
        **client_settings: Any,
    ) -> None:
        super().__init__()
        self._session = ToolSession.for_provider(
            self._module,
            client=client,
            allow_billable=allow_billable,
            allow_destructive=allow_destructive,
            spend_policy=spend_policy,
            approve=approve,
            dry_run=dry_run,
            **client_settings,
        )

    @property
    def session(self) -> ToolSession:
        """The guard rails and the ledger of what this toolkit created."""
        return self._session

    def get_tools(self) -> list[BaseTool]:
        return [NeocloudTool.for_operation(self._session, op) for op in self._session.exposed()]

    def cleanup(self) -> list[str]:
        """Tear down everything this toolkit created; returns what was removed."""
        return self._session.cleanup()

    def __enter__(self) -> NeocloudToolkit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()
