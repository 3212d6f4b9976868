"""Batch-norm bijection: running statistics without autograd history, exact eval mode."""

from __future__ import annotations

import torch

from survae.transforms import BatchNormBijection


def test_batchnorm_running_statistics_have_no_graph_and_eval_is_exact():
    layer = BatchNormBijection(2)
    x = (3 + 2 * torch.randn(256, 2)).requires_grad_()
    z, _ = layer(x)
    assert layer.running_mean.grad_fn is None and layer.running_var.grad_fn is None
    assert z.mean(0).abs().max() < 1e-5  # train mode: batch statistics
    layer.eval()
    z_eval, _ = layer(x.detach())
    torch.testing.assert_close(layer.inverse(z_eval), x.detach(), atol=1e-5, rtol=0)
