"""neocloud.runcrate: Runcrate inference (chat, images, video, speech, transcription) and infrastructure
(instances, SSH keys, storage, billing, templates) on the neocloud core.

```python
from neocloud.runcrate import Runcrate

with Runcrate() as client:  # RUNCRATE_API_KEY (rc_live_...)
    print(client.billing.get_balance().credits_balance)
```
"""

from __future__ import annotations

from . import exceptions
from ._client import AsyncRuncrate, Runcrate
from ._spec import PROVIDER_SPEC
from .exceptions import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ConnectionError,
    InsufficientCreditsError,
    InternalServerError,
    JobWaitTimeoutError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RuncrateError,
    RuncrateValidationError,
    TimeoutError,
    UnprocessableEntityError,
)
from .types import (
    Balance,
    ImageResponse,
    Instance,
    InstanceStatus,
    InstanceType,
    Page,
    SSHKey,
    StorageVolume,
    Template,
    Transaction,
    Transcription,
    VideoJob,
)
from .types_jobs import Environment, Job, JobGroup, JobLogs, Schedule, ScheduleRun, Secret, SubmittedJobGroup, TopUp

__version__ = "0.1.0"

__all__ = [
    "PROVIDER_SPEC",
    "ApiError",
    "AsyncRuncrate",
    "AuthenticationError",
    "BadRequestError",
    "Balance",
    "ConflictError",
    "ConnectionError",
    "Environment",
    "ImageResponse",
    "Instance",
    "InstanceStatus",
    "InstanceType",
    "InsufficientCreditsError",
    "InternalServerError",
    "Job",
    "JobGroup",
    "JobLogs",
    "JobWaitTimeoutError",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "RateLimitError",
    "Runcrate",
    "RuncrateError",
    "RuncrateValidationError",
    "SSHKey",
    "Schedule",
    "ScheduleRun",
    "Secret",
    "StorageVolume",
    "SubmittedJobGroup",
    "Template",
    "TimeoutError",
    "TopUp",
    "Transaction",
    "Transcription",
    "UnprocessableEntityError",
    "VideoJob",
    "exceptions",
]
