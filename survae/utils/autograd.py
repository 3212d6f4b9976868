"""Autograd helpers shared by layers whose log-det needs derivatives of a network."""

from __future__ import annotations

import torch
from torch import Tensor


def batched_jacobian(f: Tensor, x: Tensor, create_graph: bool = False) -> Tensor | None:
    """The per-example Jacobians ``J[b, i, j] = d f_b,i / d x_b,j`` of an ``f`` computed from
    ``x`` example by example (events flattened): one batched backward pass per event dimension
    (``is_grads_batched``), for small events. None when ``f`` does not depend on ``x``.

    Example:
        >>> import torch
        >>> x = torch.randn(3, 2, requires_grad=True)
        >>> jac = batched_jacobian(x * torch.tensor([2.0, 3.0]), x)
        >>> jac[0].tolist()
        [[2.0, 0.0], [0.0, 3.0]]
    """
    batch, dim = x.shape[0], x[0].numel()
    eye = torch.eye(dim, dtype=x.dtype, device=x.device)
    basis = eye.reshape(dim, 1, *x.shape[1:]).expand(dim, *x.shape).contiguous()
    (rows,) = torch.autograd.grad(f, x, basis, create_graph=create_graph, retain_graph=True,
                                  is_grads_batched=True, allow_unused=True)
    if rows is None:
        return None
    return rows.reshape(dim, batch, dim).transpose(0, 1)  # rows[i, b] = d f_b,i / d x_b
