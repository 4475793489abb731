"""neocloud.clusterprotocol: Cluster Protocol (chat, embeddings, models with prices, fine-tuning, datasets).

```python
from neocloud.clusterprotocol import ClusterClient

client = ClusterClient()  # CLUSTER_API_KEY
reply = client.chat.completions.create(model="llama-3.1-70b", messages=[{"role": "user", "content": "Hi"}])
print(reply.usage.total_cost)
```
"""

from __future__ import annotations

from . import errors
from ._client import AsyncClusterClient, ClusterClient
from ._spec import PROVIDER_SPEC
from .errors import (
    AuthenticationError,
    ClusterAPIError,
    InsufficientBalanceError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from .types import Balance, Dataset, DatasetPage, FineTuneJob, FineTuneJobList, Model, ModelList, UsageSummary

__version__ = "0.1.0"

__all__ = [
    "PROVIDER_SPEC",
    "AsyncClusterClient",
    "AuthenticationError",
    "Balance",
    "ClusterAPIError",
    "ClusterClient",
    "Dataset",
    "DatasetPage",
    "FineTuneJob",
    "FineTuneJobList",
    "InsufficientBalanceError",
    "Model",
    "ModelList",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "UsageSummary",
    "errors",
]
