"""Flows for tabular density estimation (the MAF / NSF benchmark): MAF, RealNVP and the two neural
spline flows, built from library layers; and the full-covariance Gaussian they are compared with.

=================  ==========================================================================
model              ``num_flows`` steps of
=================  ==========================================================================
``maf``            affine autoregressive layer (MADE, Papamakarios et al., 2017), batch norm,
                   reversed order
``realnvp``        affine coupling (MLP conditioner, Dinh et al., 2017), batch norm, reversal
``nsf-coupling``   fixed random permutation, rational-quadratic spline coupling on
                   ``[-tail_bound, tail_bound]`` with linear tails (Durkan et al., 2019)
``nsf-ar``         fixed random permutation, autoregressive rational-quadratic spline (MADE)
=================  ==========================================================================

The base is a standard normal; the inputs are standardised data (the MAF preprocessing).

Example:
    >>> import torch
    >>> model = build_tabular_flow("nsf-ar", features=3, num_flows=2, hidden_units=(16,))
    >>> model.log_prob(torch.randn(5, 3)).shape
    torch.Size([5])
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from survae.distributions import StandardNormal
from survae.flows import Flow
from survae.nn.layers import ElementwiseParams
from survae.nn.nets import MADE, MLP
from survae.transforms import (
    AffineAutoregressiveBijection,
    AffineCouplingBijection,
    BatchNormBijection,
    RationalQuadraticSplineAutoregressiveBijection,
    RationalQuadraticSplineCouplingBijection,
    Reverse,
    Shuffle,
)

TABULAR_MODELS = ("maf", "realnvp", "nsf-coupling", "nsf-ar")


def _coupling_net(features: int, params: int, hidden_units: Sequence[int]) -> nn.Module:
    condition = (features + 1) // 2  # the couplings condition on the first half (odd: larger)
    out = features - condition
    return nn.Sequential(MLP(condition, out * params, list(hidden_units), activation="relu"),
                         ElementwiseParams(params))


def build_tabular_flow(
    model: str,
    features: int,
    num_flows: int = 5,
    hidden_units: Sequence[int] = (128, 128),
    num_bins: int = 8,
    tail_bound: float = 3.0,
    batch_norm: bool = True,
) -> Flow:
    """A flow on ``R^features`` (see the module docstring for ``model``).

    Args:
        model: one of ``TABULAR_MODELS``.
        features: data dimension ``D`` (at least 2).
        num_flows: number of steps.
        hidden_units: hidden layer sizes of each MADE / coupling MLP.
        num_bins: spline bins ``K`` (NSF models).
        tail_bound: spline interval ``[-B, B]`` (NSF models; identity outside).
        batch_norm: batch normalization between the MAF / RealNVP steps (as in the MAF paper).
    """
    if model not in TABULAR_MODELS:
        raise ValueError(f"build_tabular_flow: unknown model {model!r}; choose one of "
                         f"{TABULAR_MODELS}")
    if features < 2:
        raise ValueError(f"build_tabular_flow: needs at least 2 features, got {features}")
    transforms: list[nn.Module] = []
    hidden = list(hidden_units)
    spline_params = 3 * num_bins - 1  # widths, heights, interior derivatives (linear tails)
    for step in range(num_flows):
        last = step == num_flows - 1
        if model == "maf":
            transforms.append(AffineAutoregressiveBijection(MADE(features, 2, hidden)))
        elif model == "realnvp":
            transforms.append(AffineCouplingBijection(_coupling_net(features, 2, hidden)))
        elif model == "nsf-coupling":
            transforms += [Shuffle(features), RationalQuadraticSplineCouplingBijection(
                _coupling_net(features, spline_params, hidden), num_bins, tail_bound=tail_bound)]
        else:
            transforms += [Shuffle(features), RationalQuadraticSplineAutoregressiveBijection(
                MADE(features, spline_params, hidden), num_bins, tail_bound=tail_bound)]
        if model in ("maf", "realnvp") and not last:
            transforms += ([BatchNormBijection(features)] if batch_norm else []) + [
                Reverse(features)]
    return Flow(StandardNormal((features,)), transforms)


class FullCovarianceGaussian(nn.Module):
    """The maximum-likelihood Gaussian of ``data`` ``(N, D)`` (mean, full covariance): the
    trivial baseline of the tabular benchmark.

    Example:
        >>> import math, torch
        >>> data = torch.randn(1000, 2) @ torch.tensor([[2.0, 0.0], [1.0, 1.0]])
        >>> gauss = FullCovarianceGaussian(data)
        >>> # on its own data: the Gaussian entropy, -D/2 (1 + log 2 pi) - log det(L)
        >>> entropy = -(1 + math.log(2 * math.pi)) - gauss.scale_tril.diagonal().log().sum()
        >>> bool(torch.isclose(gauss.log_prob(data).mean(), entropy))
        True
    """

    def __init__(self, data: Tensor):
        super().__init__()
        data = data.double()
        mean = data.mean(0)
        centred = data - mean
        covariance = centred.T @ centred / len(data)
        self.register_buffer("mean", mean)
        self.register_buffer("scale_tril", torch.linalg.cholesky(covariance))

    def log_prob(self, x: Tensor) -> Tensor:
        """Per-example log-density (float64)."""
        solved = torch.linalg.solve_triangular(
            self.scale_tril, (x.double() - self.mean).T, upper=False).T
        half_log_det = self.scale_tril.diagonal().log().sum()
        d = self.mean.numel()
        return -0.5 * solved.pow(2).sum(1) - half_log_det - 0.5 * d * math.log(2 * math.pi)
