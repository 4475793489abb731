"""``NeocloudToolSpec``: LlamaIndex tools generated from a provider's operations, behind the shared guard rails
(``neocloud.core.tools.ToolSession``).

With ``approval="workflow"`` every billable or destructive tool asks through the agent workflow: it emits an
``InputRequiredEvent`` (``operation``, ``arguments``, ``estimate``, ``prefix``) and waits for a
``HumanResponseEvent`` whose ``response`` is "yes". LlamaIndex replays the tool body when the answer arrives,
so the body only checks (no side effects) before the wait and acts after it: nothing runs twice.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from llama_index.core.tools import FunctionTool, ToolMetadata, ToolOutput
from llama_index.core.tools.tool_spec.base import BaseToolSpec
from llama_index.core.workflow import Context, HumanResponseEvent, InputRequiredEvent

from neocloud.core.errors import NeocloudError
from neocloud.core.tools import (
    Approval,
    ApprovalRequest,
    BudgetChoice,
    CleanupReport,
    Operation,
    SideEffect,
    SpendPolicy,
    ToolRefused,
    ToolSession,
    call_fingerprint,
)

if TYPE_CHECKING:
    from neocloud.core.ledger import LedgerStore

__all__ = ["NeocloudFunctionTool", "NeocloudToolSpec"]

YES = {"yes", "y", "approve", "approved", "ok"}


class NeocloudFunctionTool(FunctionTool):
    """A ``FunctionTool`` whose refusals and provider errors come back as error outputs the agent can read
    (``is_error``), instead of exceptions that end the run. Only neocloud errors are caught: a workflow's own
    control flow (waiting for an approval event) passes through untouched."""

    def _error(self, exc: NeocloudError, kwargs: dict[str, Any]) -> ToolOutput:
        return ToolOutput(content=f"{self.metadata.name} failed: {exc}", tool_name=self.metadata.get_name(),
                          raw_input={"kwargs": kwargs}, raw_output=str(exc), is_error=True)  # fmt: skip

    def call(self, *args: Any, **kwargs: Any) -> ToolOutput:
        try:
            return super().call(*args, **kwargs)
        except NeocloudError as exc:
            return self._error(exc, kwargs)

    async def acall(self, *args: Any, **kwargs: Any) -> ToolOutput:
        try:
            return await super().acall(*args, **kwargs)
        except NeocloudError as exc:
            return self._error(exc, kwargs)


class NeocloudToolSpec(BaseToolSpec):
    """Provisioning tools for one provider; the same guard rails and arguments as the LangChain toolkits (the spend
    ledger and its ``run_id``, ``budget``, ``spend_policy``, ``approve``, ``dry_run``), plus ``approval="workflow"``
    to ask through the agent workflow."""

    _module: ClassVar[str] = ""
    spec_functions = []

    def __init__(
        self,
        *,
        client: Any = None,
        allow_billable: bool = False,
        allow_destructive: bool = False,
        spend_policy: SpendPolicy | None = None,
        approve: Callable[[ApprovalRequest], Approval | bool] | None = None,
        approval: str | None = None,
        dry_run: bool = False,
        ledger: LedgerStore | None = None,
        budget: BudgetChoice = None,
        run_id: str | None = None,
        **client_settings: Any,
    ) -> None:
        if approval not in (None, "workflow"):
            raise ValueError("approval must be None or 'workflow'")
        self.session = ToolSession.for_provider(
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
        self.approval = approval

    def to_tool_list(self, *args: Any, **kwargs: Any) -> list[FunctionTool]:  # all generated
        return [self._tool(op) for op in self.session.exposed()]

    @property
    def run_id(self) -> str:
        """These tools' run in the ledger."""
        return self.session.run_id

    def cleanup(self) -> CleanupReport:
        """Resolve the run's lost calls and tear down everything it created; returns what it did."""
        return self.session.cleanup()

    async def acleanup(self) -> CleanupReport:
        """``cleanup`` for asyncio code."""
        return await self.session.acleanup()

    def __enter__(self) -> NeocloudToolSpec:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.cleanup()
        finally:
            self.session.close()

    def _tool(self, op: Operation) -> FunctionTool:
        session, name = self.session, op.name
        metadata = ToolMetadata(name=name, description=session.description(op), fn_schema=op.args)

        def call(**kwargs: Any) -> str:
            return json.dumps(session.invoke(name, kwargs), default=str)

        async def acall(**kwargs: Any) -> str:
            return json.dumps(await session.ainvoke(name, kwargs), default=str)

        if self.approval != "workflow" or op.side_effect is SideEffect.READ:
            return NeocloudFunctionTool(fn=call, async_fn=acall, metadata=metadata)

        async def approved_call(ctx: Context, **kwargs: Any) -> str:
            # Validation and whether it fits the budget now: no side effects (the body runs again after the wait).
            checked, args, estimate = session.prepare(name, kwargs, check_budget=True)
            # The workflow replays this body when the answer arrives: the waiter must be found again by the call.
            key = call_fingerprint(name, args.model_dump(mode="json"))
            cost = (
                "unknown"
                if estimate is None or (estimate.total_usd is None and estimate.hourly_usd is None)
                else (f"${estimate.hourly_usd or 0:.2f}/h, ${estimate.total_usd or 0:.2f} committed ({estimate.basis})")
            )
            answer = await ctx.wait_for_event(HumanResponseEvent, waiter_id=key, waiter_event=InputRequiredEvent(
                prefix=f"Approve {name} with {args.model_dump_json()}? Estimated cost: {cost}. Answer yes or no.",
                operation=name, arguments=args.model_dump(mode="json"), estimate=cost))  # fmt: skip
            if str(getattr(answer, "response", "")).strip().lower() not in YES:
                raise ToolRefused(f"{name} was not approved. Do not retry it unless the user asks again.")
            # A programmatic hook, if any, still has its say (after the call's reservation, as in ``invoke``).
            done = await asyncio.to_thread(lambda: session.act(checked, args, estimate, None, approve_first=True))
            return json.dumps(done, default=str)

        # LlamaIndex finds the context parameter by its annotation object (this module's annotations are strings).
        approved_call.__annotations__["ctx"] = Context
        return NeocloudFunctionTool(async_fn=approved_call, metadata=metadata)
