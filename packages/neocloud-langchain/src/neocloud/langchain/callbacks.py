"""Cost totals for LangChain runs: ``NeocloudCostHandler`` and ``with neocloud_costs() as cb:``.

Every neocloud chat model puts a call's price in ``response_metadata["cost"]`` (``{"usd", "source"}``, see
``neocloud.core.pricing``); the handler adds those up with the usage, per provider and model. A message without a
cost (a model whose price is unknown, or another library's model) counts as an unpriced call: never a guess.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tracers.context import register_configure_hook

from neocloud.core.pricing import CostTotals, TotalsView, usd_of

__all__ = ["NeocloudCostHandler", "neocloud_costs"]


class NeocloudCostHandler(TotalsView, BaseCallbackHandler):
    """Totals tokens and USD per ``(provider, model)`` of every chat call it sees; thread-safe.

    Pass it in ``config={"callbacks": [handler]}`` or open ``neocloud_costs()``. ``total_usd``, ``calls``,
    ``prompt_tokens``, ``completion_tokens``, ``by_model`` read the totals; ``str(handler)`` prints them.
    """

    # LangChain may call handlers from worker threads; the totals take their own lock, so no handler-wide one.
    run_inline = True

    def __init__(self) -> None:
        super().__init__()
        self.totals = CostTotals()

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        # One inner list per prompt; with n > 1 each choice repeats the call's usage and cost: count the first.
        for choices in response.generations:
            messages = [g.message for g in choices if isinstance(g, ChatGeneration)]
            if messages:
                self._count(messages[0])

    def _count(self, message: BaseMessage) -> None:
        metadata = message.response_metadata
        usage = getattr(message, "usage_metadata", None) or {}
        provider = metadata.get("model_provider")
        model = metadata.get("model_name")
        self.totals.count(
            provider if isinstance(provider, str) else "unknown",
            model if isinstance(model, str) else "unknown",
            int(usage.get("input_tokens", 0)),
            int(usage.get("output_tokens", 0)),
            usd_of(metadata.get("cost")),
        )


_HANDLER: ContextVar[NeocloudCostHandler | None] = ContextVar("neocloud_cost_handler", default=None)
# Every callback manager configured while the variable holds a handler gets it (as get_openai_callback does).
register_configure_hook(_HANDLER, inheritable=True)


@contextmanager
def neocloud_costs() -> Iterator[NeocloudCostHandler]:
    """Total the cost of every LangChain chat call made inside the block (threads and tasks started in it too)."""
    handler = NeocloudCostHandler()
    token = _HANDLER.set(handler)
    try:
        yield handler
    finally:
        _HANDLER.reset(token)
