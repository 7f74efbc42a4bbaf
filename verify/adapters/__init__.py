"""Adapters to other libraries (each an optional import)."""
