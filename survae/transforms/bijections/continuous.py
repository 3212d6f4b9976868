"""Continuous normalizing flows: the flow map of a neural ODE (Chen et al., 2018; FFJORD)."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.utils.autograd import batched_jacobian
from survae.utils.tensors import sum_except_batch
from survae.utils.validation import ShapeError

TRACES = ("exact", "hutchinson")
NOISES = ("gaussian", "rademacher")


def import_torchdiffeq() -> Any:
    """Import the optional dependency ``torchdiffeq`` or raise an ImportError naming the extra."""
    try:
        import torchdiffeq
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "ODEBijection needs the optional dependency torchdiffeq: install it with "
            "`pip install 'survae[ode]'` (or `pip install torchdiffeq`)"
        ) from error
    return torchdiffeq


class _ODEFunc(nn.Module):
    """Right-hand side on the rescaled time ``s in [0, 1]``: ``d(x, L)/ds = T (f(sT, x), tr J_f)``.

    Built per solve; ``noise`` is None for the exact trace and ``with_trace=False`` drops ``L``.
    """

    def __init__(self, dynamics: nn.Module, log_T: Tensor, noise: Tensor | None, with_trace: bool,
                 with_cost: bool = False):
        super().__init__()
        self.dynamics = dynamics
        self.log_T = log_T
        self.noise = noise
        self.with_trace = with_trace
        self.with_cost = with_cost

    def forward(self, s: Tensor, state: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
        create_graph = torch.is_grad_enabled()
        x = state[0]
        with torch.enable_grad():
            T = self.log_T.exp()
            if not self.with_trace:
                dx = T * self.dynamics(s * T, x)
                return (dx if create_graph else dx.detach(),)
            xg = x if x.requires_grad else x.detach().requires_grad_(True)
            f = self.dynamics(s * T, xg)
            if f.shape != xg.shape:
                raise ShapeError(
                    f"ODEBijection: the dynamics must keep the shape: state of shape "
                    f"{tuple(xg.shape)} gave f(t, x) of shape {tuple(f.shape)}"
                )
            trace = self._trace(f, xg, create_graph)
            dx, dlogdet = T * f, T * trace
            if self.with_cost:  # transport cost: d/ds of int_0^T 1/2 |f|^2 dt
                dcost = T * 0.5 * sum_except_batch(f**2)
        if not self.with_cost:
            return (dx, dlogdet) if create_graph else (dx.detach(), dlogdet.detach())
        if not create_graph:
            return dx.detach(), dlogdet.detach(), dcost.detach()
        return dx, dlogdet, dcost

    def _trace(self, f: Tensor, x: Tensor, create_graph: bool) -> Tensor:
        if self.noise is not None:
            (vjp,) = torch.autograd.grad(
                f, x, self.noise, create_graph=create_graph, retain_graph=True, allow_unused=True
            )
            if vjp is None:
                return x.new_zeros(x.shape[0])
            return sum_except_batch(vjp * self.noise)
        jac = batched_jacobian(f, x, create_graph)
        if jac is None:
            return x.new_zeros(x.shape[0])
        return jac.diagonal(dim1=1, dim2=2).sum(-1)


class ODEBijection(Bijection):
    r"""The time-:math:`T` flow map of the neural ODE :math:`dx/dt = f(t, x)` (a continuous flow).

    - forward: :math:`z = x(T)`, solving :math:`dx/dt = f(t, x)` from :math:`x(0) = x`;
    - inverse: :math:`x = x(0)`, solving the same ODE backwards from :math:`x(T) = z`;
    - log-det: :math:`\log|\det \partial z / \partial x|
      = \int_0^T \operatorname{tr}\bigl(\partial f / \partial x\,(t, x(t))\bigr)\, dt`
      (instantaneous change of variables), integrated jointly with the state (the augmented
      state :math:`(x, L)`).

    The trace is ``'exact'`` (one batched backward pass per event dimension, vectorized with
    ``is_grads_batched``: for small events) or ``'hutchinson'`` (FFJORD:
    :math:`\epsilon^\top (\partial f / \partial x)\, \epsilon` with one noise :math:`\epsilon` per
    example, drawn once per solve, so the log-det is an unbiased estimate when the solver is
    exact). The ODE is solved on :math:`s \in [0, 1]` with :math:`dx/ds = T f(sT, x)`, so
    :math:`T` (learnable with ``train_T``) is an ordinary parameter and fixed-step sizes in
    ``options`` are fractions of ``T``. Gradients flow by direct backpropagation through the solver,
    or with ``adjoint=True`` by the adjoint method (memory independent of the number of steps).
    Inverse and log-det are exact up to the solver tolerances (``rtol``, ``atol``).

    For an augmented neural ODE (Dupont et al., 2019) in a density model, pad with noise rather
    than zeros (a zero padding has no density): compose with
    :class:`~survae.transforms.surjections.augment.Augment`, e.g.
    ``SequentialTransform([Augment(StandardNormal((a,)), x_size=d), ODEBijection(ODENet(d + a,
    [64]))])``, whose likelihood is a lower bound (augmented flows, Huang et al., 2020).

    Requires the optional dependency ``torchdiffeq`` (``pip install 'survae[ode]'``), imported
    at the first solve.

    Args:
        dynamics: the network ``f(t, x)`` (called with a 0-dim time tensor and the batch),
            mapping each example independently to the same shape, e.g.
            :class:`~survae.nn.nets.ODENet`.
        T: integration time (:math:`T > 0`).
        train_T: whether :math:`T` is learned (parametrized by :math:`\log T`).
        trace: ``'exact'`` or ``'hutchinson'``.
        noise: Hutchinson noise, ``'gaussian'`` or ``'rademacher'``.
        method: torchdiffeq solver, e.g. ``'dopri5'`` (adaptive) or ``'rk4'`` (fixed step).
        rtol: relative tolerance of adaptive solvers.
        atol: absolute tolerance of adaptive solvers.
        options: extra solver options, e.g. ``{'step_size': 0.05}`` for fixed-step methods.
        adjoint: use the adjoint method for gradients.
        track_transport_cost: also integrate the kinetic energy
            :math:`\int_0^T \tfrac12 \|f(t, x(t))\|^2\, dt`
            along each forward trajectory (the transport cost of OT-Flow and RNODE) and keep it
            in ``transport_cost`` (shape ``(batch,)``, set by every ``forward``), to add to the
            loss as a regulariser.

    Example:
        >>> import torch
        >>> from survae.nn.nets.odenet import ODENet
        >>> layer = ODEBijection(ODENet(2, [8]), rtol=1e-8, atol=1e-8).double()
        >>> x = torch.randn(4, 2, dtype=torch.float64)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x, atol=1e-6), ldj.shape
        (True, torch.Size([4]))

    References: Chen et al., 2018 (Neural ODEs); Grathwohl et al., 2019 (FFJORD).
    """

    recompute_by_inverse = False  # iterative inverse: memory saving keeps the input

    def __init__(
        self,
        dynamics: nn.Module,
        T: float = 1.0,
        train_T: bool = False,
        trace: str = "exact",
        noise: str = "gaussian",
        method: str = "dopri5",
        rtol: float = 1e-5,
        atol: float = 1e-5,
        options: dict | None = None,
        adjoint: bool = False,
        track_transport_cost: bool = False,
    ):
        super().__init__()
        if not T > 0:
            raise ValueError(f"ODEBijection: T must be positive, got {T}")
        if trace not in TRACES:
            raise ValueError(f"ODEBijection: trace must be one of {TRACES}, got {trace!r}")
        if noise not in NOISES:
            raise ValueError(f"ODEBijection: noise must be one of {NOISES}, got {noise!r}")
        self.dynamics = dynamics
        log_T = torch.tensor(math.log(T))
        if train_T:
            self.log_T = nn.Parameter(log_T)
        else:
            self.register_buffer("log_T", log_T)
        self.train_T = bool(train_T)
        self.trace = trace
        self.noise = noise
        self.method = method
        self.rtol = float(rtol)
        self.atol = float(atol)
        self.options = dict(options) if options else None
        self.adjoint = bool(adjoint)
        self.track_transport_cost = bool(track_transport_cost)
        self.transport_cost: Tensor | None = None

    def __getstate__(self) -> dict:
        # The last transport cost carries an autograd graph: not part of a copy or a pickle.
        state = super().__getstate__() if hasattr(super(), "__getstate__") else self.__dict__
        return {**state, "transport_cost": None}

    @property
    def T(self) -> Tensor:
        r"""The integration time :math:`T = e^{\log T}` (parameter or buffer ``log_T``)."""
        return self.log_T.exp()

    def extra_repr(self) -> str:
        parts = [
            f"T={float(self.T.detach()):.4g}",
            f"trace={self.trace!r}",
            f"method={self.method!r}",
        ]
        if self.options:
            parts.append(f"options={self.options}")
        else:
            parts += [f"rtol={self.rtol:g}", f"atol={self.atol:g}"]
        if self.adjoint:
            parts.append("adjoint=True")
        return ", ".join(parts)

    def _solve(
        self, state: tuple[Tensor, ...], backwards: bool, with_trace: bool
    ) -> tuple[Tensor, ...]:
        """Solve the (augmented) ODE from s = 0 to 1, or backwards; return the final state."""
        torchdiffeq = import_torchdiffeq()
        ref = state[0]
        noise = None
        if with_trace and self.trace == "hutchinson":  # one noise per example, fixed per solve
            if self.noise == "gaussian":
                noise = torch.randn_like(ref)
            else:
                noise = torch.randint_like(ref, 0, 2).mul_(2).sub_(1)
        func = _ODEFunc(self.dynamics, self.log_T, noise, with_trace, with_cost=len(state) == 3)
        s = torch.tensor(
            [1.0, 0.0] if backwards else [0.0, 1.0], dtype=ref.dtype, device=ref.device
        )
        kwargs = dict(rtol=self.rtol, atol=self.atol, method=self.method, options=self.options)
        if self.adjoint:
            params = tuple(p for p in func.parameters() if p.requires_grad)
            out = torchdiffeq.odeint_adjoint(func, state, s, adjoint_params=params, **kwargs)
        else:
            out = torchdiffeq.odeint(func, state, s, **kwargs)
        return tuple(o[-1] for o in out)

    def _check_autograd_available(self) -> None:
        if torch.is_inference_mode_enabled():
            raise RuntimeError(
                f"{self.layer_name}: the log-det needs autograd (the trace of df/dx), which "
                "torch.inference_mode() disables; use torch.no_grad() instead"
            )

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check_autograd_available()
        zeros = x.new_zeros(x.shape[0])
        if not self.track_transport_cost:
            return self._solve((x, zeros), backwards=False, with_trace=True)
        z, ldj, cost = self._solve((x, zeros, zeros), backwards=False, with_trace=True)
        self.transport_cost = cost
        return z, ldj

    def inverse(self, z: Tensor) -> Tensor:
        return self._solve((z,), backwards=True, with_trace=False)[0]

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        # Integrating L' = T tr(J) from s = 1 (L = 0) down to s = 0 gives L(0) = -log|det dz/dx|.
        self._check_autograd_available()
        state = (z, z.new_zeros(z.shape[0]))
        x, neg_logdet = self._solve(state, backwards=True, with_trace=True)
        return x, -neg_logdet
