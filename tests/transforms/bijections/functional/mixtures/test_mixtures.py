"""Mixture-CDF kernels against torch.distributions, and the censored map's edges."""

import torch

from survae.transforms.bijections.functional.mixtures import (
    censored_logistic_mixture_cdf,
    gaussian_mixture_cdf,
    get_mixture_params,
    logistic_mixture_cdf,
)


def _params(n=5, m=3):
    torch.manual_seed(0)
    logits, means, log_scales = get_mixture_params(torch.randn(n, 3 * m, dtype=torch.float64), m)
    return logits.log_softmax(-1), means, log_scales


def test_gaussian_mixture_matches_torch_distributions():
    log_w, means, log_scales = _params()
    x = torch.randn(5, dtype=torch.float64)
    mix = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(logits=log_w),
        torch.distributions.Normal(means, log_scales.exp()))
    cdf, log_pdf = gaussian_mixture_cdf(x, log_w, means, log_scales)
    torch.testing.assert_close(cdf, mix.cdf(x))
    torch.testing.assert_close(log_pdf, mix.log_prob(x))


def test_logistic_mixture_derivative_is_the_density():
    log_w, means, log_scales = _params()
    x = torch.randn(5, dtype=torch.float64, requires_grad=True)
    cdf, log_pdf = logistic_mixture_cdf(x, log_w, means, log_scales)
    (grad,) = torch.autograd.grad(cdf.sum(), x)
    torch.testing.assert_close(grad.log(), log_pdf)


def test_censored_map_covers_the_unit_interval_continuously():
    log_w, means, log_scales = _params(n=1)
    k = 8
    edges = torch.tensor([0.0, 1 / k - 1e-9, 1 / k + 1e-9, 1 - 1 / k - 1e-9, 1 - 1 / k + 1e-9, 1.0],
                         dtype=torch.float64)
    cdf, _ = censored_logistic_mixture_cdf(edges, log_w.expand(6, -1), means.expand(6, -1),
                                           log_scales.expand(6, -1), k)
    assert abs(float(cdf[0])) < 1e-12 and abs(float(cdf[-1]) - 1) < 1e-12
    assert abs(float(cdf[1] - cdf[2])) < 1e-6 and abs(float(cdf[3] - cdf[4])) < 1e-6
    x = torch.rand(200, dtype=torch.float64, requires_grad=True)
    c, log_pdf = censored_logistic_mixture_cdf(x, log_w.expand(200, -1), means.expand(200, -1),
                                               log_scales.expand(200, -1), k)
    (grad,) = torch.autograd.grad(c.sum(), x)
    torch.testing.assert_close(grad.log(), log_pdf)
