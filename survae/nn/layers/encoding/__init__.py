"""Positional encodings."""

from survae.nn.layers.encoding.positional_encoding_image import PositionalEncodingImage

__all__ = ["PositionalEncodingImage"]
