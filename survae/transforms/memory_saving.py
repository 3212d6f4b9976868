"""Memory-saving backpropagation through a stack of transforms (reversible-network style).

Standard autograd keeps every layer's intermediate activations (the conditioners' feature maps,
each layer's input) until the backward pass. A bijection does not need them kept: its input can
be rebuilt from its output by the inverse. :func:`memory_saving_forward` runs a stack of layers
without recording a graph and keeps only the stack's output; the backward pass walks the layers
from the last to the first, rebuilds each layer's input from its output, re-runs that one layer
with autograd on and backpropagates through it, so at most one layer's activations live at a
time (the idea of RevNets, Gomez et al. 2017, i-RevNet, Jacobsen et al. 2018, and Glow's
memory-saving gradients, Kingma & Dhariwal 2018).

What each layer keeps so that its input can be rebuilt (:meth:`Transform.memory_saving_state`):

- a bijection with ``recompute_by_inverse`` (exact and cheap inverse: couplings, ActNorm, 1x1
  convolutions, squeezes, permutations, elementwise maps): nothing;
- ``Slice``: only the dropped part ``x_2`` (its input is ``cat(z, x_2)``), which is the data of
  the factored-out latent and has to be kept in any case;
- any other layer with a deterministic ``forward`` (other inference surjections, bijections with
  iterative inverses such as bisection, fixed points or ``D`` autoregressive passes): its input,
  i.e. it is checkpointed rather than inverted;
- layers that sample in ``forward`` (dequantization, ``Augment``, generative surjections) split
  the stack: they run outside it with standard autograd, since a re-run would draw new noise.

Gradients equal standard autograd's up to the rounding of the inverses (float64 tests agree to
1e-10). Requirements: layers and conditioners must be deterministic functions of their input in
training mode (no dropout, no batch statistics), which is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn

Check = Callable[[int, nn.Module, Tensor, Tensor], None]

_STATEFUL = (nn.modules.batchnorm._BatchNorm, nn.modules.dropout._DropoutNd)


def _check_deterministic(owner: str, transforms: Sequence[nn.Module]) -> None:
    for transform in transforms:
        for name, module in transform.named_modules():
            if module.training and isinstance(module, _STATEFUL) and getattr(module, "p", 1) != 0:
                raise ValueError(
                    f"{owner}(memory_saving=True): {transform.layer_name} contains "
                    f"{type(module).__name__} ({name or 'itself'}) in training mode; memory-saving "
                    "backpropagation re-runs layers and needs them deterministic (put it in eval "
                    "mode or use memory_saving=False)"
                )


def _rng_state(x: Tensor) -> tuple[Tensor, Tensor | None]:
    cuda = torch.cuda.get_rng_state(x.device) if x.is_cuda else None
    return torch.get_rng_state(), cuda


def _rerun(transform: nn.Module, z: Tensor, state, rng, input_grad: bool):
    """``transform.memory_saving_rerun``, with the random state of the first run for layers
    that kept their input (a residual flow's stochastic log-det estimator draws the same noise
    again)."""
    if rng is None:
        return transform.memory_saving_rerun(z, state, input_grad)
    with torch.random.fork_rng(devices=[z.device] if z.is_cuda else []):
        torch.set_rng_state(rng[0])
        if rng[1] is not None:
            torch.cuda.set_rng_state(rng[1], z.device)
        return transform.memory_saving_rerun(z, state, input_grad)


def _add(total: Tensor | None, step: Tensor, transform: nn.Module) -> Tensor | None:
    if transform.zero_ldj:
        return total
    return step if total is None else total + step


class _RecomputedStack(torch.autograd.Function):
    """``(z, ldj) = stack(x)`` keeping only ``z`` and each layer's memory-saving state."""

    @staticmethod
    def forward(ctx, transforms, check, x, *params):
        states = []
        ldj = None
        for index, transform in enumerate(transforms):
            state = transform.memory_saving_state(x)
            rng = None if state is None else _rng_state(x)
            z, step = transform(x)
            if check is not None:
                check(index, transform, z, step)
            states.append((state, rng))
            ldj = _add(ldj, step, transform)
            x = z
        if ldj is None:
            ldj = x.new_zeros(x.shape[0])
        ctx.transforms = transforms
        ctx.states = states
        ctx.params = params
        ctx.save_for_backward(x)
        return x, ldj

    @staticmethod
    def backward(ctx, grad_z, grad_ldj):
        (z,) = ctx.saved_tensors
        z = z.detach()
        position = {id(p): i for i, p in enumerate(ctx.params)}
        grads: list[Tensor | None] = [None] * len(ctx.params)
        for index in reversed(range(len(ctx.transforms))):
            transform, (state, rng) = ctx.transforms[index], ctx.states[index]
            ctx.states[index] = None  # free the kept tensor as soon as it is used
            need_x = index > 0 or ctx.needs_input_grad[2]
            layer_params = [p for p in _unique(transform.parameters()) if id(p) in position]
            leaves, x, out, step = _rerun(transform, z, state, rng, need_x)
            with torch.enable_grad():
                outputs, grad_outputs = [], []
                if grad_z is not None and out.requires_grad:
                    outputs.append(out)
                    grad_outputs.append(grad_z)
                if grad_ldj is not None and step.requires_grad and not transform.zero_ldj:
                    outputs.append(step)
                    grad_outputs.append(grad_ldj)
                inputs = leaves + layer_params
                if outputs and inputs:
                    got = torch.autograd.grad(outputs, inputs, grad_outputs, allow_unused=True)
                else:
                    got = [None] * len(inputs)
            if need_x:
                leaf_grads = [torch.zeros_like(leaf) if g is None else g
                              for leaf, g in zip(leaves, got)]
                grad_z = transform.memory_saving_input_grad(leaf_grads)
                got = got[len(leaves):]
            for p, g in zip(layer_params, got):
                if g is not None:
                    i = position[id(p)]
                    grads[i] = g if grads[i] is None else grads[i] + g
            z = x
        ctx.transforms = ctx.states = ctx.params = None
        return None, None, grad_z if ctx.needs_input_grad[2] else None, *grads


def _unique(params) -> list[Tensor]:
    seen, out = set(), []
    for p in params:
        if id(p) not in seen:
            seen.add(id(p))
            out.append(p)
    return out


def memory_saving_forward(
    owner: str, transforms: Sequence[nn.Module], x: Tensor, check: Check | None = None
) -> tuple[Tensor, Tensor | None]:
    """Run ``transforms`` on ``x`` (inference direction) with memory-saving backpropagation.

    Returns ``z`` and the summed contribution of the layers whose ``zero_ldj`` is False (None if
    there is none). Maximal runs of layers with a deterministic ``forward`` go through one
    recomputing autograd node; layers that sample in ``forward`` run with standard autograd in
    between. Without autograd (``torch.no_grad()``, or nothing requiring gradients) this is the
    plain loop. ``check(index, transform, z, ldj)`` is called after every layer.

    Example:
        >>> import torch
        >>> from survae.transforms import ActNormBijection, Reverse
        >>> layers = [ActNormBijection(2), Reverse(2), ActNormBijection(2)]
        >>> x = torch.randn(8, 2)
        >>> z, ldj = memory_saving_forward("example", layers, x)
        >>> ldj.sum().backward()
        >>> layers[0].log_scale.grad.shape
        torch.Size([1, 2])
    """
    transforms = list(transforms)
    params = _unique(p for t in transforms for p in t.parameters() if p.requires_grad)
    if not torch.is_grad_enabled() or not (params or x.requires_grad):
        ldj = None
        for index, transform in enumerate(transforms):
            x, step = transform(x)
            if check is not None:
                check(index, transform, x, step)
            ldj = _add(ldj, step, transform)
        return x, ldj
    _check_deterministic(owner, transforms)
    ldj = None
    start = 0
    while start < len(transforms):
        stop = start
        while stop < len(transforms) and not transforms[stop].stochastic_forward:
            stop += 1
        if stop > start:
            run = transforms[start:stop]
            run_params = _unique(p for t in run for p in t.parameters() if p.requires_grad)
            offset_check = None
            if check is not None:
                def offset_check(i, t, z, s, _offset=start):
                    check(i + _offset, t, z, s)
            x, step = _RecomputedStack.apply(run, offset_check, x, *run_params)
            if not all(t.zero_ldj for t in run):
                ldj = step if ldj is None else ldj + step
            start = stop
        else:
            transform = transforms[start]
            x, step = transform(x)
            if check is not None:
                check(start, transform, x, step)
            ldj = _add(ldj, step, transform)
            start += 1
    return x, ldj
