"""What a provisioning tool is, framework-free: an ``Operation`` defined once, with its side-effect class and
cost estimate. The LangChain toolkits and LlamaIndex tool specs are generated from these definitions."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Strict, StringConstraints

from ..errors import NeocloudError

__all__ = ["CostEstimate", "Created", "Operation", "ResourceId", "SideEffect", "ToolRefused"]


class ToolRefused(NeocloudError):
    """A guard rail refused the call; the message is written for the agent (what was refused and why)."""


def _not_relative(value: str) -> str:
    if value in (".", ".."):
        raise ValueError(f"{value!r} is not an id")
    return value


# The id of a resource, as an agent passes it to a tool: the plain token the provider's list and create tools return
# (``inst_4f2a``, ``ft_job_9``, ``support-bot``). Only characters a URL path keeps as they are: the id the approval
# hook is shown, the id the ledger records and the id in the request path are then the same string, byte for byte,
# and a value such as ``inst_1/../../storage/vol_9`` or ``x?environment=prod`` is refused before approval is asked.
ResourceId = Annotated[
    str,
    Strict(),  # (b"inst_1" is not an id)
    StringConstraints(min_length=1, max_length=256, pattern=r"^[A-Za-z0-9._~-]+$"),
    AfterValidator(_not_relative),
]


class SideEffect(str, enum.Enum):
    """How much a call can cost or destroy; toolkits expose ``READ`` tools unless told otherwise."""

    READ = "read"
    BILLABLE = "billable"  # spends money: creates something that costs money, or grows or buys something
    DESTRUCTIVE = "destructive"  # deletes or stops something


@dataclass(frozen=True)
class CostEstimate:
    """What a billable call would cost, from the provider's own prices.

    ``hourly_usd`` is the running rate it adds; ``total_usd`` the cost it commits to (e.g. rate x max runtime,
    or a one-off charge). ``None`` means the provider publishes no price for it; ``basis`` says how it was found.
    """

    hourly_usd: float | None
    total_usd: float | None
    basis: str


@dataclass(frozen=True)
class Created:
    """A resource a call created: how to tear it down (``teardown`` operation and its arguments)."""

    kind: str
    id: str
    teardown: str
    teardown_args: dict[str, Any]
    hourly_usd: float | None = None


@dataclass(frozen=True)
class Operation:
    """One tool. ``run(clients, args, idempotency_key)`` does the work against the provider's sync clients and
    returns JSON-able data; ``estimate`` prices a billable call before it is made (every billable operation has
    one: a call whose cost cannot be bounded is refused under a budget); ``created`` names what a successful
    call created (for the ledger and ``cleanup``).

    ``recover(clients, args, idempotency_key)`` sends a create whose answer was lost again with the key it was
    sent with, and returns what ``run`` returns: only for creates whose provider answers a repeated key with
    what the first request made, so ``cleanup`` can find (and remove) what the lost answer created.
    ``find_lost(clients, args, since)`` does the same for a create whose provider keys it by its arguments rather
    than by an idempotency key (an InferenceKey workload by its slug): it looks the resource up and returns what
    ``run`` would have returned had the call made it only if the provider says it was created at or after
    ``since`` (when the call's intent was recorded), or ``None`` when it cannot tell. ``actual``
    reads what a call really cost from its answer, when the answer says (``None``: keep the worst case).

    A billable call's arguments are recorded in the spend ledger (to send it again): declare a secret argument as
    ``pydantic.SecretStr``, which is recorded masked.
    """

    name: str
    description: str
    args: type[BaseModel]
    side_effect: SideEffect
    run: Callable[[Any, Any, str | None], Any]
    estimate: Callable[[Any, Any], CostEstimate] | None = None
    created: Callable[[Any, Any], Created | None] | None = None
    # Describes the call in a dry run (defaults to the operation and its arguments).
    describe: Callable[[Any], str] | None = None
    # The id of the resource a destructive call removes, so the ledger knows it is gone.
    removes: Callable[[Any], str] | None = None
    recover: Callable[[Any, Any, str], Any] | None = None
    find_lost: Callable[[Any, Any, datetime], Any] | None = None
    actual: Callable[[Any, Any], float | None] | None = None
