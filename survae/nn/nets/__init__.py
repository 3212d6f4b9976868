"""Conditioner networks."""

__all__: list[str] = []
