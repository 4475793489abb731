"""Provisioning toolkits (imported lazily: a provider's toolkit loads only that provider)."""
