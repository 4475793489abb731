"""neocloud.cerebras: the Cerebras Inference API on the neocloud core.

```python
from neocloud.cerebras import Cerebras

client = Cerebras()  # CEREBRAS_API_KEY, CEREBRAS_BASE_URL
reply = client.chat.completions.create(model="llama3.1-8b", messages=[{"role": "user", "content": "Hi"}])
```
"""

from __future__ import annotations

from neocloud.core._client import DefaultAsyncHttpxClient, DefaultHttpxClient
from neocloud.core._response import APIResponse
from neocloud.core._types import NOT_GIVEN, NotGiven, Timeout
from neocloud.core.errors import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    StreamError,
    UnprocessableEntityError,
)
from neocloud.core.errors import NeocloudError as CerebrasError
from neocloud.core.streaming import AsyncStream, Stream

from ._client import AsyncCerebras, Cerebras
from ._spec import PROVIDER_SPEC

__version__ = "0.1.0"

__all__ = [
    "NOT_GIVEN",
    "PROVIDER_SPEC",
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncCerebras",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "Cerebras",
    "CerebrasError",
    "ConfigurationError",
    "ConflictError",
    "DefaultAsyncHttpxClient",
    "DefaultHttpxClient",
    "InternalServerError",
    "NotFoundError",
    "NotGiven",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "Stream",
    "StreamError",
    "Timeout",
    "UnprocessableEntityError",
]
