"""OT-Flow: a continuous flow moved by the gradient of a potential, with a transport cost."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.continuous import ODEBijection


class PotentialDynamics(nn.Module):
    r"""Dynamics :math:`f(t, x) = -\nabla_x \Phi(x, t)` of a scalar potential network.

    ``potential`` maps ``(batch, D + 1)`` (:math:`x` and the time :math:`t`) to ``(batch,)`` or
    ``(batch, 1)``, plus the quadratic term :math:`\tfrac12 x^\top A x` of OT-Flow
    (:math:`A = L L^\top`, :math:`L` a learned :math:`D \times r` matrix, zero at the start).
    The potential must be twice differentiable
    with a non-zero Hessian: use smooth activations (tanh, softplus); with ReLU the Hessian is
    zero almost everywhere, so the flow would preserve volume.

    Args:
        potential: the network :math:`\Phi`.
        num_features: :math:`D`.
        rank: :math:`r`, the rank of the quadratic term (0 for none).

    Example:
        >>> import torch
        >>> net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
        >>> PotentialDynamics(net, 2)(torch.tensor(0.0), torch.randn(4, 2)).shape
        torch.Size([4, 2])
    """

    def __init__(self, potential: nn.Module, num_features: int, rank: int = 2):
        super().__init__()
        self.potential = potential
        self.num_features = int(num_features)
        self.quadratic = nn.Parameter(torch.zeros(num_features, rank))

    def energy(self, t: Tensor, x: Tensor) -> Tensor:
        r""":math:`\Phi(x, t)`, shape ``(batch,)``."""
        time = t.to(x.dtype).reshape(1, 1).expand(x.shape[0], 1)
        phi = self.potential(torch.cat([x, time], dim=1)).reshape(x.shape[0])
        return phi + 0.5 * ((x @ self.quadratic) ** 2).sum(1)

    def forward(self, t: Tensor, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.num_features:
            raise ValueError(
                f"PotentialDynamics: expected states of shape (batch, {self.num_features}), "
                f"got {tuple(x.shape)}"
            )
        with torch.enable_grad():
            xg = x if x.requires_grad else x.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(self.energy(t, xg).sum(), xg, create_graph=True)
        return -grad


class OTFlowBijection(ODEBijection):
    r"""OT-Flow: the flow map of :math:`dx/dt = -\nabla \Phi(x, t)`, with its transport cost.

    - forward: :math:`z = x(T)` from :math:`x(0) = x` (data to latent); inverse: solve backwards;
    - log-det: :math:`\log|\det \partial z / \partial x|
      = -\int_0^T \operatorname{tr}\bigl(\nabla^2 \Phi(x(t), t)\bigr)\, dt`, the trace of the
      Hessian computed exactly (one batched backward pass per dimension: low dimensions);
    - transport cost: :math:`C(x) = \int_0^T \tfrac12 \|\nabla \Phi(x(t), t)\|^2\, dt`, kept in
      ``transport_cost`` after every ``forward`` (shape ``(batch,)``).

    Training minimises :math:`-\log p(x) + \alpha C(x)`: the kinetic energy picks, among the flows
    that fit the data, the one closest to the optimal transport map (straight trajectories,
    cheap to solve). Moving along the gradient of a potential is what optimal transport maps do
    (Brenier), so the dynamics are restricted to that family. OT-Flow's other regulariser (the
    Hamilton-Jacobi-Bellman residual) and its closed-form trace for its ResNet potential are not
    reproduced: the trace here comes from autograd, exact for any potential. Runs on the machinery
    of :class:`ODEBijection` (``torchdiffeq``).

    Args:
        potential: the network :math:`\Phi(x, t)`, ``(batch, D + 1) -> (batch,)`` or
            ``(batch, 1)``.
        num_features: :math:`D`.
        rank: rank of OT-Flow's quadratic term :math:`\tfrac12 x^\top A x` in the potential.
        T: integration time.
        **kwargs: solver options of :class:`ODEBijection` (``method``, ``rtol``, ``atol``,
            ``options``, ``adjoint``, ``train_T``).

    Example:
        >>> import torch
        >>> net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
        >>> flow = OTFlowBijection(net, 2, method="rk4", options={"step_size": 0.1}).double()
        >>> x = torch.randn(4, 2, dtype=torch.float64)
        >>> z, ldj = flow(x)
        >>> torch.allclose(flow.inverse(z), x, atol=1e-6), flow.transport_cost.shape
        (True, torch.Size([4]))

    References: Onken et al., 2021 (OT-Flow); Finlay et al., 2020 (RNODE); Chen et al., 2018.
    """

    def __init__(self, potential: nn.Module, num_features: int, rank: int = 2, T: float = 1.0,
                 **kwargs):
        super().__init__(PotentialDynamics(potential, num_features, rank), T=T, trace="exact",
                         track_transport_cost=True, **kwargs)
