"""The LU-parametrized linear bijection (Glow's LU trick for dense layers)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from survae.transforms.bijections.linear import _FeatureLinear


class LinearLU(_FeatureLinear):
    r"""Invertible linear map in LU form: :math:`W = L U`, :math:`L` unit lower-triangular,
    :math:`U` upper-triangular with positive diagonal
    :math:`u_{ii} = \epsilon + \operatorname{softplus}(r_i)` (:math:`r` =
    ``unconstrained_upper_diag``).

    .. math:: z = L U x + b, \qquad \log|\det \partial z / \partial x| = \sum_i \log u_{ii},
              \qquad x = U^{-1} L^{-1} (z - b).

    The inverse is two triangular solves; no determinant is computed. The parameters are the
    official ones (``lower_entries``, ``upper_entries`` strictly below / above the diagonal, row
    by row; ``unconstrained_upper_diag``; ``bias`` if asked), so official state dicts load.

    Args:
        num_features: :math:`D`; inputs have shape ``(batch, D)``.
        identity_init: start at :math:`W = I` (else entries uniform in :math:`\pm 1/\sqrt{D}`).
        eps: lower bound :math:`\epsilon` of the diagonal of :math:`U`.
        bias: learn a bias :math:`b`.

    Example:
        >>> import torch
        >>> layer = LinearLU(3, identity_init=False, bias=True)
        >>> x = torch.randn(4, 3)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x, atol=1e-5), torch.allclose(
        ...     ldj, torch.linalg.slogdet(layer.weight())[1].expand(4))
        (True, True)

    Reference: Kingma & Dhariwal, *Glow*, 2018.
    """

    def __init__(self, num_features: int, identity_init: bool = True, eps: float = 1e-3,
                 bias: bool = False):
        super().__init__()
        d = self.num_features = int(num_features)
        self.eps = float(eps)
        n_triangular = d * (d - 1) // 2
        self.lower_entries = nn.Parameter(torch.zeros(n_triangular))
        self.upper_entries = nn.Parameter(torch.zeros(n_triangular))
        self.unconstrained_upper_diag = nn.Parameter(torch.zeros(d))
        if bias:
            self.bias = nn.Parameter(torch.zeros(d))
        else:
            self.register_parameter("bias", None)
        self.register_buffer("lower_indices", torch.tril_indices(d, d, -1), persistent=False)
        self.register_buffer("upper_indices", torch.triu_indices(d, d, 1), persistent=False)
        self.reset_parameters(identity_init)

    def reset_parameters(self, identity_init: bool = True) -> None:
        r"""Identity (:math:`L = U = I` up to :math:`\epsilon`) or a random LU factorization."""
        self.identity_init = bool(identity_init)
        with torch.no_grad():
            if self.bias is not None:
                self.bias.zero_()
            if identity_init:
                self.lower_entries.zero_()
                self.upper_entries.zero_()
                self.unconstrained_upper_diag.fill_(math.log(math.expm1(1 - self.eps)))
            else:
                bound = 1.0 / math.sqrt(self.num_features)
                for p in (self.lower_entries, self.upper_entries, self.unconstrained_upper_diag):
                    p.uniform_(-bound, bound)

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}, bias={self.bias is not None}"

    @property
    def upper_diag(self) -> Tensor:
        """The positive diagonal of :math:`U`."""
        return F.softplus(self.unconstrained_upper_diag) + self.eps

    def _create_lower_upper(self) -> tuple[Tensor, Tensor]:
        """The factors ``(L, U)``."""
        lower = torch.diag_embed(torch.ones_like(self.unconstrained_upper_diag))
        lower = lower.index_put(tuple(self.lower_indices), self.lower_entries)
        upper = torch.diag_embed(self.upper_diag)
        upper = upper.index_put(tuple(self.upper_indices), self.upper_entries)
        return lower, upper

    def weight(self) -> Tensor:
        """:math:`W = L U` (:math:`O(D^3)`)."""
        lower, upper = self._create_lower_upper()
        return lower @ upper

    def weight_inverse(self) -> Tensor:
        """:math:`W^{-1} = U^{-1} L^{-1}` by triangular solves (:math:`O(D^3)`)."""
        lower, upper = self._create_lower_upper()
        eye = torch.eye(self.num_features, dtype=lower.dtype, device=lower.device)
        y = torch.linalg.solve_triangular(lower, eye, upper=False, unitriangular=True)
        return torch.linalg.solve_triangular(upper, y, upper=True)

    _weight = weight
    _weight_inverse = weight_inverse

    def _logabsdet(self) -> Tensor:
        return torch.log(self.upper_diag).sum()

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        lower, upper = self._create_lower_upper()
        z = F.linear(F.linear(x, upper), lower, self.bias)
        return z, self._logabsdet().expand(x.shape[0])

    def inverse(self, z: Tensor) -> Tensor:
        self._check(z)
        lower, upper = self._create_lower_upper()
        if self.bias is not None:
            z = z - self.bias
        t = torch.linalg.solve_triangular(lower, z.T, upper=False, unitriangular=True)
        return torch.linalg.solve_triangular(upper, t, upper=True).T
