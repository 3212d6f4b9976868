"""More linear bijections: low-rank updates, orthogonal and QR parametrizations, rotations."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.transforms.bijections.linear import _FeatureLinear


class LinearLowRank(_FeatureLinear):
    """``z = (D + U V) x (+ b)`` with ``D`` diagonal, ``U`` ``(features, rank)`` and ``V``
    ``(rank, features)`` (official name and arguments).

    - forward: ``O(features x rank)`` per example;
    - log-det: ``sum log|d_i| + log|det K|`` with ``K = I_r + V D^{-1} U`` (matrix determinant
      lemma), a ``rank x rank`` determinant;
    - inverse: Woodbury, ``x = D^{-1} z - D^{-1} U K^{-1} V D^{-1} z``.

    Args:
        num_features: ``D``.
        rank: ``1 <= rank <= num_features``.
        bias: learn a bias ``b``.

    Example:
        >>> import torch
        >>> layer = LinearLowRank(4, rank=2).double()
        >>> with torch.no_grad():
        ...     _ = layer.U.normal_(); _ = layer.V.normal_()
        >>> x = torch.randn(3, 4, dtype=torch.float64)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x), torch.allclose(ldj[0], torch.slogdet(
        ...     torch.diag(layer.d) + layer.U @ layer.V)[1])
        (True, True)
    """

    def __init__(self, num_features: int, rank: int, bias: bool = False):
        super().__init__()
        if not 1 <= rank <= num_features:
            raise ValueError(f"LinearLowRank: rank must be in [1, {num_features}], got {rank}")
        self.num_features, self.rank = int(num_features), int(rank)
        self.d = nn.Parameter(torch.empty(num_features).uniform_(1 - 1e-3, 1 + 1e-3))
        self.U = nn.Parameter(torch.empty(num_features, rank).uniform_(-1e-3, 1e-3))
        self.V = nn.Parameter(torch.empty(rank, num_features).uniform_(-1e-3, 1e-3))
        if bias:
            self.bias = nn.Parameter(torch.zeros(num_features))
        else:
            self.register_parameter("bias", None)

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}, rank={self.rank}"

    def _capacitance(self) -> Tensor:
        eye = torch.eye(self.rank, dtype=self.d.dtype, device=self.d.device)
        return eye + (self.V / self.d) @ self.U

    def _weight(self) -> Tensor:
        return torch.diag(self.d) + self.U @ self.V

    def _weight_inverse(self) -> Tensor:
        d_inv = 1 / self.d
        middle = torch.linalg.solve(self._capacitance(), self.V * d_inv)  # K^{-1} V D^{-1}
        return torch.diag(d_inv) - (d_inv.unsqueeze(1) * self.U) @ middle

    def _logabsdet(self) -> Tensor:
        return self.d.abs().log().sum() + torch.linalg.slogdet(self._capacitance())[1]

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        z = self.d * x + (x @ self.V.T) @ self.U.T
        if self.bias is not None:
            z = z + self.bias
        return z, self._logabsdet().expand(x.shape[0])


def _skew_exponential(params: Tensor, n: int) -> Tensor:
    """``exp(A - A^T)`` for the strictly-lower-triangular ``A`` filled from ``params``: a
    rotation (orthogonal, determinant +1)."""
    a = params.new_zeros(n, n)
    rows, cols = torch.tril_indices(n, n, offset=-1, device=params.device)
    a = a.index_put((rows, cols), params)
    return torch.linalg.matrix_exp(a - a.T)


class LinearOrthogonal(_FeatureLinear):
    """``z = Q x`` with ``Q = exp(A - A^T)`` a rotation (special orthogonal) parametrized by the
    ``D (D - 1) / 2`` free entries of a skew-symmetric matrix: log-det 0, inverse ``Q^T z``.

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
    """``z = Q R x (+ b)``: ``Q`` a rotation (as :class:`LinearOrthogonal`) and ``R`` upper
    triangular with a positive diagonal ``exp(s)`` (the QR parametrization of an invertible
    matrix with positive determinant).

    - log-det: ``sum_i s_i``;  inverse: ``x = R^{-1} Q^T (z - b)`` (a triangular solve).

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


class Rotate(Bijection):
    """Rotate by 90, 180 or 270 degrees in the plane of dimensions ``dim1`` and ``dim2`` (e.g.
    ``(H, W)`` of images with ``dim1=2, dim2=3``); log-det 0 (official name and arguments).

    - 90: ``transpose(dim1, dim2)`` then flip ``dim1``; 180: flip both; 270: transpose then flip
      ``dim2``; the inverse undoes these in reverse order.

    Example:
        >>> import torch
        >>> layer = Rotate(90, 1, 2)
        >>> x = torch.arange(4.0).reshape(1, 2, 2)
        >>> layer(x)[0].tolist(), torch.equal(layer.inverse(layer(x)[0]), x)
        ([[[1.0, 3.0], [0.0, 2.0]]], True)
    """

    def __init__(self, degrees: int, dim1: int, dim2: int):
        super().__init__()
        if degrees not in (90, 180, 270):
            raise ValueError(f"Rotate: degrees must be 90, 180 or 270, got {degrees}")
        if dim1 == 0 or dim2 == 0 or dim1 == dim2:
            raise ValueError(f"Rotate: dim1 and dim2 must differ and not be the batch, got "
                             f"{dim1}, {dim2}")
        self.degrees, self.dim1, self.dim2 = int(degrees), int(dim1), int(dim2)

    def extra_repr(self) -> str:
        return f"degrees={self.degrees}, dim1={self.dim1}, dim2={self.dim2}"

    def _check(self, x: Tensor) -> None:
        if x.dim() <= max(self.dim1, self.dim2):
            raise ValueError(f"{self.layer_name}: input of shape {tuple(x.shape)} has no "
                             f"dimensions {self.dim1} and {self.dim2}")
        if self.degrees != 180 and x.shape[self.dim1] != x.shape[self.dim2]:
            raise ValueError(f"{self.layer_name}: a {self.degrees}-degree rotation needs equal "
                             f"sizes along dims {self.dim1} and {self.dim2}, got "
                             f"{tuple(x.shape)}")

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        if self.degrees == 90:
            z = x.transpose(self.dim1, self.dim2).flip(self.dim1)
        elif self.degrees == 180:
            z = x.flip(self.dim1).flip(self.dim2)
        else:
            z = x.transpose(self.dim1, self.dim2).flip(self.dim2)
        return z, x.new_zeros(x.shape[0])

    def inverse(self, z: Tensor) -> Tensor:
        self._check(z)
        if self.degrees == 90:
            return z.flip(self.dim1).transpose(self.dim1, self.dim2)
        if self.degrees == 180:
            return z.flip(self.dim2).flip(self.dim1)
        return z.flip(self.dim2).transpose(self.dim1, self.dim2)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z), z.new_zeros(z.shape[0])
