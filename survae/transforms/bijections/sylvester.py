r"""Sylvester normalizing flows (van den Berg, Hasenclever, Tomczak & Welling, 2018).

:math:`z = x + Q R\, h(\tilde R Q^\top x + b)` with :math:`Q` a :math:`D \times M` matrix of
orthonormal columns, :math:`R` and :math:`\tilde R` upper-triangular :math:`M \times M` and
:math:`h = \tanh`. By Sylvester's determinant identity

.. math::

    \det J = \det\bigl(I_M + \operatorname{diag}\bigl(h'(\tilde R Q^\top x + b)\bigr)
    \tilde R R\bigr) = \prod_m \bigl(1 + h'_m \tilde r_{mm} r_{mm}\bigr)

(:math:`\tilde R R` is upper triangular). The diagonals are :math:`r_{mm} = \tanh(\cdot)`,
:math:`\tilde r_{mm} = \tanh(\cdot)`, so :math:`\tilde r_{mm} r_{mm} > -1` and, with
:math:`0 < h' \le 1`, every factor is positive: the map is invertible.

``kind`` picks :math:`Q`:

- ``"orthogonal"``: the :math:`Q` factor of a QR decomposition of a free :math:`D \times M`
  matrix (O-SNF);
- ``"householder"``: a product of :math:`K` Householder reflections (:math:`M = D`, H-SNF);
- ``"triangular"``: the identity, alternating with the reversal permutation (:math:`M = D`,
  T-SNF).

The forward map is closed form; the inverse has none: it is found by Newton's method on
:math:`x + Q R\, h(\tilde R Q^\top x + b) = z` (batched :math:`D \times D` solves, up to
``NEWTON_STEPS`` steps, to a relative tolerance of :math:`100\,\epsilon` of the dtype). In a VAE
posterior use the closed-form direction
for sampling (``InverseBijection(SylvesterBijection(...))``).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.transforms.bijections.conditional.base import ConditionalBijection
from survae.utils.validation import check_size

SYLVESTER_KINDS = ("orthogonal", "householder", "triangular")
NEWTON_STEPS = 60


def _householder_product(v: Tensor) -> Tensor:
    """``H_K ... H_1`` for unit-normalized rows of ``v`` (``(B, K, D)``): ``(B, D, D)``."""
    v = v / v.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    d = v.shape[-1]
    q = torch.eye(d, dtype=v.dtype, device=v.device).expand(v.shape[0], d, d)
    for k in range(v.shape[1]):  # K small (batched) matrix updates
        vk = v[:, k].unsqueeze(-1)  # (B, D, 1)
        q = q - 2 * vk @ (vk.transpose(1, 2) @ q)
    return q


def _triangular(raw_r: Tensor, raw_diag: Tensor) -> Tensor:
    """Upper-triangular ``(B, M, M)``: strictly-upper part from ``raw_r``, ``tanh`` diagonal."""
    return torch.triu(raw_r, diagonal=1) + torch.diag_embed(torch.tanh(raw_diag))


def _sylvester(x: Tensor, q: Tensor, r: Tensor, r_tilde: Tensor, b: Tensor):
    """``z``, ``log|det J|`` and the pieces for Newton: batched over ``(B, ...)`` parameters."""
    pre = torch.einsum("bmn,bdn,bd->bm", r_tilde, q, x) + b  # R~ Q^T x + b
    h = torch.tanh(pre)
    z = x + torch.einsum("bdm,bmn,bn->bd", q, r, h)
    dh = 1 - h**2
    diag = torch.diagonal(r_tilde, dim1=1, dim2=2) * torch.diagonal(r, dim1=1, dim2=2)
    ldj = torch.log1p(dh * diag).sum(-1)
    return z, ldj, dh


def _sylvester_inverse(z: Tensor, q: Tensor, r: Tensor, r_tilde: Tensor, b: Tensor) -> Tensor:
    """Newton's method for ``x`` with ``f(x) = z`` (see the module docstring)."""
    a = q @ r  # (B, D, M)
    bmat = r_tilde @ q.transpose(1, 2)  # (B, M, D)
    eye = torch.eye(z.shape[1], dtype=z.dtype, device=z.device)
    tol = 100 * torch.finfo(z.dtype).eps
    x = z - torch.einsum("bdm,bm->bd", a, torch.tanh(torch.einsum("bmd,bd->bm", bmat, z) + b))
    scale = 1 + float(z.detach().abs().max())
    for step in range(NEWTON_STEPS):
        fx, _, dh = _sylvester(x, q, r, r_tilde, b)
        residual = fx - z
        # Check convergence every 4 steps only: each check is a host synchronisation.
        if step % 4 == 3 and float(residual.detach().abs().max()) <= tol * scale:
            break
        jac = eye + a @ (dh.unsqueeze(-1) * bmat)
        x = x - torch.linalg.solve(jac, residual.unsqueeze(-1)).squeeze(-1)
    return x


class _SylvesterParams:
    """The Sylvester body shared by the static and amortized layers (``*context`` is empty or
    the context): raw parameters into ``(Q, R, R~, b)`` for one ``kind``, both directions."""

    num_features: int
    num_vectors: int
    kind: str
    num_reflections: int
    flip: bool

    def __init__(self, num_features: int, kind: str = "orthogonal", num_vectors: int | None = None,
                 num_reflections: int = 2, flip: bool = False):
        super().__init__()
        self.num_features = int(num_features)
        self.num_vectors = int(num_vectors or num_features)
        self.kind, self.num_reflections, self.flip = kind, int(num_reflections), bool(flip)
        self._check_kind()
        self.num_params = sum(self._sizes().values())

    def extra_repr(self) -> str:
        return (f"num_features={self.num_features}, kind={self.kind!r}, "
                f"num_vectors={self.num_vectors}")

    def _raw(self, x: Tensor, *context: Tensor) -> Tensor:
        """The ``num_params`` raw parameters per example."""
        raise NotImplementedError

    def _parts(self, x: Tensor, *context: Tensor):
        check_size(self, x, 1, self.num_features)
        return self._build(self._raw(x, *context))

    def forward(self, x: Tensor, *context: Tensor) -> tuple[Tensor, Tensor]:
        z, ldj, _ = _sylvester(x, *self._parts(x, *context))
        return z, ldj

    def inverse_and_ldj(self, z: Tensor, *context: Tensor) -> tuple[Tensor, Tensor]:
        parts = self._parts(z, *context)
        x = _sylvester_inverse(z, *parts)
        return x, _sylvester(x, *parts)[1]

    def inverse(self, z: Tensor, *context: Tensor) -> Tensor:
        return self.inverse_and_ldj(z, *context)[0]

    def _sizes(self) -> dict[str, int]:
        d, m = self.num_features, self.num_vectors
        sizes = {"r": m * m, "r_diag": m, "rt": m * m, "rt_diag": m, "b": m}
        if self.kind == "orthogonal":
            sizes["q"] = d * m
        elif self.kind == "householder":
            sizes["q"] = self.num_reflections * d
        return sizes

    def _q(self, raw: Tensor | None, batch: int, like: Tensor) -> Tensor:
        d, m = self.num_features, self.num_vectors
        if self.kind == "orthogonal":
            return torch.linalg.qr(raw.reshape(batch, d, m))[0]
        if self.kind == "householder":
            return _householder_product(raw.reshape(batch, self.num_reflections, d))
        eye = torch.eye(d, dtype=like.dtype, device=like.device)
        return (eye.flip(1) if self.flip else eye).expand(batch, d, d)

    def _build(self, flat: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """``flat``: ``(B, num_params)`` raw parameters, ordered as ``_sizes``."""
        m = self.num_vectors
        parts = dict(zip(self._sizes(), flat.split(list(self._sizes().values()), dim=1)))
        batch = flat.shape[0]
        r = _triangular(parts["r"].reshape(batch, m, m), parts["r_diag"])
        r_tilde = _triangular(parts["rt"].reshape(batch, m, m), parts["rt_diag"])
        q = self._q(parts.get("q"), batch, flat)
        return q, r, r_tilde, parts["b"]

    def _check_kind(self) -> None:
        if self.kind not in SYLVESTER_KINDS:
            raise ValueError(f"{type(self).__name__}: kind must be one of {SYLVESTER_KINDS}, "
                             f"got {self.kind!r}")
        if self.kind != "orthogonal" and self.num_vectors != self.num_features:
            raise ValueError(f"{type(self).__name__}: kind={self.kind!r} needs "
                             f"num_vectors == num_features")
        if not 1 <= self.num_vectors <= self.num_features:
            raise ValueError(f"{type(self).__name__}: num_vectors must be in "
                             f"[1, {self.num_features}], got {self.num_vectors}")


class SylvesterBijection(_SylvesterParams, Bijection):
    r"""Sylvester flow with learned parameters (see the module docstring for the math).

    - forward: :math:`z = x + Q R \tanh(\tilde R Q^\top x + b)`, log-det
      :math:`\sum_m \log(1 + h'_m \tilde r_{mm} r_{mm})` with
      :math:`h' = 1 - \tanh^2(\tilde R Q^\top x + b)`;
    - inverse: Newton's method (batched; closed form does not exist).

    Args:
        num_features: :math:`D`.
        kind: ``"orthogonal"``, ``"householder"`` or ``"triangular"``.
        num_vectors: :math:`M` (``"orthogonal"`` only; default :math:`D`).
        num_reflections: :math:`K` Householder reflections (``"householder"``).
        flip: ``"triangular"``: use the reversal permutation as :math:`Q` (alternate it between
            layers so both triangular orders are used).

    Example:
        >>> import torch
        >>> layer = SylvesterBijection(3, kind="householder").double()
        >>> x = torch.randn(5, 3, dtype=torch.float64)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x), ldj.shape
        (True, torch.Size([5]))
    """

    recompute_by_inverse = False  # iterative inverse: memory saving keeps the input

    def __init__(self, num_features: int, kind: str = "orthogonal", num_vectors: int | None = None,
                 num_reflections: int = 2, flip: bool = False):
        super().__init__(num_features, kind, num_vectors, num_reflections, flip)
        self.params = nn.Parameter(torch.randn(self.num_params) * 0.1)

    def _raw(self, x: Tensor) -> Tensor:
        return self.params.unsqueeze(0).to(x.dtype).expand(x.shape[0], -1)


class ConditionalSylvesterBijection(_SylvesterParams, ConditionalBijection):
    """Amortized Sylvester flow: all ``num_params`` raw parameters per example from the context
    (as a dynamic VAE posterior's encoder outputs them); math as :class:`SylvesterBijection`.

    Example:
        >>> import torch
        >>> layer = ConditionalSylvesterBijection(2, kind="triangular")
        >>> x, c = torch.randn(4, 2), 0.1 * torch.randn(4, layer.num_params)
        >>> z, ldj = layer(x, c)
        >>> torch.allclose(layer.inverse(z, c), x, atol=1e-5)
        True
    """

    def _raw(self, x: Tensor, context: Tensor) -> Tensor:
        check_size(self, context, 1, self.num_params, name="context")
        return context.to(x.dtype)
