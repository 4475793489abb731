"""LlamaIndex LLMs (imported lazily)."""
