"""Models of the paper's unifying table, built from library layers (2-D toy sizes by default).

- :func:`build_rad_flow`: RAD, a partition surjection with a learned choice of piece before
  affine couplings (exact likelihood);
- :func:`build_cif_flow`: continuously indexed flow, couplings interleaved with CIF layers
  (a bound);
- :func:`build_diffusion`: a DDPM-style diffusion model as a chain of stochastic layers (a bound);
- :func:`build_ppca`: probabilistic PCA, a linear-Gaussian VAE layer on a standard normal prior
  (its bound is exact);
- :func:`build_vae_abs`: the slides' "VAE + abs" composition: an abs surjection folds the data
  and a VAE layer models the folded data.

Example:
    >>> import torch
    >>> model = build_rad_flow("corners", hidden_units=(16,))
    >>> model.log_prob(torch.randn(3, 2)).shape, model.lower_bound
    (torch.Size([3]), False)
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.distributions import (
    ConditionalNormal,
    StandardNormal,
    StandardUniform,
)
from survae.flows import Flow
from survae.nn.layers import ElementwiseParams
from survae.nn.nets import MLP
from survae.transforms import (
    PPCA,
    VAE,
    AffineBijection,
    AffineCouplingBijection,
    ConditionalAffineBijection,
    ContinuouslyIndexedTransform,
    GaussianDiffusion,
    PartitionSurjection,
    Reverse,
    ScalarAffineBijection,
    SimpleAbsSurjection,
    SoftplusInverse,
    linear_betas,
)

#: RAD's cut points on the toy data (``[-4, 4]^2``): four pieces per folded entry, each mapped
#: onto ``[0, 2]`` (the checkerboard's squares are 2 wide).
RAD_BOUNDARIES = (-2.0, 0.0, 2.0)


class _BoundedLogScale(nn.Module):
    """``[a, b] -> [a, c tanh(b / c)]`` on the two halves of the last dimension: a network's
    log-scale half kept in ``(-c, c)`` (the identity near 0). Without it a CIF's index networks
    extrapolate off the data: at points far outside the training range ``q(u|x)`` draws ``u`` in
    the thousands, ``exp(s(u))`` overflows and ``log_prob`` is NaN instead of very negative."""

    def __init__(self, bound: float):
        super().__init__()
        self.bound = float(bound)

    def extra_repr(self) -> str:
        return f"bound={self.bound}"

    def forward(self, params: Tensor) -> Tensor:
        shift, log_scale = params.chunk(2, dim=-1)
        return torch.cat([shift, self.bound * torch.tanh(log_scale / self.bound)], dim=-1)


def _coupling_net(hidden_units: tuple[int, ...]) -> nn.Module:
    return nn.Sequential(MLP(1, 2, hidden_units=list(hidden_units), activation="relu"),
                         ElementwiseParams(2))


def _couplings(num_flows: int, hidden_units: tuple[int, ...], scale_fn: str) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for _ in range(num_flows):
        layers += [AffineCouplingBijection(_coupling_net(hidden_units), scale_fn=scale_fn),
                   Reverse(2)]
    return layers[:-1]


def build_rad_flow(
    dataset: str = "checkerboard",
    num_flows: int = 4,
    hidden_units: tuple[int, ...] = (200, 100),
    scale_fn: str = "softplus",
    boundaries: tuple[float, ...] = RAD_BOUNDARIES,
) -> Flow:
    """RAD on 2-D data: :class:`~survae.transforms.PartitionSurjection` with a classifier
    ``p(k|z)`` (an MLP), then a flow.

    On ``checkerboard`` only ``x_1`` is folded (``p(k_1 | z_1, x_2)`` picks the dark square of
    the row) and the folded data go to the unit square with a uniform base, as the AbsFlow of
    that dataset; elsewhere both entries are folded, mapped to the plane by a softplus inverse
    and modelled by ``num_flows`` affine couplings on a standard normal base.
    """
    pieces = len(boundaries) + 1
    if dataset == "checkerboard":
        classifier = MLP(2, pieces, hidden_units=list(hidden_units), activation="relu")
        # With the default cuts the folded x_1 lies in [0, 2]; x_2 in [-4, 4].
        return Flow(StandardUniform((2,)), [
            PartitionSurjection(boundaries, classifier, elements=[0]),
            AffineBijection(shift=[0.0, 0.5], scale=[0.5, 1 / 8]),
        ])
    classifier = MLP(2, 2 * pieces, hidden_units=list(hidden_units), activation="relu")
    return Flow(StandardNormal((2,)), [
        PartitionSurjection(boundaries, classifier),
        SoftplusInverse(),
        *_couplings(num_flows, hidden_units, scale_fn),
    ])


def build_cif_flow(
    num_flows: int = 4,
    hidden_units: tuple[int, ...] = (200, 100),
    scale_fn: str = "softplus",
    index_features: int = 2,
    index_hidden: tuple[int, ...] = (32, 32),
    scale_bound: float = 2.0,
    std_bound: float = 5.0,
) -> Flow:
    """A continuously indexed flow on 2-D data: ``num_flows`` affine couplings, each followed
    by a CIF layer ``z = exp(s(u)) x + t(u)`` with ``q(u|x)`` and ``p(u|z)`` diagonal
    Gaussians from MLPs (``u`` of size ``index_features``); standard normal base. The index
    map's log-scale ``s`` is kept in ``(-scale_bound, scale_bound)`` and the log-std of ``q``
    and ``p`` in ``(-std_bound, std_bound)`` (soft, by ``tanh``), so that ``log_prob`` stays
    finite far outside the data."""
    def gaussian(inputs: int, outputs: int) -> ConditionalNormal:
        return ConditionalNormal(nn.Sequential(
            MLP(inputs, 2 * outputs, list(index_hidden), activation="relu"),
            _BoundedLogScale(std_bound)))

    layers: list[nn.Module] = []
    for i in range(num_flows):
        layers.append(AffineCouplingBijection(_coupling_net(hidden_units), scale_fn=scale_fn))
        shift_scale = nn.Sequential(
            MLP(index_features, 4, list(index_hidden), activation="relu"),
            _BoundedLogScale(scale_bound))
        layers.append(ContinuouslyIndexedTransform(
            ConditionalAffineBijection(shift_scale),
            encoder=gaussian(2, index_features),
            decoder=gaussian(2, index_features),
        ))
        if i < num_flows - 1:
            layers.append(Reverse(2))
    return Flow(StandardNormal((2,)), layers)


def build_diffusion(
    num_features: int = 2,
    num_steps: int = 20,
    hidden_units: tuple[int, ...] = (200, 100),
    time_features: int = 8,
    beta_low: float = 1e-3,
    beta_high: float = 0.35,
    data_scale: float = 0.5,
) -> Flow:
    """A DDPM-style diffusion model: the data scaled by ``data_scale`` (exact), then
    :class:`~survae.transforms.GaussianDiffusion` with a linear schedule and an MLP
    noise-prediction network; standard normal base. ``log_prob`` is the diffusion ELBO."""
    net = MLP(num_features + time_features, num_features, list(hidden_units), activation="swish")
    diffusion = GaussianDiffusion(num_features, net, linear_betas(num_steps, beta_low, beta_high),
                                  time_features=time_features)
    return Flow(StandardNormal((num_features,)),
                [ScalarAffineBijection(scale=data_scale), diffusion])


def build_ppca(data_features: int, latent_features: int, noise_std: float = 1.0) -> Flow:
    """Probabilistic PCA as a SurVAE flow: a :class:`~survae.transforms.PPCA` layer on a
    standard normal prior. Its ``log_prob`` is the exact marginal ``N(x; b, W W^T + s^2 I)``
    (the layer samples the exact posterior, so the bound has no gap).

    Example:
        >>> import torch
        >>> model = build_ppca(5, 2)
        >>> x = torch.randn(4, 5)
        >>> torch.allclose(model.log_prob(x), model.transforms[0].marginal_log_prob(x), atol=1e-5)
        True
    """
    return Flow(StandardNormal((latent_features,)),
                [PPCA(data_features, latent_features, noise_std)])


def build_vae_abs(latent_features: int = 2, hidden_units: tuple[int, ...] = (64, 64)) -> Flow:
    """The slides' "VAE + abs" model on 2-D data: ``SimpleAbsSurjection`` folds the data
    (``p(x) = p(|x|) / 4``, exact), then a VAE layer with Gaussian encoder and decoder models
    ``|x|`` (a bound); standard normal prior. Every sample of the model is symmetric under sign
    flips of each entry.

    Example:
        >>> import torch
        >>> model = build_vae_abs(hidden_units=(8,))
        >>> x = torch.randn(4, 2)
        >>> _ = torch.manual_seed(0); a = model.log_prob(x)
        >>> _ = torch.manual_seed(0); b = model.log_prob(-x)
        >>> torch.equal(a, b)
        True
    """
    encoder = ConditionalNormal(MLP(2, 2 * latent_features, list(hidden_units), "relu"))
    decoder = ConditionalNormal(MLP(latent_features, 4, list(hidden_units), "relu"))
    return Flow(StandardNormal((latent_features,)),
                [SimpleAbsSurjection(), VAE(decoder=decoder, encoder=encoder)])
