"""Initialisation helpers for conditioner networks."""

from __future__ import annotations

import torch
from torch import nn


def zero_init_(module: nn.Module) -> nn.Module:
    """Set every parameter of ``module`` to zero, in place, and return it.

    Applied to the last layer of a conditioner (a ``Linear``, ``Conv2d`` or ``GatedConv2d``) it
    makes the network output zeros at initialisation, so a coupling layer starts as the identity.

    Example:
        >>> import torch
        >>> zero_init_(torch.nn.Linear(3, 2))(torch.randn(4, 3)).abs().max().item()
        0.0
    """
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.zero_()
    return module
