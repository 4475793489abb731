"""neocloud.inferencekey: InferenceKey workloads (control plane) and their OpenAI-compatible endpoints.

```python
from neocloud.inferencekey import Backend, DataClient, ManagementClient, WorkloadSpec

mgmt = ManagementClient.from_env(project="acme")  # INFERENCEKEY_SDK_TOKEN
ref = mgmt.ensure(WorkloadSpec(name="support-bot", slug="support-bot",
                               model="meta-llama/Llama-3.1-8B-Instruct", backend=Backend.VLLM))
mgmt.wait_until_ready(ref.workload_slug)
print(DataClient.from_env(project="acme").endpoint(ref.workload_slug).generate_text(prompt="Hola").text)
mgmt.delete(ref.workload_slug)
```
"""

from __future__ import annotations

from ._data import AsyncDataClient, AsyncEndpoint, DataClient, Endpoint
from ._management import AsyncManagementClient, ManagementClient
from ._publish import apublish_custom_backend, publish_custom_backend, read_manifest
from ._spec import PROVIDER_SPEC, endpoint_url, workload_root
from .enums import Backend, ExecutionPolicy, OnDrift, TaskType
from .errors import (
    ApiError,
    AuthError,
    BackendError,
    ConfigurationError,
    DriftError,
    InferenceKeyError,
    PackagingError,
    PermissionDenied,
    ValidationError,
    WaitTimeout,
)
from .types import (
    EmbedResult,
    EndpointRef,
    ReadinessEvent,
    RerankItem,
    RerankResult,
    TextChunk,
    TextResult,
    Workload,
    WorkloadSpec,
)

__version__ = "0.1.0"

__all__ = [
    "PROVIDER_SPEC",
    "ApiError",
    "AsyncDataClient",
    "AsyncEndpoint",
    "AsyncManagementClient",
    "AuthError",
    "Backend",
    "BackendError",
    "ConfigurationError",
    "DataClient",
    "DriftError",
    "EmbedResult",
    "Endpoint",
    "EndpointRef",
    "ExecutionPolicy",
    "InferenceKeyError",
    "ManagementClient",
    "OnDrift",
    "PackagingError",
    "PermissionDenied",
    "ReadinessEvent",
    "RerankItem",
    "RerankResult",
    "TaskType",
    "TextChunk",
    "TextResult",
    "ValidationError",
    "WaitTimeout",
    "Workload",
    "WorkloadSpec",
    "apublish_custom_backend",
    "endpoint_url",
    "publish_custom_backend",
    "read_manifest",
    "workload_root",
]
