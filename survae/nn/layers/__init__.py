"""Layers for conditioner networks."""

__all__: list[str] = []
