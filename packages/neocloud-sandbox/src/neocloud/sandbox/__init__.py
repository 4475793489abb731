"""neocloud.sandbox: a local, faithful emulator of the providers' wire APIs.

One ASGI app (starlette) on one loopback port, each provider under its own prefix
(``http://127.0.0.1:PORT/cerebras``), with deterministic, general answers (see ``generate``), documented
keys (``SANDBOX_KEYS``), scripting and fault injection (see ``control``).

```python
from neocloud.sandbox import Sandbox

with Sandbox() as sandbox:
    os.environ.update(sandbox.env())  # CEREBRAS_API_KEY, CEREBRAS_BASE_URL, ...
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neocloud.core.lazy import lazy_getattr

from .keys import SANDBOX_KEYS
from .providers import PROVIDERS
from .state import SandboxSettings

if TYPE_CHECKING:
    from .app import create_app
    from .server import Sandbox, env_for, serve

__all__ = ["PROVIDERS", "SANDBOX_KEYS", "Sandbox", "SandboxSettings", "create_app", "env_for", "serve"]

_LAZY = {"create_app": ".app", "Sandbox": ".server", "env_for": ".server", "serve": ".server"}


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)
