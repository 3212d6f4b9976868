"""Sorting as a generative surjection: ordered data from an unordered latent."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.surjections._utils import check_dim, log_factorial, permute_along
from survae.transforms.surjections.base import Surjection
from survae.transforms.surjections.sort import sort_permutation
from survae.utils.validation import ShapeError, is_validating


def plackett_luce_log_prob(scores: Tensor, perm: Tensor) -> Tensor:
    r""":math:`\log q(I)` of ``perm`` under Plackett-Luce with ``scores`` (both of shape
    ``(B, N)``).

    :math:`q(I) = \prod_i e^{s_{I_i}} / \sum_{j \ge i} e^{s_{I_j}}`: items are drawn without
    replacement with probabilities proportional to :math:`e^{s}` (:math:`s` = ``scores``).
    """
    ordered = torch.gather(scores, 1, perm)
    remaining = torch.logcumsumexp(ordered.flip(1), dim=1).flip(1)
    return (ordered - remaining).sum(dim=1)


class GenerativeSortSurjection(Surjection):
    r"""Generative sorting surjection :math:`x = \operatorname{sort}(z)`: the data is the sorted
    latent.

    Slices along ``dim`` are ordered as in :class:`SortSurjection` (by their first entry, or
    lexicographically). The data must be sorted.

    - forward (inference, stochastic): :math:`I \sim q(I|x)`, :math:`z = x_I`;
    - inverse (generative, deterministic): :math:`x = \operatorname{sort}(z)`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = -\log q(I|x)`, a lower bound on
      :math:`\log p(x) = \log \sum_I p(x_I)`. With ``score_net=None`` the permutation is uniform
      and :math:`\mathcal{V} = \log N!` (tight when :math:`p(z)` is exchangeable); otherwise
      :math:`q(I|x)` is Plackett-Luce with scores ``score_net(x)``, sampled with the Gumbel trick
      (``argsort`` of perturbed scores).

    Args:
        dim: the dimension along which slices are sorted (>= 1).
        score_net: module mapping ``x`` to ``(batch, N)`` Plackett-Luce scores, or None for uniform
            permutations.
        lexicographic: order slices lexicographically over all entries (see ``SortSurjection``).

    Example:
        >>> import torch
        >>> layer = GenerativeSortSurjection()
        >>> x = torch.tensor([[1.0, 2.0, 3.0]])
        >>> z, ldj = layer(x)
        >>> torch.equal(layer.inverse(z), x), round(float(ldj), 4)  # log 3!
        (True, 1.7918)

    References: Nielsen et al., 2020 (Table 6, sort); Plackett, 1975; Luce, 1959.
    """

    stochastic_forward = True

    def __init__(
        self, dim: int = 1, score_net: nn.Module | None = None, lexicographic: bool = False
    ):
        super().__init__()
        if dim < 1:
            raise ValueError(f"GenerativeSortSurjection: dim must be >= 1 (not batch), got {dim}")
        self.dim = dim
        self.score_net = score_net
        self.lexicographic = bool(lexicographic)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, lexicographic={self.lexicographic}"

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        check_dim(self, x, self.dim)
        if is_validating():
            perm, _ = sort_permutation(x, self.dim, self.lexicographic)
            if not torch.equal(permute_along(x, self.dim, perm), x):
                raise ValueError(f"{self.layer_name}: expected input sorted along dim {self.dim}")
        batch, n = x.shape[0], x.shape[self.dim]
        if self.score_net is None:
            perm = torch.rand(batch, n, device=x.device, dtype=torch.float64).argsort(dim=1)
            ldj = x.new_full((batch,), log_factorial(n))
        else:
            scores = self.score_net(x)
            if tuple(scores.shape) != (batch, n):
                raise ShapeError(
                    f"{self.layer_name}: score_net must return scores of shape (batch, N) = "
                    f"{(batch, n)}, got {tuple(scores.shape)}"
                )
            uniform = torch.rand_like(scores.detach())
            gumbel = -torch.log(-torch.log(uniform.clamp_min(torch.finfo(uniform.dtype).tiny)))
            perm = torch.argsort(scores.detach() + gumbel, dim=1, descending=True)
            ldj = -plackett_luce_log_prob(scores, perm)
        return permute_along(x, self.dim, perm), ldj

    def inverse(self, z: Tensor) -> Tensor:
        check_dim(self, z, self.dim)
        perm, _ = sort_permutation(z, self.dim, self.lexicographic)
        return permute_along(z, self.dim, perm)
