"""Sorting as an inference surjection: exchangeable data to an ordered latent."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from survae.transforms.surjections._utils import (
    check_dim,
    log_factorial,
    permute_along,
    random_permutations,
)
from survae.transforms.surjections.base import Surjection
from survae.utils.validation import ShapeError


def lexicographic_ranks(rows: Tensor) -> tuple[Tensor, Tensor]:
    """Lexicographic ranks of the :math:`N` rows of ``rows`` (``(B, N, F)``), and tie
    multiplicities.

    Returns ``rank`` (``(B, N)``, a permutation of ``0..N-1``; identical rows are ranked by
    position) and ``count`` (``(B, N)``, the number of rows identical to each row, itself
    included). Uses :math:`O(N^2 F)` pairwise comparisons, no loops.
    """
    a, b = rows.unsqueeze(2), rows.unsqueeze(1)  # row i against row j
    differ = a != b  # (B, N, N, F)
    first = differ.long().argmax(dim=-1, keepdim=True)  # first differing feature (0 if equal)
    less = torch.gather(a < b, -1, first).squeeze(-1) & differ.any(dim=-1)  # row i < row j
    equal = ~differ.any(dim=-1)
    n = rows.shape[1]
    earlier = torch.ones(n, n, dtype=torch.bool, device=rows.device).tril(-1)  # j < i
    rank = less.sum(dim=1) + (equal & earlier).sum(dim=2)  # #{j: row j < row i} + earlier ties
    return rank, equal.sum(dim=2)


def sort_permutation(x: Tensor, dim: int, lexicographic: bool) -> tuple[Tensor, Tensor | None]:
    """The permutation sorting the slices of ``x`` along ``dim`` (``(B, N)``) and, in lexicographic
    mode, the multiplicity of each slice among identical slices."""
    rows = x.movedim(dim, 1).reshape(x.shape[0], x.shape[dim], -1)
    if not lexicographic:
        return torch.argsort(rows[:, :, 0], dim=1, stable=True), None
    rank, count = lexicographic_ranks(rows)
    return torch.argsort(rank, dim=1), count


class SortSurjection(Surjection):
    r"""Inference sorting surjection: :math:`z` is :math:`x` with its slices along ``dim`` sorted.

    Each example holds :math:`N` = ``x.shape[dim]`` slices (e.g. the points of a set,
    ``(B, N, F)``). They are ordered by their first entry (``lexicographic=False``, the official
    behaviour) or lexicographically over all their entries (``lexicographic=True``: later entries
    break ties).

    - forward (inference, deterministic): :math:`I = \operatorname{argsort}(x)`, :math:`z = x_I`
      (sorted);
    - inverse (generative, stochastic): :math:`I \sim U(S_N)` (a uniformly random permutation),
      :math:`x = z_I`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = \log p(I|z) = -\log N!` (exact for
      distinct slices), so :math:`p(x) = p(\operatorname{sort}(x)) / N!`: a permutation-invariant
      density when :math:`p(z)` is a density on ordered sequences.

    With ``lexicographic=True`` identical slices are accounted for exactly (useful for discrete
    data): :math:`\mathcal{V} = -\log N! + \sum_g \log m_g!` over the groups of :math:`m_g`
    identical slices, the log-probability that a random permutation of :math:`z` gives :math:`x`.
    With ``lexicographic=False`` ties in the first entry are assumed not to happen (probability
    zero for continuous data).

    Args:
        dim: the dimension along which slices are sorted (>= 1).
        lexicographic: order slices lexicographically over all entries (:math:`O(N^2 F)` memory)
            instead of by their first entry.

    Example:
        >>> import torch
        >>> layer = SortSurjection()
        >>> z, ldj = layer(torch.tensor([[3.0, 1.0, 2.0]]))
        >>> z.tolist(), round(float(ldj), 4)  # -log 3!
        ([[1.0, 2.0, 3.0]], -1.7918)
        >>> sorted(layer.inverse(z)[0].tolist())
        [1.0, 2.0, 3.0]

    References: Nielsen et al., 2020 (Table 7, sort).
    """

    stochastic_forward = False

    def __init__(self, dim: int = 1, lexicographic: bool = False):
        super().__init__()
        if dim < 1:
            raise ValueError(f"{type(self).__name__}: dim must be >= 1 (not the batch), got {dim}")
        self.dim = dim
        self.lexicographic = bool(lexicographic)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, lexicographic={self.lexicographic}"

    def _permutation(self, x: Tensor) -> tuple[Tensor, Tensor | None]:
        return sort_permutation(x, self.dim, self.lexicographic)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        check_dim(self, x, self.dim)
        perm, count = self._permutation(x)
        n = x.shape[self.dim]
        ldj = x.new_full((x.shape[0],), -log_factorial(n))
        if count is not None:  # + sum over groups of log m!, as a sum over slices of log(m!) / m
            m = count.to(x.dtype)
            ldj = ldj + (torch.lgamma(m + 1) / m).sum(dim=1)
        return permute_along(x, self.dim, perm), ldj

    def inverse(self, z: Tensor) -> Tensor:
        check_dim(self, z, self.dim)
        perm = random_permutations(z.shape[0], z.shape[self.dim], z.device)
        return permute_along(z, self.dim, perm)


class SimpleSortSurjection(SortSurjection):
    r"""Inference sorting surjection ordering slices by a user-given key (official interface).

    :class:`SortSurjection` where the slices along ``dim`` are ordered by ``lambd(x)``, a
    ``(batch, N)`` tensor of sort keys (default: ``x`` itself, for ``(batch, N)`` inputs).

    - forward (inference, deterministic): :math:`I = \operatorname{argsort}(\lambda(x))`
      (:math:`\lambda` = ``lambd``), :math:`z = x_I`;
    - inverse (generative, stochastic): :math:`I \sim U(S_N)`, :math:`x = z_I`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = -\log N!` (exact for distinct keys).

    Args:
        dim: the dimension along which slices are sorted (>= 1).
        lambd: callable mapping ``x`` to the ``(batch, N)`` sort keys, e.g.
            ``lambda x: x[:, :, 0]`` to sort points of a ``(B, N, F)`` set by their first feature.

    Example:
        >>> import torch
        >>> layer = SimpleSortSurjection(dim=1, lambd=lambda x: x[:, :, 1])
        >>> z, _ = layer(torch.tensor([[[0.0, 2.0], [1.0, 1.0]]]))
        >>> z.tolist()
        [[[1.0, 1.0], [0.0, 2.0]]]

    References: Nielsen et al., 2020 (Table 7, sort).
    """

    def __init__(self, dim: int = 1, lambd: Callable[[Tensor], Tensor] | None = None):
        super().__init__(dim=dim, lexicographic=False)
        self.lambd = lambd
        # Same buffer as the official library, so that its state dicts load.
        self.register_buffer("buffer", torch.zeros(1))

    def extra_repr(self) -> str:
        return f"dim={self.dim}"

    def _permutation(self, x: Tensor) -> tuple[Tensor, None]:
        keys = x if self.lambd is None else self.lambd(x)
        expected = (x.shape[0], x.shape[self.dim])
        if not isinstance(keys, Tensor) or tuple(keys.shape) != expected:
            shape = tuple(keys.shape) if isinstance(keys, Tensor) else type(keys).__name__
            raise ShapeError(
                f"{self.layer_name}: lambd must return sort keys of shape (batch, N) = "
                f"{expected}, got {shape}"
            )
        return torch.argsort(keys, dim=1, stable=True), None
