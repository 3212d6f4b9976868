"""Activation normalization (Glow): a per-feature affine map with data-dependent initialization."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.utils.validation import ShapeError, check_size


class _ActNorm(Bijection):
    r"""Shared ActNorm machinery; subclasses fix the parameter shape for their input layout.

    With :math:`\mu` = ``shift`` and :math:`s` = ``log_scale``, per feature (channel) :math:`c`:

    - forward: :math:`z = (x - \mu_c)\, e^{-s_c}`;
    - inverse: :math:`x = \mu_c + z\, e^{s_c}`;
    - log-det: :math:`-P \sum_c s_c`, with :math:`P` the number of positions per feature.

    As in the official library, ``shift`` and ``log_scale`` are the location and log-scale of the
    *data*: with ``data_dep_init`` the first forward in training mode sets them to the batch mean
    and :math:`\log(\mathrm{std} + \epsilon)` per feature (the unbiased std over the batch and
    positions, as the official ``torch.std``), so the output starts standardized. The
    ``initialized`` flag is a
    buffer (shape ``(1,)``, as the official one): it travels with the state_dict, and a loaded
    model is not initialized again. Under ``torch.compile`` the first call initializes inside
    the graph (masked by the buffer, no host read), so a flow can be compiled before it has seen
    data.
    """

    event_dims: int = 1

    def __init__(self, num_features: int, data_dep_init: bool = True, eps: float = 1e-6):
        super().__init__()
        self.num_features = int(num_features)
        self.data_dep_init = data_dep_init
        self.eps = eps
        shape = (1, self.num_features) + (1,) * (self.event_dims - 1)
        self.shift = nn.Parameter(torch.zeros(shape))
        self.log_scale = nn.Parameter(torch.zeros(shape))
        self.register_buffer("initialized", torch.full((1,), float(not data_dep_init)))
        self._init_done = not data_dep_init  # host-side mirror: no device sync per forward

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}"

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        self._init_done = bool(self.initialized)

    def _check(self, x: Tensor) -> None:
        if x.dim() != self.event_dims + 1:
            raise ShapeError(
                f"{self.layer_name}: expected input with {self.event_dims + 1} dimensions "
                f"(batch, {self.num_features}{', ...' * (self.event_dims - 1)}), "
                f"got shape {tuple(x.shape)}"
            )
        check_size(self, x, 1, self.num_features)

    def _reduce_dims(self) -> list[int]:
        return [0] + list(range(2, self.event_dims + 1))

    def _check_init_batch(self, x: Tensor) -> None:
        """Refuse a batch that would leave shift/scale NaN forever (one host read, once)."""
        if x.shape[0] == 0:
            raise ValueError(f"{self.layer_name}: data-dependent initialization needs a "
                             f"non-empty batch, got shape {tuple(x.shape)}; the layer stays "
                             "uninitialized")
        if not bool(torch.isfinite(x).all()):
            raise ValueError(f"{self.layer_name}: data-dependent initialization needs finite "
                             "values, got NaN/inf in the batch; the layer stays uninitialized")

    @torch.no_grad()
    def data_init(self, x: Tensor) -> None:
        """Set ``shift`` and ``log_scale`` from the statistics of the batch ``x`` (non-empty
        and finite, else ``ValueError``; not checked inside a compiled graph)."""
        if not torch.compiler.is_compiling():
            self._check_init_batch(x)
        dims = self._reduce_dims()
        mean = x.mean(dim=dims, keepdim=True)
        std = (
            x.std(dim=dims, keepdim=True)
            if x.shape[0] > 1 or len(dims) > 1
            else torch.ones_like(mean)
        )
        self.shift.copy_(mean)
        self.log_scale.copy_(torch.log(std + self.eps))
        self.initialized.fill_(1.0)
        self._init_done = True

    @torch.no_grad()
    def _masked_data_init(self, x: Tensor) -> None:
        """:meth:`data_init` where ``initialized`` is 0, a no-op where it is 1 (no host sync)."""
        keep = self.initialized.bool()
        shift, log_scale = self.shift.clone(), self.log_scale.clone()
        self.data_init(x)
        self.shift.copy_(torch.where(keep, shift, self.shift))
        self.log_scale.copy_(torch.where(keep, log_scale, self.log_scale))

    def _ldj(self, x: Tensor) -> Tensor:
        positions = x.shape[2:].numel()
        return (-positions * self.log_scale.sum()).expand(x.shape[0])

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        if self.training and not self._init_done:
            # The host-side mirror avoids a device sync per call; the buffer is read only until
            # the first initialization (it may have been set by hand or loaded).
            if torch.compiler.is_compiling():
                # No host read under torch.compile (it would break the graph): initialize only
                # where the buffer says so, with tensor ops.
                self._masked_data_init(x)
            elif bool(self.initialized):
                self._init_done = True
            else:
                self.data_init(x)
        return (x - self.shift) * torch.exp(-self.log_scale), self._ldj(x)

    def inverse(self, z: Tensor) -> Tensor:
        self._check(z)
        return self.shift + z * torch.exp(self.log_scale)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z), self._ldj(z)


class ActNormBijection(_ActNorm):
    r"""ActNorm for vectors ``(batch, num_features)``: :math:`z = (x - \mu)\, e^{-s}` elementwise,
    with :math:`\mu` = ``shift`` and :math:`s` = ``log_scale``.

    Inverse: :math:`x = \mu + z\, e^{s}`. Log-det: :math:`-\sum_i s_i`.

    Args:
        num_features: number of features.
        data_dep_init: initialize from the first training batch (mean 0, std 1 outputs).
        eps: added to the standard deviation at initialization.

    Example:
        >>> import torch
        >>> layer = ActNormBijection(2)
        >>> z, ldj = layer(3 + 2 * torch.randn(256, 2))
        >>> bool(z.mean(0).abs().max() < 1e-5)
        True

    Reference: Kingma & Dhariwal, 2018 (Glow).
    """

    event_dims = 1


class ActNormBijection1d(_ActNorm):
    r"""ActNorm for sequences ``(batch, C, L)``: one shift/scale per channel.

    Log-det: :math:`-L \sum_c s_c` (:math:`s` = ``log_scale``). Arguments as
    :class:`ActNormBijection`.

    Example:
        >>> import torch
        >>> layer = ActNormBijection1d(3)
        >>> x = 2 + 5 * torch.randn(64, 3, 10)
        >>> z, ldj = layer(x)  # the first call initialises shift and scale from the batch
        >>> bool(z.mean(dim=(0, 2)).abs().max() < 1e-4), ldj.shape
        (True, torch.Size([64]))
    """

    event_dims = 2


class ActNormBijection2d(_ActNorm):
    r"""ActNorm for images ``(batch, C, H, W)``: one shift/scale per channel.

    Log-det: :math:`-H W \sum_c s_c` (:math:`s` = ``log_scale``). Arguments as
    :class:`ActNormBijection`.

    Example:
        >>> import torch
        >>> z, ldj = ActNormBijection2d(3)(torch.randn(8, 3, 4, 4))
        >>> z.shape, ldj.shape
        (torch.Size([8, 3, 4, 4]), torch.Size([8]))
    """

    event_dims = 3
