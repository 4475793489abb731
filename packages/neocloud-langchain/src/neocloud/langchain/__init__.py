"""LangChain integrations."""
