"""Flows for point clouds (sets of ``L`` points in 2-D), after the SurVAE paper's SpatialMNIST
experiment. Data ``(B, L, 2)`` in ``[0, 28)^2``; inside, ``(B, 2, L)`` scaled to ``[-0.5, 0.5)``.

=================  ==============================================================================
``model``          how it treats the order of the points
=================  ==============================================================================
``sort``           *SortFlow*: a ``SortSurjection`` (lexicographic) orders the set, so
                   ``p(x) = p(sort(x)) / L!``: exactly permutation invariant; by default the
                   sorted coordinate is then coded by its first value and log-spacings
                   (``LogSpacingsBijection``: the ordered cone onto the whole space) and the
                   coordinate conditioners see positions; then the blocks, which may use the
                   order (``Shuffle`` after each coupling over the points)
``permute``        *PermuteFlow*: a ``StochasticPermutation`` shuffles the set, then the blocks
                   with a ``StochasticPermutation`` after each coupling over the points (whose
                   conditioner has no positional encoding): invariant in expectation;
                   ``log_prob`` is an ELBO
``baseline``       the order-aware flow of ``sort`` with no permutation layer: the density
                   depends on the arbitrary order the points came in (not invariant)
``equivariant``    couplings over the coordinates only, with set-transformer conditioners, and
                   ActNorm over the set: an exchangeable flow, exactly invariant without sorting
=================  ==============================================================================

``coupling="spline"`` swaps the affine couplings over the coordinates for rational-quadratic
spline ones (``RationalQuadraticSplineSetCouplingBijection``), still set-equivariant;
``point_coupling="spline"`` does the same for the couplings over the points
(``RationalQuadraticSplineCouplingBijection`` along the points). ``frame_bound`` sets the interval
``[-w, w)`` the frame is scaled to (0.5 officially; at ``w = tail_bound`` the splines' bins tile
the data instead of one bin holding it). ``point_conditioner="pooled"`` parametrises every point
of the second half from the mean over the first half, not from its own partner. The Python
defaults are the official model; ``survae train pointcloud`` defaults to splines everywhere,
``frame_bound=4``, a smaller size and, for ``permute``, pooled point conditioners.

Example:
    >>> import torch
    >>> model = build_pointcloud_flow("sort", num_points=6, num_flows=1, d_model=8, nhead=2,
    ...                               num_layers=1)
    >>> x = torch.rand(3, 6, 2) * 28
    >>> torch.allclose(model.log_prob(x), model.log_prob(x[:, torch.randperm(6)]), atol=1e-4)
    True
"""

from __future__ import annotations

import torch
from torch import nn

from survae.distributions import StandardNormal
from survae.flows import Flow
from survae.nn.layers import ElementwiseParams1d
from survae.nn.nets import PositionalTransformer, SetTransformer
from survae.transforms import (
    ActNormBijection1d,
    AffineCouplingBijection,
    AffineSetCouplingBijection,
    LogSpacingsBijection,
    PermuteAxes,
    RationalQuadraticSplineCouplingBijection,
    RationalQuadraticSplineSetCouplingBijection,
    Reverse,
    ScalarAffineBijection,
    Shuffle,
    SortSurjection,
    StochasticPermutation,
)

POINTCLOUD_MODELS = ("sort", "permute", "baseline", "equivariant")
POINTCLOUD_COUPLINGS = ("affine", "spline")
POINT_CONDITIONERS = ("paired", "pooled")
FRAME = 28.0


def build_pointcloud_flow(
    model: str,
    num_points: int = 50,
    num_flows: int = 16,
    d_model: int = 64,
    nhead: int = 8,
    num_layers: int = 2,
    dropout: float = 0.0,
    scale_fn: str = "softplus",
    coupling: str = "affine",
    num_bins: int = 8,
    tail_bound: float = 4.0,
    spacings: bool = True,
    frame_bound: float = 0.5,
    point_coupling: str = "affine",
    point_conditioner: str = "paired",
) -> Flow:
    r"""The point-cloud flow ``model`` (see the module table) for sets of ``num_points`` 2-D points.

    Each of the ``num_flows`` blocks is, as in the official experiments: a coupling over the
    coordinates of every point (``dimwise``, set-transformer conditioner) and ``Reverse`` of the
    two coordinates; for the order-aware models a coupling over the points (``lenwise``: the
    first half of the points conditions an affine map of the second half), followed by a
    ``StochasticPermutation`` (``permute``) or a fixed ``Shuffle`` (``sort``, ``baseline``);
    then ``ActNormBijection1d`` (ActNorm over the set). The length-wise conditioner of
    ``permute`` has no positional encoding (the points come in random order);
    ``sort``/``baseline`` use a learned one.

    Args:
        model: one of ``POINTCLOUD_MODELS``.
        num_points: points per set ``L`` (even for the order-aware couplings).
        num_flows: flow blocks.
        d_model, nhead, num_layers, dropout: the transformer conditioners (the official
            defaults: 64, 8, 2, 0).
        scale_fn: coupling scale function.
        coupling: ``"affine"`` or ``"spline"`` couplings over the coordinates.
        num_bins, tail_bound: spline bins and interval ``[-B, B]`` (``coupling="spline"``).
        frame_bound: ``w``: the frame ``[0, 28)^2`` is mapped onto ``[-w, w)^2`` by
            ``ScalarAffineBijection`` (:math:`z = 2w\,x / 28 - w`, log-det
            :math:`2L \log(2w / 28)`); 0.5 is the official scaling. With ``w`` equal to
            ``tail_bound`` the first spline couplings' initial bins tile the data's range (with
            ``num_bins`` a multiple of 8 their edges fall on the 8x8 pixel grid of the digits'
            sets) instead of one bin covering it all.
        point_coupling: ``"affine"`` (official) or ``"spline"``: the couplings over the points
            map each coordinate of the second half of the points by a rational-quadratic
            spline (``num_bins``, ``tail_bound``; identity at initialisation) whose parameters
            the conditioner computes from the first half, instead of an affine map: a
            multimodal conditional of the points given the others.
        point_conditioner: how the couplings over the points parametrise the second half from
            the first: ``"paired"`` (official): the transformer's output at the ``j``-th point
            of the first half parametrises the ``j``-th point of the second; ``"pooled"``: its
            mean over the first half (``SetTransformer(pool=True)``) parametrises every point
            of the second half alike, so the coupling is equivariant to permutations within
            each half (in ``permute`` the pairing of a random order is noise the ELBO pays for).
        spacings: ``sort`` only: after sorting, code the sorted coordinate by its first value and
            log-spacings (``LogSpacingsBijection``), and give the coordinate-wise conditioners a
            learned position embedding (a point's place in the order stands for its
            coordinate, which the spacings no longer show locally).
    """
    if model not in POINTCLOUD_MODELS:
        raise ValueError(f"unknown point-cloud model {model!r}; choose one of {POINTCLOUD_MODELS}")
    for name, value in (("coupling", coupling), ("point_coupling", point_coupling)):
        if value not in POINTCLOUD_COUPLINGS:
            raise ValueError(f"unknown {name} {value!r}; choose one of {POINTCLOUD_COUPLINGS}")
    if point_conditioner not in POINT_CONDITIONERS:
        raise ValueError(f"unknown point_conditioner {point_conditioner!r}; choose one of "
                         f"{POINT_CONDITIONERS}")
    if not frame_bound > 0:
        raise ValueError(f"frame_bound must be > 0, got {frame_bound}")
    if model != "equivariant" and num_points % 2:
        raise ValueError(f"{model}: num_points must be even, got {num_points}")
    net_kwargs = {"d_model": d_model, "nhead": nhead, "num_layers": num_layers,
                  "dropout": dropout}
    transforms: list[nn.Module] = [
        PermuteAxes((0, 2, 1)),  # (B, L, 2) -> (B, 2, L)
        ScalarAffineBijection(shift=-frame_bound, scale=2 * frame_bound / FRAME),
    ]
    if model == "sort":
        transforms.append(SortSurjection(dim=2, lexicographic=True))
        if spacings:
            transforms.append(LogSpacingsBijection(feature=0))
    elif model == "permute":
        transforms.append(StochasticPermutation(dim=2))
    half = num_points // 2
    for _ in range(num_flows):
        if coupling == "spline":
            coords = RationalQuadraticSplineSetCouplingBijection(2, num_bins,
                                                                 tail_bound=tail_bound,
                                                                 **net_kwargs)
        else:
            coords = AffineSetCouplingBijection(2, scale_fn=scale_fn, **net_kwargs)
        if model == "sort" and spacings:
            _add_positions(coords, num_points, net_kwargs)
        transforms += [coords, Reverse(2, dim=1)]
        if model != "equivariant":
            pool = point_conditioner == "pooled"
            transforms.append(_point_coupling(model, point_coupling, half, num_bins, tail_bound,
                                              scale_fn, {**net_kwargs, "pool": pool}))
            transforms.append(StochasticPermutation(dim=2) if model == "permute"
                              else Shuffle(num_points, dim=2))
        transforms.append(ActNormBijection1d(2))
    return Flow(StandardNormal((2, num_points)), transforms)


def _point_coupling(model: str, kind: str, half: int, num_bins: int, tail_bound: float,
                    scale_fn: str, net_kwargs: dict) -> nn.Module:
    """The coupling over the points: the first ``half`` points condition the others."""
    num_params = 2 if kind == "affine" else 3 * num_bins - 1
    if model == "permute":
        net = SetTransformer(2, 2 * num_params, **net_kwargs)
    else:
        net = PositionalTransformer(2, 2 * num_params, length=half, **net_kwargs)
    conditioner = nn.Sequential(net, ElementwiseParams1d(num_params))
    if kind == "affine":
        return AffineCouplingBijection(conditioner, split_dim=2, scale_fn=scale_fn)
    layer = RationalQuadraticSplineCouplingBijection(conditioner, num_bins, split_dim=2,
                                                     tail_bound=tail_bound)
    with torch.no_grad():  # zero output weights: start as the identity spline
        net.out.bias.copy_(layer.transformer.identity_params().repeat_interleave(2))
    return layer


def _add_positions(coupling: nn.Module, length: int, net_kwargs: dict) -> None:
    """Swap a set coupling's ``SetTransformer`` for a ``PositionalTransformer`` with the same
    weights (the identity initialisation included) plus a learned embedding of each of
    ``length`` positions: for ordered sets (the layer is no longer permutation equivariant)."""
    net = coupling.coupling_net[0]
    positional = PositionalTransformer(net.d_input, net.d_output, length=length, **net_kwargs)
    positional.load_state_dict(net.state_dict(), strict=False)
    coupling.coupling_net[0] = positional
