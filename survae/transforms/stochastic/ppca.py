"""Probabilistic PCA as a stochastic layer with its exact posterior as the encoder."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from survae.transforms.stochastic.base import StochasticTransform

_LOG_TWO_PI = math.log(2 * math.pi)


class PPCA(StochasticTransform):
    r"""Probabilistic PCA: a linear-Gaussian VAE layer whose encoder is the exact posterior.

    On a standard normal base :math:`p(z) = \mathcal{N}(0, I_L)` the decoder is
    :math:`p(x|z) = \mathcal{N}(W z + b, \sigma^2 I_D)` and the marginal is
    :math:`p(x) = \mathcal{N}(x; b, W W^\top + \sigma^2 I)` (Tipping & Bishop, 1999). The
    posterior is Gaussian,

    .. math:: p(z|x) = \mathcal{N}\big(M^{-1} W^\top (x - b),\ \sigma^2 M^{-1}\big),
              \quad M = W^\top W + \sigma^2 I_L,

    and the layer samples from it:

    - forward (inference, stochastic): :math:`z \sim p(z|x)` (reparametrized);
    - inverse (generative, stochastic): :math:`x = W z + b + \sigma e`,
      :math:`e \sim \mathcal{N}(0, I)`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = \log p(x|z) - \log p(z|x)`. With the
      standard normal base the bound is tight for every sample:
      :math:`\log p(z) + \mathcal{V} = \log p(x)` exactly (the ELBO has zero variance);
      :meth:`marginal_log_prob` gives the same in closed form.

    Args:
        data_features: :math:`D`.
        latent_features: :math:`L` (usually :math:`L < D`).
        noise_std: initial :math:`\sigma` (learned, as :math:`\log \sigma`).

    Example:
        >>> import torch
        >>> from survae.distributions import StandardNormal
        >>> from survae.flows import Flow
        >>> ppca = PPCA(3, 1)
        >>> model = Flow(StandardNormal((1,)), [ppca])
        >>> x = torch.randn(4, 3)
        >>> torch.allclose(model.log_prob(x), ppca.marginal_log_prob(x), atol=1e-5)
        True

    References: Tipping & Bishop, 1999; Nielsen et al., 2020 (Table 3).
    """

    def __init__(self, data_features: int, latent_features: int, noise_std: float = 1.0):
        super().__init__()
        if data_features < 1 or latent_features < 1 or not noise_std > 0:
            raise ValueError(
                f"PPCA: expected positive sizes and noise_std, got data_features={data_features}, "
                f"latent_features={latent_features}, noise_std={noise_std}"
            )
        self.data_features = int(data_features)
        self.latent_features = int(latent_features)
        self.weight = nn.Parameter(torch.randn(data_features, latent_features) / math.sqrt(
            latent_features))
        self.bias = nn.Parameter(torch.zeros(data_features))
        self.log_std = nn.Parameter(torch.tensor(math.log(noise_std)))

    def extra_repr(self) -> str:
        return f"data_features={self.data_features}, latent_features={self.latent_features}"

    def _check(self, x: Tensor, size: int, what: str) -> None:
        if x.dim() != 2 or x.shape[1] != size:
            raise ValueError(
                f"{self.layer_name}: expected {what} of shape (batch, {size}), got {tuple(x.shape)}"
            )

    def _gaussian_log_prob(self, residual: Tensor, log_std: Tensor) -> Tensor:
        dim = residual.shape[1]
        return (-0.5 * (residual**2).sum(1) * torch.exp(-2 * log_std)
                - dim * (log_std + 0.5 * _LOG_TWO_PI))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x, self.data_features, "data")
        var = torch.exp(2 * self.log_std)
        eye = torch.eye(self.latent_features, dtype=x.dtype, device=x.device)
        m = self.weight.T @ self.weight + var * eye
        chol = torch.linalg.cholesky(m)  # M = C C^T; posterior covariance sigma^2 C^-T C^-1
        proj = (x - self.bias) @ self.weight  # (B, L) = (W^T (x - b))^T
        mean = torch.cholesky_solve(proj.T, chol).T
        noise = torch.randn_like(mean)
        # z = mean + sigma C^-T e has covariance sigma^2 M^-1.
        offset = torch.linalg.solve_triangular(chol.T, noise.T, upper=True).T
        z = mean + torch.exp(self.log_std) * offset
        log_q = (-0.5 * (noise**2).sum(1)
                 - self.latent_features * (self.log_std + 0.5 * _LOG_TWO_PI)
                 + torch.log(torch.diagonal(chol)).sum())
        log_px = self._gaussian_log_prob(x - z @ self.weight.T - self.bias, self.log_std)
        return z, log_px - log_q

    def inverse(self, z: Tensor) -> Tensor:
        self._check(z, self.latent_features, "latents")
        mean = z @ self.weight.T + self.bias
        return mean + torch.exp(self.log_std) * torch.randn_like(mean)

    def marginal_log_prob(self, x: Tensor) -> Tensor:
        r""":math:`\log \mathcal{N}(x; b, W W^\top + \sigma^2 I)`: the exact log-likelihood on a
        standard normal base."""
        self._check(x, self.data_features, "data")
        eye = torch.eye(self.data_features, dtype=x.dtype, device=x.device)
        cov = self.weight @ self.weight.T + torch.exp(2 * self.log_std) * eye
        return torch.distributions.MultivariateNormal(self.bias, covariance_matrix=cov).log_prob(x)
