"""``NeocloudToolkit``: LangChain tools generated from a provider's operations, behind the shared guard rails
(``neocloud.core.tools.ToolSession``). Refusals and provider errors come back to the agent as tool errors
(``ToolException`` with ``handle_tool_error``), so it can read why and act on it."""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from langchain_core.tools import BaseTool, BaseToolkit, ToolException
from pydantic import ConfigDict, PrivateAttr

from neocloud.core.errors import NeocloudError
from neocloud.core.tools import (
    Approval,
    ApprovalRequest,
    BudgetChoice,
    CleanupReport,
    Operation,
    SpendPolicy,
    ToolSession,
)

if TYPE_CHECKING:
    from neocloud.core.ledger import LedgerStore

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
        tool = cls(name=op.name, description=session.description(op), args_schema=op.args)
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
    """Provisioning tools for one provider. Read tools only unless ``allow_billable`` / ``allow_destructive``.

    Every billable call is recorded in the spend ledger (``ledger``; default ``open_ledger()``: ``NEOCLOUD_LEDGER``,
    else a SQLite file in the user's data directory) under this toolkit's ``run_id`` (a fresh one unless given),
    and reserves its worst-case cost against ``budget`` (a ``Budget`` or several; ``UNLIMITED`` for none; by
    default $10 for the run when billable tools are allowed and ``spend_policy`` sets no cap) before anything is
    sent. ``spend_policy`` states pricing assumptions, and its ``max_total_usd`` / ``max_hourly_usd`` caps become
    budgets of the run. ``approve`` sees every billable or destructive call; ``dry_run`` describes and prices calls
    without sending them. ``cleanup()`` (or ``with toolkit:``) tears down everything the run created."""

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
        ledger: LedgerStore | None = None,
        budget: BudgetChoice = None,
        run_id: str | None = None,
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
            ledger=ledger,
            budget=budget,
            run_id=run_id,
            **client_settings,
        )

    @property
    def session(self) -> ToolSession:
        """The guard rails, the run (``session.run_id``) and its ledger (``session.ledger``)."""
        return self._session

    @property
    def run_id(self) -> str:
        """This toolkit's run in the ledger."""
        return self._session.run_id

    def get_tools(self) -> list[BaseTool]:
        return [NeocloudTool.for_operation(self._session, op) for op in self._session.exposed()]

    def cleanup(self) -> CleanupReport:
        """Resolve the run's lost calls and tear down everything it created; returns what it did."""
        return self._session.cleanup()

    async def acleanup(self) -> CleanupReport:
        """``cleanup`` for asyncio code."""
        return await self._session.acleanup()

    def __enter__(self) -> NeocloudToolkit:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.cleanup()
        finally:
            self._session.close()
