"""Harness cases for the surjections, with brute-force likelihood checks."""

from __future__ import annotations

import itertools
import math

import torch
import torch.nn.functional as F
from torch import nn

from survae.distributions import (
    Bernoulli,
    Categorical,
    ConditionalBernoulli,
    ConditionalCategorical,
    ConditionalNormal,
    DiagonalNormal,
    StandardHalfNormal,
    StandardNormal,
    StandardUniform,
)
from survae.flows import Flow
from survae.transforms import (
    AbsSurjection,
    Augment,
    ElementAbsSurjection,
    GenerativeAbsSurjection,
    GenerativeMaxSurjection,
    GenerativeReLUSurjection,
    GenerativeSortSurjection,
    MaxPoolSurjection2d,
    ReLUSurjection,
    RoundingSurjection,
    SimpleAbsSurjection,
    SimpleGenerativeAbsSurjection,
    SimpleMaxPoolSurjection2d,
    SimpleSortSurjection,
    Slice,
    SortSurjection,
    StochasticPermutation,
    UniformDequantization,
    VariationalDequantization,
)
from tests.transforms.exactness import (
    assert_bound_calibrated,
    assert_integrates_to_one,
    assert_integrates_to_one_midpoint,
    midpoint_grid_2d,
    product_quadrature,
)
from tests.transforms.harness import Case, normal_input, uniform_input
from tests.transforms.reference_distributions import (
    ConditionalHalfNormal,
    ConditionalLinearDensity,
    ConditionalTruncatedNormalGaps,
    MaxOfNormals,
    RectifiedStandardNormal,
    SortedNormal,
    normal_logpdf,
)


def _normal_logpdf(x: torch.Tensor) -> torch.Tensor:
    return (-0.5 * x**2 - 0.5 * math.log(2 * math.pi)).sum(1)


def _dequantization_exact(layer: UniformDequantization) -> None:
    # 1-D data on {0..K-1}; continuous model N(mu, s) on [0, 1): P(x) = Phi((x+1)/K) - Phi(x/K).
    base = DiagonalNormal((1,)).double()
    with torch.no_grad():
        base.loc.fill_(0.5)
        base.log_scale.fill_(math.log(0.3))
    model = Flow(base, [layer])
    k = layer.quantization_bins
    x = torch.arange(k).reshape(-1, 1)
    normal = torch.distributions.Normal(torch.tensor(0.5, dtype=torch.float64), 0.3)
    cells = x[:, 0].double()
    exact = torch.log(normal.cdf((cells + 1) / k) - normal.cdf(cells / k))
    assert_bound_calibrated(model, x, exact)


def _augment_exact(layer: Augment) -> None:
    # Base N(0, I_4) over (x, z2): the marginal of x is N(0, I_2) whatever q(z2|x) is.
    if layer.cond:  # q(z2|x) wider than N(0, I): bounded importance weights, k=4000 suffices
        with torch.no_grad():
            linear = layer.encoder.net
            linear.weight.mul_(0.3)
            linear.bias[:2].mul_(0.3)
            linear.weight[2:] = 0.0
            linear.bias[2:] = math.log(1.5)
    else:
        with torch.no_grad():
            layer.encoder.loc.fill_(0.3)
            layer.encoder.log_scale.fill_(math.log(1.4))
    model = Flow(StandardNormal((4,)).double(), [layer])
    x = torch.randn(4, 2, dtype=torch.float64)
    assert_bound_calibrated(model, x, _normal_logpdf(x))


def _slice_exact(layer: Slice) -> None:
    model = Flow(StandardNormal((1,)).double(), [layer])
    assert_integrates_to_one(model)


def _abs_exact(layer: SimpleAbsSurjection) -> None:
    # |x| ~ half-normal and symmetric signs: x is exactly standard normal.
    model = Flow(StandardHalfNormal((2,)).double(), [layer])
    x = torch.randn(16, 2, dtype=torch.float64)
    torch.testing.assert_close(model.log_prob(x), _normal_logpdf(x))
    assert_integrates_to_one(model)
    # Brute force over the generative process x = s * z, s uniform on {-1, 1}^2, z ~ half-normal:
    # p(x) = sum_s P(s) p_z(s * x) (the half-normal density is zero off the positive orthant).
    signs = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]], dtype=torch.float64)
    half = StandardHalfNormal((2,)).double()
    brute = torch.logsumexp(torch.stack([half.log_prob(s * x) for s in signs]), 0) - math.log(4)
    torch.testing.assert_close(model.log_prob(x), brute)


class _Linear2(nn.Module):
    """x1 (B,1) -> (B, 2): mean and log-std of x2 (used by ConditionalNormal)."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(1, 2)

    def forward(self, x):
        return torch.tanh(self.linear(x))


CASES = [
    Case(
        "UniformDequantization-3bit",
        lambda: UniformDequantization(num_bits=3),
        lambda n: torch.randint(0, 8, (n, 3)),
        exact=_dequantization_exact,
        support=lambda x: (x >= 0) & (x <= 7) & (x.dtype == torch.long),
    ),
    Case(
        "UniformDequantization-image",
        lambda: UniformDequantization(num_bits=8),
        lambda n: torch.randint(0, 256, (n, 3, 4, 4)),
        support=lambda x: (x >= 0) & (x <= 255),
    ),
    Case(
        "Augment-standard-normal",
        lambda: Augment(DiagonalNormal((2,)), x_size=2),
        normal_input((2,)),
        exact=_augment_exact,
    ),
    Case(
        "Augment-conditional",
        lambda: Augment(ConditionalNormal(nn.Linear(2, 4)), x_size=2),
        normal_input((2,)),
        exact=_augment_exact,
    ),
    Case(
        "Augment-image-uniform",
        lambda: Augment(StandardUniform((3, 4, 4)), x_size=3),
        normal_input((3, 4, 4)),
    ),
    Case(
        "Slice-conditional",
        lambda: Slice(ConditionalNormal(_Linear2()), num_keep=1),
        normal_input((2,)),
        exact=_slice_exact,
    ),
    Case(
        "Slice-image",
        lambda: Slice(StandardNormal((2, 4, 4)), num_keep=2),
        normal_input((4, 4, 4)),
    ),
    Case(
        "SimpleAbsSurjection",
        SimpleAbsSurjection,
        normal_input((2,)),
        exact=_abs_exact,
    ),
]


# ---------------------------------------------------------------------------------------------
# Rounding: variational dequantization (generative) and the floor surjection (inference).
# ---------------------------------------------------------------------------------------------


def _soften(module, factor: float = 0.3) -> None:
    """Shrink the (random) parameters of a proposal: q stays non-trivial but not degenerate, so the
    importance weights have a small variance and the calibrated checks are sharp."""
    if module is None:
        return
    with torch.no_grad():
        for p in module.parameters():
            p.mul_(factor)


def _variational_dequantization_exact(layer: VariationalDequantization) -> None:
    # Same continuous model as for uniform dequantization: N(0.5, 0.3) in 1-D on the unit cell
    # grid; P(x) = Phi((x+1)/K) - Phi(x/K). q(u|x) has a bounded density, so IWBO converges fast.
    base = DiagonalNormal((1,)).double()
    with torch.no_grad():
        base.loc.fill_(0.5)
        base.log_scale.fill_(math.log(0.3))
    model = Flow(base, [layer])
    k = layer.quantization_bins
    x = torch.arange(k).reshape(-1, 1)
    normal = torch.distributions.Normal(torch.tensor(0.5, dtype=torch.float64), 0.3)
    cells = x[:, 0].double()
    exact = torch.log(normal.cdf((cells + 1) / k) - normal.cdf(cells / k))
    assert_bound_calibrated(model, x, exact)


def _rounding_exact(layer: RoundingSurjection) -> None:
    # Integer latent with a categorical base on {0..3}^2: p(x) = P(floor x) p(x - floor x | z).
    base = Categorical((2,), num_categories=4).double()
    with torch.no_grad():
        base.logits.copy_(torch.randn(2, 4, dtype=torch.float64))
    model = Flow(base, [layer])
    points, cell = midpoint_grid_2d(0.0, 4.0, 400)
    with torch.no_grad():
        log_px = model.log_prob(points)
        z = points.floor()
        brute = base.log_prob(z) + (
            layer.decoder.log_prob(points - z, context=z)
            if layer.cond
            else layer.decoder.log_prob(points - z)
        )
    torch.testing.assert_close(log_px, brute)
    total = float(torch.exp(log_px).sum() * cell)
    assert abs(total - 1.0) < 1e-4, f"density integrates to {total}"


# ---------------------------------------------------------------------------------------------
# Abs: learned inference surjection, generative surjections.
# ---------------------------------------------------------------------------------------------


def _abs_learned_exact(layer: AbsSurjection) -> None:
    # Brute force over the generative process: p(x) = p_half(|x|) P(b = [x >= 0] | |x|).
    model = Flow(StandardHalfNormal((2,)).double(), [layer])
    x = torch.randn(64, 2, dtype=torch.float64)
    z, bits = x.abs(), (x >= 0).double()
    with torch.no_grad():
        probs = torch.sigmoid(layer.decoder.net(z)) if layer.cond else layer.decoder.probs
        log_pb = torch.log(torch.where(bits == 1, probs, 1 - probs)).sum(1)
        brute = StandardHalfNormal((2,)).double().log_prob(z) + log_pb
        torch.testing.assert_close(model.log_prob(x), brute)
    assert_integrates_to_one_midpoint(model)


def _element_abs_exact(layer: ElementAbsSurjection) -> None:
    # Base N(0, I) on (|x_1|, x_2): p(x) = N(|x_1|) N(x_2) P(sign x_1 | |x_1|, x_2).
    model = Flow(StandardNormal((2,)).double(), [layer])
    x = torch.randn(64, 2, dtype=torch.float64)
    z = torch.stack([x[:, 0].abs(), x[:, 1]], 1)
    with torch.no_grad():
        logit = layer.classifier(z).reshape(-1)
        log_ps = torch.where(x[:, 0] >= 0, F.logsigmoid(logit), F.logsigmoid(-logit))
        brute = StandardNormal((2,)).double().log_prob(z) + log_ps
        torch.testing.assert_close(model.log_prob(x), brute)
        samples = model.sample(256)
    assert bool(torch.isfinite(samples).all())
    assert bool((samples[:, 0] < 0).any() and (samples[:, 0] > 0).any())


def _shifted_normal(d: int = 2) -> DiagonalNormal:
    base = DiagonalNormal((d,)).double()
    with torch.no_grad():
        base.loc.copy_(torch.linspace(-0.4, 0.3, d, dtype=torch.float64))
        base.log_scale.copy_(torch.linspace(-0.1, 0.1, d, dtype=torch.float64))
    return base


def _normal_log_density(base: DiagonalNormal, z: torch.Tensor) -> torch.Tensor:
    """Elementwise log-density of a DiagonalNormal (brute-force helper)."""
    scale = base.log_scale.exp()
    return normal_logpdf((z - base.loc) / scale) - base.log_scale


def _generative_abs_exact(layer) -> None:
    # p(x) = prod_i [p(x_i) + p(-x_i)] for a factorized base, x >= 0.
    base = _shifted_normal()
    model = Flow(base, [layer])
    _soften(layer)
    x = torch.randn(4, 2, dtype=torch.float64).abs()
    with torch.no_grad():
        exact = torch.logaddexp(_normal_log_density(base, x), _normal_log_density(base, -x)).sum(1)
    assert_bound_calibrated(model, x, exact)


# ---------------------------------------------------------------------------------------------
# Max: max pooling (inference) and the generative max.
# ---------------------------------------------------------------------------------------------


def _max_block(z: torch.Tensor, k: int, gaps: torch.Tensor) -> torch.Tensor:
    """A (N, 1, 2, 2) image whose single block has maximum z at position k (row-major) and the
    other values z - gaps in increasing position order (built independently of the layer)."""
    x = z.reshape(-1, 1).repeat(1, 4)
    others = [j for j in range(4) if j != k]
    x[:, others] = z.reshape(-1, 1) - gaps
    return x.reshape(-1, 1, 2, 2)


def _maxpool_exact(layer: MaxPoolSurjection2d) -> None:
    # One 2x2 block. (1) The model density equals the generative process written independently:
    # p(x) = p(z) p(k|z) p(d|z) with d in increasing position order. (2) Quadrature over the three
    # non-max values: sum_k int p(x(z, k, d)) dd = p(z), i.e. max pushes p(x) onto p(z).
    base = StandardNormal((1, 1, 1)).double()
    model = Flow(base, [layer])
    zs = torch.tensor([-1.3, 0.0, 0.4, 2.1], dtype=torch.float64)
    dd, weights = product_quadrature(0.0, 9.0, 30, 3)
    with torch.no_grad():
        for z in zs:
            zc = z.reshape(1, 1, 1, 1)
            total = torch.zeros((), dtype=torch.float64)
            for k in range(4):
                x = _max_block(z.expand(dd.shape[0]), k, dd)
                log_px = model.log_prob(x)
                zb = zc.expand(dd.shape[0], 1, 1, 1)
                log_pk = (
                    torch.full_like(log_px, -math.log(4))
                    if layer.index_decoder is None
                    else layer.index_decoder.log_prob(
                        torch.full((dd.shape[0], 1, 1, 1), k), context=zb
                    )
                )
                d = dd.reshape(-1, 3, 1, 1)
                decoder = layer.decoder
                log_pd = decoder.log_prob(d, context=zb) if layer.cond else decoder.log_prob(d)
                torch.testing.assert_close(log_px, base.log_prob(zb) + log_pk + log_pd)
                total = total + (torch.exp(log_px) * weights).sum()
            torch.testing.assert_close(total, base.log_prob(zc).exp()[0], atol=1e-6, rtol=1e-4)


def _maxpool_iid_exact(layer: MaxPoolSurjection2d) -> None:
    # Base: max of 4 iid N(0,1); decoder: the exact conditional of the others given the max;
    # uniform position. Then x is iid N(0, 1) exactly, whatever the image size.
    model = Flow(MaxOfNormals((2, 2, 2), 4).double(), [layer])
    x = torch.randn(8, 2, 4, 4, dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(model.log_prob(x), normal_logpdf(x).sum((1, 2, 3)))
        samples = model.sample(20000)
    # Samples of the flow are iid N(0, 1) too (mean 0, variance 1 per pixel).
    assert samples.mean().abs() < 0.01 and (samples.var() - 1).abs() < 0.02


def _gen_max_exact(layer: GenerativeMaxSurjection) -> None:
    # Base: 3 iid N(0, 1); x = max: p(x) = 3 N(x) Phi(x)^2.
    model = Flow(StandardNormal((3,)).double(), [layer])
    # Fixed points where the unit half-normal proposal is not too narrow for the posterior gaps.
    x = torch.tensor([[-1.4], [-0.4], [0.1], [0.5]], dtype=torch.float64)
    exact = math.log(3) + normal_logpdf(x[:, 0]) + 2 * torch.special.log_ndtr(x[:, 0])
    if isinstance(layer.encoder, ConditionalTruncatedNormalGaps):
        # q is the exact posterior: the bound is tight for every sample.
        with torch.no_grad():
            for _ in range(3):
                torch.testing.assert_close(model.log_prob(x), exact)
        return
    if layer.cond:  # a wide proposal: bounded importance weights
        with torch.no_grad():
            layer.encoder.net.weight.zero_()
            layer.encoder.net.bias.fill_(math.log(1.2))
    _soften(layer.index_encoder)
    assert_bound_calibrated(model, x, exact)


class _BlockLogits(nn.Module):
    """(B, C, h, w) -> (B, C, h, w, 4) logits of the max position in each block."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, 4 * channels, 1)

    def forward(self, z):
        b, c, h, w = z.shape
        return self.conv(z).reshape(b, c, 4, h, w).permute(0, 1, 3, 4, 2)


class _Tanh(nn.Module):
    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x):
        return 0.5 * torch.tanh(self.net(x))


# ---------------------------------------------------------------------------------------------
# Sort and permutations.
# ---------------------------------------------------------------------------------------------


def _sort_exact(layer: SortSurjection) -> None:
    # Base: sorted iid normals (density 3! prod N on the ordered cone). Brute force over the
    # generative process x = z_I, I uniform: p(x) = (1/3!) sum_I p_z(x_{I^-1}) = prod N(x_i).
    base = SortedNormal(3).double()
    model = Flow(base, [layer])
    x = torch.randn(16, 3, dtype=torch.float64)
    perms = torch.tensor(list(itertools.permutations(range(3))))
    brute = torch.logsumexp(torch.stack([base.log_prob(x[:, p]) for p in perms]), 0) - math.log(6)
    torch.testing.assert_close(model.log_prob(x), brute)
    torch.testing.assert_close(brute, normal_logpdf(x).sum(1))
    model2 = Flow(SortedNormal(2).double(), [layer])
    assert_integrates_to_one_midpoint(model2)


def _sort_sets_exact(layer: SortSurjection) -> None:
    # Discrete sets with repeated points: exp(V) = P(x | z) = #{I : z_I = x} / N! (brute force).
    x = torch.randint(0, 2, (32, 4, 2)).double()
    z, ldj = layer(x)
    perms = torch.tensor(list(itertools.permutations(range(4))))
    hits = torch.stack([(z[:, p] == x).all(2).all(1) for p in perms]).double().sum(0)
    torch.testing.assert_close(ldj, torch.log(hits / 24))


def _gen_sort_exact(layer: GenerativeSortSurjection) -> None:
    # p(x) = sum_I p(x_I) for sorted x (brute force over the N! arrangements).
    shape = (3, 2) if layer.lexicographic else (3,)  # sets of 2-D points, or scalars
    base = DiagonalNormal(shape).double()
    with torch.no_grad():
        # Mildly non-exchangeable, so the posterior over arrangements is not too peaked and the
        # importance weights p(x_I) / q(I|x) have a small variance.
        base.loc.copy_(torch.linspace(-0.3, 0.4, math.prod(shape)).reshape(shape))
        base.log_scale.copy_(torch.linspace(-0.1, 0.1, math.prod(shape)).reshape(shape))
    _soften(layer)
    model = Flow(base, [layer])
    x = torch.randn(4, *shape, dtype=torch.float64)
    key = x if len(shape) == 1 else x[:, :, 0]
    x = torch.gather(x, 1, key.argsort(1).reshape(4, 3, *([1] * (len(shape) - 1))).expand_as(x))
    perms = torch.tensor(list(itertools.permutations(range(3))))
    with torch.no_grad():
        exact = torch.logsumexp(torch.stack([base.log_prob(x[:, p]) for p in perms]), 0)
    assert_bound_calibrated(model, x, exact)


def _stochastic_permutation_exact(layer: StochasticPermutation) -> None:
    # exp(log_prob) is unbiased for the symmetrised density (1/N!) sum_I p(x_I).
    base = _shifted_normal(3)
    model = Flow(base, [layer])
    x = torch.randn(4, 3, dtype=torch.float64)
    perms = torch.tensor(list(itertools.permutations(range(3))))
    with torch.no_grad():
        exact = torch.logsumexp(torch.stack([base.log_prob(x[:, p]) for p in perms]), 0)
    assert_bound_calibrated(model, x, exact - math.log(6))


def _sorted_normal_input(shape):
    def draw(n):
        x = torch.randn(n, *shape, dtype=torch.float64)
        key = x if len(shape) == 1 else x[:, :, 0]
        index = key.argsort(1).reshape(n, shape[0], *([1] * (len(shape) - 1))).expand_as(x)
        return torch.gather(x, 1, index)

    return draw


def _is_sorted(x):
    key = x if x.dim() == 2 else x[:, :, 0]
    return key[:, 1:] >= key[:, :-1]


# ---------------------------------------------------------------------------------------------
# ReLU.
# ---------------------------------------------------------------------------------------------


def _relu_exact(layer: ReLUSurjection) -> None:
    # Base max(e, 0), e ~ N(0, I) (mass 1/2 at 0). With the unit decoder x is exactly N(0, I);
    # with a learned decoder p(x) is still normalised (midpoint rule, cells aligned with 0) and
    # equals the generative process written out: p(x) = prod_i [x_i > 0] N(x_i)
    # + [x_i <= 0] (1/2) 2 N(x_i / s_i) / s_i.
    model = Flow(RectifiedStandardNormal((2,)).double(), [layer])
    x = torch.randn(64, 2, dtype=torch.float64)
    with torch.no_grad():
        z = x.clamp(min=0)
        s = layer.net(z).exp() if layer.net is not None else torch.ones_like(x)
        brute = torch.where(x > 0, normal_logpdf(x), normal_logpdf(x / s) - s.log()).sum(1)
        torch.testing.assert_close(model.log_prob(x), brute)
        if layer.net is None:
            torch.testing.assert_close(model.log_prob(x), normal_logpdf(x).sum(1))
    assert_integrates_to_one_midpoint(model)


def _gen_relu_exact(layer: GenerativeReLUSurjection) -> None:
    # Mixed data x = max(z, 0): P(x_i = 0) = P(z_i <= 0), density p(x_i) on x_i > 0.
    base = _shifted_normal()
    model = Flow(base, [layer])
    x = torch.tensor([[0.0, 0.0], [0.0, 0.7], [1.2, 0.0], [0.3, 2.0]], dtype=torch.float64)
    with torch.no_grad():
        log_mass = torch.special.log_ndtr(-base.loc / base.log_scale.exp()).expand_as(x)
        exact = torch.where(x == 0, log_mass, _normal_log_density(base, x)).sum(1)
    assert_bound_calibrated(model, x, exact)


CASES += [
    Case(
        "VariationalDequantization-3bit",
        lambda: VariationalDequantization(ConditionalLinearDensity(nn.Linear(1, 1)), num_bits=3),
        lambda n: torch.randint(0, 8, (n, 1)),
        exact=_variational_dequantization_exact,
        support=lambda x: (x >= 0) & (x <= 7) & (x.dtype == torch.long),
    ),
    Case(
        "VariationalDequantization-image",
        lambda: VariationalDequantization(ConditionalLinearDensity(nn.Conv2d(3, 3, 1))),
        lambda n: torch.randint(0, 256, (n, 3, 4, 4)),
        support=lambda x: (x >= 0) & (x <= 255),
    ),
    Case(
        "RoundingSurjection-uniform",
        lambda: RoundingSurjection(StandardUniform((2,))),
        uniform_input((2,), 0.0, 4.0),
        exact=_rounding_exact,
        support=lambda x: (x >= 0) & (x < 4),
    ),
    Case(
        "RoundingSurjection-conditional",
        lambda: RoundingSurjection(ConditionalLinearDensity(nn.Linear(2, 2))),
        uniform_input((2,), 0.0, 4.0),
        exact=_rounding_exact,
        support=lambda x: (x >= 0) & (x < 4),
    ),
    Case(
        "AbsSurjection-conditional",
        lambda: AbsSurjection(ConditionalBernoulli(nn.Linear(2, 2))),
        normal_input((2,)),
        exact=_abs_learned_exact,
    ),
    Case(
        "ElementAbsSurjection",
        lambda: ElementAbsSurjection(nn.Linear(2, 1), element=0),
        normal_input((2,)),
        exact=_element_abs_exact,
    ),
    Case(
        "AbsSurjection-bernoulli",
        lambda: AbsSurjection(Bernoulli((2,), logits=torch.tensor([0.5, -1.0]))),
        normal_input((2,)),
        exact=_abs_learned_exact,
    ),
    Case(
        "SimpleGenerativeAbsSurjection",
        SimpleGenerativeAbsSurjection,
        lambda n: torch.randn(n, 2, dtype=torch.float64).abs(),
        exact=_generative_abs_exact,
        support=lambda x: x >= 0,
    ),
    Case(
        "GenerativeAbsSurjection-conditional",
        lambda: GenerativeAbsSurjection(ConditionalBernoulli(nn.Linear(2, 2))),
        lambda n: torch.randn(n, 2, dtype=torch.float64).abs(),
        exact=_generative_abs_exact,
        support=lambda x: x >= 0,
    ),
    Case(
        "SimpleMaxPoolSurjection2d-block",
        lambda: SimpleMaxPoolSurjection2d(StandardHalfNormal((3, 1, 1))),
        normal_input((1, 2, 2)),
        exact=_maxpool_exact,
    ),
    Case(
        "SimpleMaxPoolSurjection2d-image",
        lambda: SimpleMaxPoolSurjection2d(StandardHalfNormal((6, 2, 2))),
        normal_input((2, 4, 4)),
    ),
    Case(
        "MaxPoolSurjection2d-learned",
        lambda: MaxPoolSurjection2d(
            ConditionalHalfNormal(_Tanh(nn.Conv2d(1, 3, 1))), index_decoder=ConditionalCategorical(
                _BlockLogits(1)
            )
        ),
        normal_input((1, 2, 2)),
        exact=_maxpool_exact,
    ),
    Case(
        "MaxPoolSurjection2d-iid-normal",
        lambda: MaxPoolSurjection2d(
            ConditionalTruncatedNormalGaps(lambda z: z.repeat_interleave(3, dim=1))
        ),
        normal_input((2, 4, 4)),
        exact=_maxpool_iid_exact,
    ),
    Case(
        "GenerativeMaxSurjection-halfnormal",
        lambda: GenerativeMaxSurjection(StandardHalfNormal((2,)), size=3),
        normal_input((1,)),
        exact=_gen_max_exact,
    ),
    Case(
        "GenerativeMaxSurjection-learned",
        lambda: GenerativeMaxSurjection(
            ConditionalHalfNormal(nn.Linear(1, 2)),
            size=3,
            index_encoder=ConditionalCategorical(
                nn.Sequential(nn.Linear(1, 3), nn.Unflatten(1, (1, 3)))
            ),
        ),
        normal_input((1,)),
        exact=_gen_max_exact,
    ),
    Case(
        "GenerativeMaxSurjection-posterior",
        lambda: GenerativeMaxSurjection(
            ConditionalTruncatedNormalGaps(lambda x: x.expand(-1, 2)), size=3
        ),
        normal_input((1,)),
        exact=_gen_max_exact,
    ),
    Case(
        "GenerativeMaxSurjection-image-dim2",
        lambda: GenerativeMaxSurjection(StandardHalfNormal((2, 3, 4)), size=4, dim=2),
        normal_input((2, 1, 4)),
    ),
    Case("SortSurjection", SortSurjection, normal_input((3,)), exact=_sort_exact),
    Case(
        "SortSurjection-lexicographic-sets",
        lambda: SortSurjection(dim=1, lexicographic=True),
        normal_input((4, 2)),
        exact=_sort_sets_exact,
    ),
    Case(
        "SortSurjection-dim2",
        lambda: SortSurjection(dim=2),
        normal_input((2, 5)),
    ),
    Case("SimpleSortSurjection", SimpleSortSurjection, normal_input((3,)), exact=_sort_exact),
    Case(
        "SimpleSortSurjection-key",
        lambda: SimpleSortSurjection(dim=1, lambd=lambda x: x[:, :, 1]),
        normal_input((3, 2)),
    ),
    Case(
        "GenerativeSortSurjection-uniform",
        GenerativeSortSurjection,
        _sorted_normal_input((3,)),
        exact=_gen_sort_exact,
        support=_is_sorted,
    ),
    Case(
        "GenerativeSortSurjection-plackett-luce",
        lambda: GenerativeSortSurjection(score_net=nn.Linear(3, 3)),
        _sorted_normal_input((3,)),
        exact=_gen_sort_exact,
        support=_is_sorted,
    ),
    Case(
        "GenerativeSortSurjection-sets",
        lambda: GenerativeSortSurjection(
            score_net=nn.Sequential(nn.Flatten(), nn.Linear(6, 3)), lexicographic=True
        ),
        _sorted_normal_input((3, 2)),
        exact=_gen_sort_exact,
        support=_is_sorted,
    ),
    Case(
        "StochasticPermutation",
        StochasticPermutation,
        normal_input((3,)),
        exact=_stochastic_permutation_exact,
    ),
    Case("ReLUSurjection", ReLUSurjection, normal_input((2,)), exact=_relu_exact),
    Case(
        "ReLUSurjection-learned",
        lambda: ReLUSurjection(_Tanh(nn.Linear(2, 2))),
        normal_input((2,)),
        exact=_relu_exact,
    ),
    Case(
        "GenerativeReLUSurjection",
        GenerativeReLUSurjection,
        lambda n: torch.randn(n, 2, dtype=torch.float64).clamp(min=0),
        exact=_gen_relu_exact,
        support=lambda x: x >= 0,
    ),
    Case(
        "GenerativeReLUSurjection-learned",
        lambda: GenerativeReLUSurjection(_Tanh(nn.Linear(2, 2))),
        lambda n: torch.randn(n, 2, dtype=torch.float64).clamp(min=0),
        exact=_gen_relu_exact,
        support=lambda x: x >= 0,
    ),
]
