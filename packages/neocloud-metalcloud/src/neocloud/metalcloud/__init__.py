"""neocloud.metalcloud: MetalCloud inference, models and jobs on the neocloud core.

```python
from neocloud.metalcloud import Client

client = Client()  # METALCLOUD_API_KEY
print(client.inference(model="meta-llama/Llama-3.3-70B", prompt="Explain quantum computing").text)
```
"""

from __future__ import annotations

from . import exceptions
from ._client import AsyncClient, Client
from ._spec import PROVIDER_SPEC
from .exceptions import (
    AuthenticationError,
    InsufficientCreditsError,
    JobNotFoundError,
    MetalCloudError,
    ModelNotFoundError,
    RateLimitError,
)
from .types import InferenceChunk, InferenceResponse, Job, JobList, Model, ModelList

__version__ = "0.1.0"

__all__ = [
    "PROVIDER_SPEC",
    "AsyncClient",
    "AuthenticationError",
    "Client",
    "InferenceChunk",
    "InferenceResponse",
    "InsufficientCreditsError",
    "Job",
    "JobList",
    "JobNotFoundError",
    "MetalCloudError",
    "Model",
    "ModelList",
    "ModelNotFoundError",
    "RateLimitError",
    "exceptions",
]
