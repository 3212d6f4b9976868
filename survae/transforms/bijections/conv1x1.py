"""Invertible 1x1 convolutions (Glow): a learned linear map of the channels at every position."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.actnorm import _ActNorm
from survae.transforms.bijections.base import Bijection
from survae.utils.validation import check_size


def _apply_channels(weight: Tensor, x: Tensor) -> Tensor:
    """``z[:, i, ...] = sum_j weight[i, j] x[:, j, ...]`` for any number of spatial dims.

    One ``bmm`` of the weight, expanded over the batch without a copy, with the flattened
    positions: the result is contiguous, and the backward is one ``bmm`` per input plus a sum over
    the batch for the weight. ``torch.matmul`` of a matrix with a batch folds the batch into the
    rows of one ``mm`` on the transposed input and copies the transposed result back (2-3x slower
    forward and backward on Glow's small maps, 12 or 24 channels); ``conv2d`` with a 1x1 kernel
    is slower still on the CPU.
    """
    if x.dim() == 2:
        return x @ weight.T
    batch, channels = x.shape[:2]
    product = torch.bmm(weight.expand(batch, channels, channels), x.reshape(batch, channels, -1))
    return product.reshape(x.shape)


class _ChannelLinear(Bijection):
    """Shared checks, application and caching for 1x1 convolutions over ``(batch, C, *spatial)``.

    Subclasses give the weight, its per-position log-determinant, and the inverse weight with the
    log-determinant. When no gradient is needed (``torch.no_grad()``, or frozen parameters) the
    inverse weight and log-determinant are cached and reused until a parameter or buffer changes
    (in-place optimizer steps and ``load_state_dict`` bump tensor versions; ``.to()`` changes
    storage), so sampling does not re-invert the weight per call. With gradients they are always
    recomputed, so everything stays differentiable.
    """

    num_channels: int

    def extra_repr(self) -> str:
        return f"num_channels={self.num_channels}"

    def _check(self, x: Tensor) -> None:
        check_size(self, x, 1, self.num_channels)

    def _weight(self) -> Tensor:
        raise NotImplementedError

    def _logdet_per_position(self) -> Tensor:
        """``log|det W|``, differentiable."""
        raise NotImplementedError

    def _compute_inverse(self) -> tuple[Tensor, Tensor]:
        """``(W^{-1}, log|det W|)``, differentiable."""
        raise NotImplementedError

    def _state_key(self) -> tuple | None:
        """Identifies the current parameter/buffer values; None disables caching."""
        tensors = [*self._parameters.values(), *self._buffers.values()]
        try:
            if any(t.is_inference() for t in tensors):
                return None
            return (
                torch.is_inference_mode_enabled(),
                *((t.data_ptr(), t._version, t.dtype, t.device) for t in tensors),
            )
        except (RuntimeError, NotImplementedError):  # e.g. torch.func / compile wrapper tensors
            return None

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_inverse_cache", None)  # copies and pickles recompute it
        return state

    def _needs_graph(self) -> bool:
        return torch.is_grad_enabled() and any(p.requires_grad for p in self._parameters.values())

    def _inverse_and_logdet(self) -> tuple[Tensor, Tensor]:
        if self._needs_graph():
            return self._compute_inverse()
        key = self._state_key()
        if key is None:
            return self._compute_inverse()
        cache = self.__dict__.get("_inverse_cache")
        if cache is None or cache[0] != key:
            with torch.no_grad():
                cache = (key, *self._compute_inverse())
            self.__dict__["_inverse_cache"] = cache
        return cache[1], cache[2]

    def _logdet(self) -> Tensor:
        if self._needs_graph():
            return self._logdet_per_position()
        return self._inverse_and_logdet()[1]

    def _expand_ldj(self, logdet: Tensor, x: Tensor) -> Tensor:
        return (logdet * x.shape[2:].numel()).expand(x.shape[0])

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        return _apply_channels(self._weight(), x), self._expand_ldj(self._logdet(), x)

    def inverse(self, z: Tensor) -> Tensor:
        return self.inverse_and_ldj(z)[0]

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        self._check(z)
        weight_inv, logdet = self._inverse_and_logdet()
        return _apply_channels(weight_inv, z), self._expand_ldj(logdet, z)

    def forward_after_actnorm(self, actnorm: _ActNorm, x: Tensor) -> tuple[Tensor, Tensor]:
        r"""``self(actnorm(x))`` as one affine map of the channels, with the two contributions
        summed (used by flows in eager mode, see :mod:`survae.transforms.fusion`).

        With :math:`\mu` = ``actnorm.shift`` and :math:`s` = ``actnorm.log_scale``, the
        composition is :math:`z = W D (x - \mu) = W' x - W' \mu` with
        :math:`W' = W D`, :math:`D = \operatorname{diag}(e^{-s})`: the scaling moves onto the
        columns of the :math:`C \times C` weight and the shift into a bias, so neither touches
        the activations, and the map is one ``baddbmm``. Log-det:
        :math:`P (\log|\det W| - \sum_c s_c)`, one scalar for the batch. The ActNorm must be
        initialized (or in eval mode): its data-dependent initialization runs in its own
        ``forward``.
        """
        actnorm._check(x)
        self._check(x)
        weight = self._weight() * torch.exp(-actnorm.log_scale).reshape(1, -1)
        bias = weight @ actnorm.shift.reshape(-1)
        if x.dim() == 2:
            z = torch.addmm(bias, x, weight.T, beta=-1)
        else:
            batch, channels = x.shape[:2]
            z = torch.baddbmm(
                bias.reshape(channels, 1),
                weight.expand(batch, channels, channels),
                x.reshape(batch, channels, -1),
                beta=-1,
            ).reshape(x.shape)
        logdet = self._logdet() - actnorm.log_scale.sum()
        return z, self._expand_ldj(logdet, x)


class Conv1x1(_ChannelLinear):
    r"""Invertible 1x1 convolution with an unconstrained weight :math:`W` (:math:`C \times C`).

    - forward: :math:`z_{:, p} = W x_{:, p}` at every spatial position :math:`p`;
    - inverse: :math:`x_{:, p} = W^{-1} z_{:, p}`;
    - log-det: :math:`P \log|\det W|`, with :math:`P` the number of positions.

    Works on ``(B, C)``, ``(B, C, L)``, ``(B, C, H, W)`` and more spatial dims. The log-determinant
    is computed on the weight's own device unless ``slogdet_cpu=True`` asks for the official
    library's CPU computation (off by default here: copying the weight to the CPU on every call is
    what makes the official layer slow on GPU; the value is the same). The inverse and its log-det
    come from one LU factorization, cached while no gradient is needed (see ``_ChannelLinear``).
    For a parametrization with a free log-det and triangular inverse, see :class:`Conv1x1LU`.

    Args:
        num_channels: number of channels ``C``.
        orthogonal_init: initialize ``W`` as a random orthogonal matrix (else uniform in
            :math:`[-1/\sqrt{C}, 1/\sqrt{C}]`).
        slogdet_cpu: compute :math:`\log|\det W|` on the CPU (official argument; default False).

    Example:
        >>> import torch
        >>> layer = Conv1x1(3)
        >>> x = torch.randn(2, 3, 4, 4)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x, atol=1e-5), bool(ldj.abs().max() < 1e-4)
        (True, True)

    Reference: Kingma & Dhariwal, 2018 (Glow).
    """

    def __init__(self, num_channels: int, orthogonal_init: bool = True, slogdet_cpu: bool = False):
        super().__init__()
        self.num_channels = int(num_channels)
        self.orthogonal_init = bool(orthogonal_init)
        self.slogdet_cpu = bool(slogdet_cpu)
        self.weight = nn.Parameter(torch.empty(self.num_channels, self.num_channels))
        if orthogonal_init:
            nn.init.orthogonal_(self.weight)
        else:
            bound = 1.0 / self.num_channels**0.5
            nn.init.uniform_(self.weight, -bound, bound)

    def _weight(self) -> Tensor:
        return self.weight

    def _logdet_per_position(self) -> Tensor:
        if self.slogdet_cpu and self.weight.device.type != "cpu":
            return torch.linalg.slogdet(self.weight.cpu()).logabsdet.to(self.weight.device)
        return torch.linalg.slogdet(self.weight).logabsdet

    def _compute_inverse(self) -> tuple[Tensor, Tensor]:
        lu, pivots, _ = torch.linalg.lu_factor_ex(self.weight)
        eye = torch.eye(self.num_channels, dtype=lu.dtype, device=lu.device)
        logdet = lu.diagonal().abs().log().sum()
        return torch.linalg.lu_solve(lu, pivots, eye), logdet


class Conv1x1LU(_ChannelLinear):
    r"""Invertible 1x1 convolution in the LU parametrization of Glow:
    :math:`W = P L (U + \operatorname{diag}(s))`.

    :math:`P` is a fixed permutation, :math:`L` unit lower-triangular, :math:`U` strictly
    upper-triangular and :math:`s = \mathrm{sign} \odot e^{\ell}` with :math:`\ell` = ``log_s``
    (a parameter) and ``sign`` a fixed buffer; so

    - forward: :math:`z_{:, p} = W x_{:, p}` at every spatial position :math:`p`;
    - inverse: :math:`x_{:, p} = W^{-1} z_{:, p}` via two triangular solves (no general inverse);
    - log-det: :math:`N \sum_i \ell_i`, with :math:`N` the number of positions (no determinant
      computed at all).

    Same layouts as :class:`Conv1x1`; :math:`W` can never become singular.

    Args:
        num_channels: number of channels ``C``; initialized at a random orthogonal matrix.

    Example:
        >>> import torch
        >>> layer = Conv1x1LU(4)
        >>> x = torch.randn(2, 4, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True

    Reference: Kingma & Dhariwal, 2018 (Glow, Section 3.2).
    """

    def __init__(self, num_channels: int):
        super().__init__()
        self.num_channels = c = int(num_channels)
        q = torch.empty(c, c)
        nn.init.orthogonal_(q)
        p, lower, upper = torch.linalg.lu(q)
        diag = upper.diagonal()
        self.register_buffer("permutation", p)
        self.register_buffer("sign", torch.sign(diag))
        self.register_buffer("lower_mask", torch.tril(torch.ones(c, c), -1))
        self.register_buffer("eye", torch.eye(c))
        self.lower = nn.Parameter(lower * self.lower_mask)
        self.upper = nn.Parameter(torch.triu(upper, 1))
        self.log_s = nn.Parameter(torch.log(diag.abs()))

    def _factors(self) -> tuple[Tensor, Tensor]:
        lower = torch.addcmul(self.eye, self.lower, self.lower_mask)
        upper = torch.triu(self.upper, 1) + torch.diag(self.sign * torch.exp(self.log_s))
        return lower, upper

    def _weight(self) -> Tensor:
        # P L (U' + diag(s)) = (P L) U' + (P L) diag(s): 7 operations (and autograd nodes)
        # instead of 9, with no diagonal matrix built.
        pl = self.permutation @ torch.addcmul(self.eye, self.lower, self.lower_mask)
        scale = self.sign * torch.exp(self.log_s)
        return torch.addmm(pl * scale, pl, torch.triu(self.upper, 1))

    def _logdet_per_position(self) -> Tensor:
        return self.log_s.sum()

    def _logdet(self) -> Tensor:
        return self.log_s.sum()  # free: no caching needed

    def _compute_inverse(self) -> tuple[Tensor, Tensor]:
        lower, upper = self._factors()
        # W^{-1} = U^{-1} L^{-1} P^T, from triangular solves against P^T.
        y = torch.linalg.solve_triangular(
            lower, self.permutation.T, upper=False, unitriangular=True
        )
        return torch.linalg.solve_triangular(upper, y, upper=True), self.log_s.sum()
