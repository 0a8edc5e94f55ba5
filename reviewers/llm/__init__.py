"""Model layer: one protocol, several providers, a fallback chain and a cache wrapper."""
