"""Bijections from a user's function, with the log-determinant from the autograd Jacobian."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from survae.transforms.bijections.base import Bijection


def batched_jacobian(fn: Callable[[Tensor], Tensor], x: Tensor, create_graph: bool
                     ) -> tuple[Tensor, Tensor]:
    """``fn(x)`` and its per-example Jacobians ``(batch, D, D)`` (``D`` = event size), for a
    function that maps each example independently and keeps the event size. One batched backward
    pass per output dimension (``is_grads_batched``), no loop over the batch."""
    with torch.enable_grad():
        xg = x if x.requires_grad else x.detach().requires_grad_(True)
        y = fn(xg)
        batch, dim = x.shape[0], x[0].numel()
        if y.shape[0] != batch or y[0].numel() != dim:
            raise ValueError(
                f"AutodiffBijection: the function must map (batch, {dim} features) to the same "
                f"size, got input {tuple(x.shape)} and output {tuple(y.shape)}"
            )
        eye = torch.eye(dim, dtype=x.dtype, device=x.device)
        basis = eye.reshape(dim, 1, *y.shape[1:]).expand(dim, *y.shape).contiguous()
        (rows,) = torch.autograd.grad(
            y, xg, basis, create_graph=create_graph, retain_graph=create_graph,
            is_grads_batched=True, allow_unused=True,
        )
    if rows is None:  # y does not depend on x
        raise ValueError("AutodiffBijection: the function's output does not depend on its input")
    # rows[i, b] = d y_b[i] / d x_b: the Jacobian of example b is rows[:, b] (i = output index).
    jac = rows.reshape(dim, batch, dim).transpose(0, 1)
    return y, jac


class AutodiffBijection(Bijection):
    r"""A bijection from a user's function, its log-det from the autograd Jacobian (``ADBijector``).

    - forward: :math:`z = f(x)` (data to latent), with :math:`f` the user's function;
    - log-det: :math:`\log|\det J_f(x)|`, :math:`J_f` built from the autograd Jacobian of each
      example (:math:`D` batched backward passes) and its ``slogdet``: exact, for small event
      sizes :math:`D`;
    - inverse: the user's ``inverse`` if given, else Newton's method from :math:`x_0 = z`:
      :math:`x_{n+1} = x_n - J_f(x_n)^{-1} (f(x_n) - z)`, a fixed number of batched steps without
      a graph, then one step with it, so the inverse is differentiable (implicit-function
      gradients at the solution).

    The quick way to try a new layer: write its map, wrap it, check it in a flow, and write the
    closed-form log-det (a ``Bijection`` subclass) once it is worth keeping. ``f`` must map
    each example independently (no mixing across the batch) and keep the event size; its
    parameters, if any, belong to a module the caller registers (pass ``module`` to register it
    here).

    Args:
        fn: :math:`f`, mapping ``(batch, *event)`` to the same shape.
        inverse: optional :math:`f^{-1}`.
        module: optional ``nn.Module`` holding ``f``'s parameters (registered as a child).
        newton_steps: Newton iterations when ``inverse`` is not given.

    Example:
        >>> import torch
        >>> layer = AutodiffBijection(lambda x: x + 0.5 * torch.tanh(x))  # monotone: invertible
        >>> x = torch.randn(3, 2, dtype=torch.float64)
        >>> z, ldj = layer(x)
        >>> expected = torch.log1p(0.5 / torch.cosh(x) ** 2).sum(1)
        >>> torch.allclose(ldj, expected), torch.allclose(layer.inverse(z), x)
        (True, True)

    References: the ``ADBijector`` of Bijectors.jl (Fjelde et al., 2020).
    """

    def __init__(
        self,
        fn: Callable[[Tensor], Tensor],
        inverse: Callable[[Tensor], Tensor] | None = None,
        module: torch.nn.Module | None = None,
        newton_steps: int = 30,
    ):
        super().__init__()
        if not callable(fn) or (inverse is not None and not callable(inverse)):
            raise ValueError("AutodiffBijection: fn (and inverse, if given) must be callable")
        self.fn = fn
        self.inverse_fn = inverse
        self.module = module
        self.newton_steps = int(newton_steps)

    def extra_repr(self) -> str:
        if self.inverse_fn is not None:
            return "inverse=given"
        return f"newton_steps={self.newton_steps}"

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        create_graph = torch.is_grad_enabled()
        z, jac = batched_jacobian(self.fn, x, create_graph)
        ldj = torch.linalg.slogdet(jac).logabsdet
        if not create_graph:
            z, ldj = z.detach(), ldj.detach()
        return z, ldj

    def _newton_step(self, x: Tensor, z: Tensor, create_graph: bool) -> Tensor:
        y, jac = batched_jacobian(self.fn, x, create_graph)
        step = torch.linalg.solve(jac, (y - z).reshape(z.shape[0], -1, 1))
        return x - step.reshape(x.shape)

    def inverse(self, z: Tensor) -> Tensor:
        if self.inverse_fn is not None:
            return self.inverse_fn(z)
        x = z.detach()
        with torch.no_grad():
            for _ in range(self.newton_steps):
                x = self._newton_step(x, z.detach(), create_graph=False).detach()
        if not torch.is_grad_enabled():
            return x
        return self._newton_step(x, z, create_graph=True)
