"""The benchmark suite (``make bench``): our clients and framework classes against raw httpx and the incumbents."""
