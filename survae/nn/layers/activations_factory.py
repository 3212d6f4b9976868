"""Build activation modules from their names, as the networks' ``activation`` argument."""

from __future__ import annotations

from torch import nn

from survae.nn.layers.activations import GELU, ConcatELU, ConcatReLU, Swish

act_strs = {"elu", "relu", "gelu", "swish"}
concat_act_strs = {"concat_elu", "concat_relu"}

_MODULES = {
    "relu": nn.ReLU,
    "elu": nn.ELU,
    "gelu": GELU,
    "swish": Swish,
    "concat_relu": ConcatReLU,
    "concat_elu": ConcatELU,
}


def _check(act_str: str, allow_concat: bool) -> None:
    allowed = act_strs | concat_act_strs if allow_concat else act_strs
    if act_str not in allowed:
        hint = " (concatenated activations need allow_concat=True)" if act_str in _MODULES else ""
        raise ValueError(
            f"act_module: unknown activation {act_str!r}{hint}; choose from {sorted(allowed)}"
        )


def act_module(act_str: str, allow_concat: bool = False) -> nn.Module:
    """A fresh activation module for ``act_str``.

    Names: ``'relu'``, ``'elu'``, ``'gelu'``, ``'swish'``, and with ``allow_concat=True`` also
    ``'concat_relu'`` and ``'concat_elu'`` (which double the features along dim 1, see
    :func:`act_factor`).

    Args:
        act_str: the activation's name.
        allow_concat: whether to accept the concatenated activations.

    Example:
        >>> act_module('relu')
        ReLU()
        >>> act_module('concat_elu', allow_concat=True)
        ConcatELU()
    """
    _check(act_str, allow_concat)
    return _MODULES[act_str]()


def act_factor(act_str: str, allow_concat: bool = False) -> int:
    """How many times the activation multiplies the number of features (2 for concat ones).

    Example:
        >>> act_factor('relu'), act_factor('concat_relu', allow_concat=True)
        (1, 2)
    """
    _check(act_str, allow_concat)
    return 2 if act_str in concat_act_strs else 1
