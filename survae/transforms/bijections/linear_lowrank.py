"""The diagonal-plus-low-rank linear bijection (matrix determinant lemma, Woodbury inverse)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.linear import _FeatureLinear


class LinearLowRank(_FeatureLinear):
    r""":math:`z = (\Delta + U V) x (+ b)` with :math:`\Delta = \operatorname{diag}(d)`, :math:`U`
    ``(features, rank)`` and :math:`V` ``(rank, features)`` (official name and arguments).

    - forward: :math:`O(D r)` per example, for :math:`D` features and rank :math:`r`;
    - log-det: :math:`\sum_i \log|d_i| + \log|\det K|` with :math:`K = I_r + V \Delta^{-1} U`
      (matrix determinant lemma), an :math:`r \times r` determinant;
    - inverse: Woodbury, :math:`x = \Delta^{-1} y - \Delta^{-1} U K^{-1} V \Delta^{-1} y` with
      :math:`y = z - b`.

    Args:
        num_features: :math:`D`.
        rank: :math:`1 \le r \le D`.
        bias: learn a bias :math:`b`.

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
