"""ODENet, the time-dependent dynamics network of continuous flows."""

from __future__ import annotations

import pytest
import torch

from survae.nn.nets.odenet import ODENet


def test_shape_and_time_dependence():
    torch.manual_seed(0)
    f = ODENet(3, [8, 8], activation="softplus").double()
    x = torch.randn(4, 3, dtype=torch.float64)
    out0, out1 = f(torch.tensor(0.0), x), f(1.0, x)
    assert out0.shape == (4, 3) and out0.dtype == torch.float64
    assert not torch.allclose(out0, out1)


def test_time_independent_ignores_t():
    torch.manual_seed(0)
    f = ODENet(2, [8], time_dependent=False)
    x = torch.randn(4, 2)
    assert torch.equal(f(0.0, x), f(5.0, x))


def test_examples_are_independent():
    torch.manual_seed(0)
    f = ODENet(2, [8]).double()
    x = torch.randn(5, 2, dtype=torch.float64)
    torch.testing.assert_close(f(0.3, x)[2:3], f(0.3, x[2:3]))


def test_bad_arguments():
    with pytest.raises(ValueError, match="activation"):
        ODENet(2, [8], activation="relu6")
    with pytest.raises(ValueError, match=r"ODENet.*\(batch, 2\)"):
        ODENet(2, [8])(0.0, torch.randn(4, 3))
