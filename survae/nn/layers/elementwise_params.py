"""Move the P elementwise parameters that a network packs into its feature axis to a last axis."""

from __future__ import annotations

from torch import Tensor, nn

from survae.utils.validation import ShapeError

_MODES = ("interleaved", "sequential")


class _ElementwiseParamsNd(nn.Module):
    """Shared implementation; ``_spatial`` is the number of axes after the feature axis."""

    _spatial = 0
    _layout = "(B, D*P)"

    def __init__(self, num_params: int, mode: str = "interleaved"):
        super().__init__()
        if int(num_params) < 1:
            raise ValueError(f"{type(self).__name__}: num_params must be >= 1, got {num_params}")
        if mode not in _MODES:
            raise ValueError(f"{type(self).__name__}: mode must be one of {_MODES}, got {mode!r}")
        self.num_params = int(num_params)
        self.mode = mode

    def extra_repr(self) -> str:
        return f"num_params={self.num_params}, mode={self.mode!r}"

    @property
    def layer_name(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 2 + self._spatial:
            raise ShapeError(
                f"{self.layer_name}: expected input of shape {self._layout}, "
                f"got shape {tuple(x.shape)}"
            )
        if self.num_params == 1:
            return x  # as the official library: no trailing axis for a single parameter
        size = x.shape[1]
        if size % self.num_params:
            raise ShapeError(
                f"{self.layer_name}: expected a size along dim 1 divisible by "
                f"num_params={self.num_params}, got shape {tuple(x.shape)}"
            )
        dims = size // self.num_params
        batch, rest = x.shape[:1], x.shape[2:]
        if self.mode == "interleaved":
            # dim 1 is [param 0 of every d, param 1 of every d, ...]: index p * D + d.
            x = x.reshape(*batch, self.num_params, dims, *rest)
            return x.movedim(1, -1)
        # sequential: dim 1 is [all params of d = 0, all params of d = 1, ...]: index d * P + p.
        x = x.reshape(*batch, dims, self.num_params, *rest)
        return x.movedim(2, -1)


class ElementwiseParams(_ElementwiseParamsNd):
    """Reshape ``(B, D*P)`` to ``(B, D, P)``: the P parameters of each of D elements last.

    With ``mode='interleaved'`` feature ``p * D + d`` holds parameter ``p`` of element ``d`` (for
    D=3, P=2 the features read ``[1 2 3 1 2 3]``); with ``mode='sequential'`` it is feature
    ``d * P + p`` (``[1 1 2 2 3 3]``). For ``num_params=1`` the input is returned unchanged.

    Args:
        num_params: number of parameters per element, P.
        mode: ``'interleaved'`` (default) or ``'sequential'``.

    Example:
        >>> import torch
        >>> ElementwiseParams(2)(torch.tensor([[1, 2, 3, 10, 20, 30]])).tolist()
        [[[1, 10], [2, 20], [3, 30]]]
        >>> ElementwiseParams(2, mode='sequential')(torch.tensor([[1, 10, 2, 20, 3, 30]])).tolist()
        [[[1, 10], [2, 20], [3, 30]]]
    """

    _spatial = 0
    _layout = "(B, D*P)"


class ElementwiseParams1d(_ElementwiseParamsNd):
    """Reshape ``(B, C*P, L)`` to ``(B, C, L, P)`` (channel modes as :class:`ElementwiseParams`).

    Args:
        num_params: number of parameters per element, P.
        mode: ``'interleaved'`` (default) or ``'sequential'``.

    Example:
        >>> import torch
        >>> ElementwiseParams1d(2)(torch.zeros(4, 6, 5)).shape
        torch.Size([4, 3, 5, 2])
    """

    _spatial = 1
    _layout = "(B, C*P, L)"


class ElementwiseParams2d(_ElementwiseParamsNd):
    """Reshape ``(B, C*P, H, W)`` to ``(B, C, H, W, P)`` (modes as :class:`ElementwiseParams`).

    With ``mode='interleaved'`` the channels read ``[R G B R G B]`` for C=3, P=2; with
    ``'sequential'`` they read ``[R R G G B B]``.

    Args:
        num_params: number of parameters per element, P.
        mode: ``'interleaved'`` (default) or ``'sequential'``.

    Example:
        >>> import torch
        >>> ElementwiseParams2d(2)(torch.zeros(4, 6, 8, 8)).shape
        torch.Size([4, 3, 8, 8, 2])
    """

    _spatial = 2
    _layout = "(B, C*P, H, W)"
