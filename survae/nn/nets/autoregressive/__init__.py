"""Autoregressive conditioner networks."""

from survae.nn.nets.autoregressive.conditional_made import ConditionalMADE
from survae.nn.nets.autoregressive.made import MADE
from survae.nn.nets.autoregressive.pixelcnn import PixelCNN

__all__ = ["MADE", "ConditionalMADE", "PixelCNN"]
