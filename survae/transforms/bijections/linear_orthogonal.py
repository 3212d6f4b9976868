"""Orthogonal (rotation) and QR-parametrized linear bijections."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.linear import _FeatureLinear


def _skew_exponential(params: Tensor, n: int) -> Tensor:
    """``exp(A - A^T)`` for the strictly-lower-triangular ``A`` filled from ``params``: a
    rotation (orthogonal, determinant +1)."""
    a = params.new_zeros(n, n)
    rows, cols = torch.tril_indices(n, n, offset=-1, device=params.device)
    a = a.index_put((rows, cols), params)
    return torch.linalg.matrix_exp(a - a.T)


class LinearOrthogonal(_FeatureLinear):
    r""":math:`z = Q x` with :math:`Q = \exp(A - A^\top)` a rotation (special orthogonal)
    parametrized by the :math:`D (D - 1) / 2` free entries of a skew-symmetric matrix: log-det 0,
    inverse :math:`x = Q^\top z`.

    Example:
        >>> import torch
        >>> layer = LinearOrthogonal(3)
        >>> x = torch.randn(4, 3)
        >>> z, ldj = layer(x)
        >>> torch.allclose(z.norm(dim=1), x.norm(dim=1), atol=1e-5), float(ldj.abs().max())
        (True, 0.0)
    """

    def __init__(self, num_features: int):
        super().__init__()
        self.num_features = int(num_features)
        size = self.num_features * (self.num_features - 1) // 2
        self.skew = nn.Parameter(torch.randn(size) * 0.3)

    def _weight(self) -> Tensor:
        return _skew_exponential(self.skew, self.num_features)

    def _weight_inverse(self) -> Tensor:
        return self._weight().T

    def _logabsdet(self) -> Tensor:
        return self.skew.new_zeros(())


class LinearQR(_FeatureLinear):
    r""":math:`z = Q R x (+ b)`: :math:`Q` a rotation (as :class:`LinearOrthogonal`) and :math:`R`
    upper triangular with a positive diagonal :math:`e^{s}` (:math:`s` = ``log_diag``; the QR
    parametrization of an invertible matrix with positive determinant).

    - log-det: :math:`\sum_i s_i`;  inverse: :math:`x = R^{-1} Q^\top (z - b)` (a triangular
      solve).

    Example:
        >>> import torch
        >>> layer = LinearQR(3).double()
        >>> x = torch.randn(4, 3, dtype=torch.float64)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x), torch.allclose(ldj[0], layer.log_diag.sum())
        (True, True)
    """

    def __init__(self, num_features: int, bias: bool = True):
        super().__init__()
        n = self.num_features = int(num_features)
        self.skew = nn.Parameter(torch.randn(n * (n - 1) // 2) * 0.3)
        self.upper = nn.Parameter(torch.randn(n * (n - 1) // 2) * 0.1)
        self.log_diag = nn.Parameter(torch.zeros(n))
        if bias:
            self.bias = nn.Parameter(torch.zeros(n))
        else:
            self.register_parameter("bias", None)

    def _r(self) -> Tensor:
        n = self.num_features
        rows, cols = torch.triu_indices(n, n, offset=1, device=self.upper.device)
        r = torch.diag(torch.exp(self.log_diag))
        return r.index_put((rows, cols), self.upper)

    def _weight(self) -> Tensor:
        return _skew_exponential(self.skew, self.num_features) @ self._r()

    def _weight_inverse(self) -> Tensor:
        q = _skew_exponential(self.skew, self.num_features)
        return torch.linalg.solve_triangular(self._r(), q.T, upper=True)

    def _logabsdet(self) -> Tensor:
        return self.log_diag.sum()
