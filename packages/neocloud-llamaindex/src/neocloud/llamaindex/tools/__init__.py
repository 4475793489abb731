"""Provisioning tool specs (imported lazily: a provider's tool spec loads only that provider)."""
