"""ActNorm: data-dependent init happens once, leaves no autograd history, survives state_dict."""

from __future__ import annotations

import pytest
import torch

from survae.transforms import ActNormBijection, ActNormBijection1d, ActNormBijection2d


def _data(*shape):
    torch.manual_seed(0)
    return 3.0 + 2.0 * torch.randn(*shape, dtype=torch.float64)


@pytest.mark.parametrize(
    "layer, shape, dims",
    [
        (ActNormBijection(3), (64, 3), (0,)),
        (ActNormBijection1d(3), (16, 3, 5), (0, 2)),
        (ActNormBijection2d(3), (8, 3, 4, 4), (0, 2, 3)),
    ],
    ids=["vector", "1d", "2d"],
)
def test_first_training_forward_standardizes_with_official_convention(layer, shape, dims):
    layer = layer.double()
    x = _data(*shape)
    z, ldj = layer(x)
    torch.testing.assert_close(
        z.mean(dims), torch.zeros(3, dtype=torch.float64), atol=1e-10, rtol=0
    )
    torch.testing.assert_close(
        z.std(dims, unbiased=False), torch.ones(3, dtype=torch.float64), atol=1e-5, rtol=0
    )
    # Official parametrization: shift/log_scale are the data's mean and log std.
    std = x.std(dims, keepdim=True, unbiased=False)
    torch.testing.assert_close(layer.log_scale.data, torch.log(std + layer.eps))
    positions = x[0, 0].numel()
    torch.testing.assert_close(ldj, (-positions * layer.log_scale.sum()).expand(shape[0]))
    assert bool(layer.initialized) and layer.initialized.shape == (1,)


def test_init_happens_once_and_keeps_no_autograd_history():
    layer = ActNormBijection2d(2).double()
    x = _data(8, 2, 3, 3).requires_grad_()
    layer(x)
    shift, log_scale = layer.shift.detach().clone(), layer.log_scale.detach().clone()
    assert layer.shift.is_leaf and layer.shift.grad_fn is None
    assert layer.log_scale.is_leaf and layer.log_scale.grad_fn is None
    layer(10.0 * _data(8, 2, 3, 3))  # a second training batch must not re-initialize
    torch.testing.assert_close(layer.shift.data, shift, atol=0, rtol=0)
    torch.testing.assert_close(layer.log_scale.data, log_scale, atol=0, rtol=0)
    z, ldj = layer(x)
    (z.sum() + ldj.sum()).backward()
    assert layer.shift.grad is not None and layer.log_scale.grad is not None
    assert x.grad is not None


def test_eval_mode_and_data_dep_init_false_do_not_initialize():
    layer = ActNormBijection(2).double().eval()
    layer(_data(16, 2))
    assert not bool(layer.initialized)
    assert torch.equal(layer.shift.data, torch.zeros(1, 2, dtype=torch.float64))
    fixed = ActNormBijection(2, data_dep_init=False).double()
    fixed(_data(16, 2))
    assert bool(fixed.initialized)
    assert torch.equal(fixed.log_scale.data, torch.zeros(1, 2, dtype=torch.float64))


def test_loaded_model_is_not_initialized_again():
    trained = ActNormBijection2d(3).double()
    trained(_data(8, 3, 2, 2))
    state = trained.state_dict()
    assert set(state) == {"shift", "log_scale", "initialized"}
    fresh = ActNormBijection2d(3).double()
    fresh.load_state_dict(state)
    fresh.train()
    x = 100.0 + _data(8, 3, 2, 2)
    z, ldj = fresh(x)
    torch.testing.assert_close(fresh.shift.data, trained.shift.data, atol=0, rtol=0)
    torch.testing.assert_close(z, trained(x)[0], atol=0, rtol=0)


def test_initialized_set_by_hand_is_respected():
    layer = ActNormBijection(2).double()
    layer.initialized.fill_(1.0)
    z, _ = layer(_data(4, 2))
    torch.testing.assert_close(z, _data(4, 2), atol=0, rtol=0)  # identity: never initialized


def test_single_example_batch_does_not_blow_up():
    layer = ActNormBijection(3).double()
    z, ldj = layer(_data(1, 3))
    assert torch.isfinite(z).all() and torch.isfinite(ldj).all()


@pytest.mark.parametrize(
    "layer, bad",
    [
        (ActNormBijection(3), torch.zeros(2, 4)),
        (ActNormBijection1d(3), torch.zeros(2, 3)),
        (ActNormBijection2d(3), torch.zeros(2, 2, 4, 4)),
    ],
)
def test_bad_shape_error_names_the_layer(layer, bad):
    with pytest.raises(ValueError, match=rf"{type(layer).__name__}\(num_features=3\)"):
        layer(bad)


@pytest.mark.parametrize(
    "batch, why",
    [(torch.zeros(0, 2), "non-empty batch"),
     (torch.tensor([[0.0, 1.0], [float("nan"), 2.0], [1.0, 3.0]]), "finite values"),
     (torch.tensor([[0.0, float("inf")], [1.0, 2.0]]), "finite values")],
    ids=["empty", "nan", "inf"],
)
def test_initialization_refuses_a_bad_batch_and_stays_uninitialized(batch, why):
    """An empty or non-finite first batch would make shift/scale NaN forever (issue 17)."""
    layer = ActNormBijection(2)
    with pytest.raises(ValueError, match=rf"ActNormBijection\(num_features=2\): .*{why}"):
        layer(batch)
    assert float(layer.initialized) == 0.0
    assert torch.equal(layer.shift.data, torch.zeros(1, 2))
    assert torch.equal(layer.log_scale.data, torch.zeros(1, 2))
    z, _ = layer(3 + 2 * torch.randn(256, 2))  # a good batch then initializes it
    assert float(layer.initialized) == 1.0 and bool(z.mean(0).abs().max() < 1e-5)
