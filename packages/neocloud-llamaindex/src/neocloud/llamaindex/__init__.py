"""LlamaIndex integrations."""
