"""The transform base class: torch's shape and dtype errors named by the layer, in both
directions, and ``survae.validate_args()`` checking ``inverse`` inputs too (issue 17)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import survae
from survae.distributions import ConditionalNormal, StandardNormal
from survae.flows import Flow
from survae.nn.layers import ElementwiseParams
from survae.nn.nets import MLP
from survae.transforms import VAE, ActNormBijection, AffineCouplingBijection, Conv1x1, Reverse
from survae.utils.validation import LayerInputError

COUPLING = r"AffineCouplingBijection\(split_dim=1, num_condition=None\)"


def _coupling() -> AffineCouplingBijection:
    torch.manual_seed(0)
    return AffineCouplingBijection(
        nn.Sequential(MLP(1, 2, hidden_units=[8], activation="relu"), ElementwiseParams(2)))


def _vae() -> VAE:
    return VAE(encoder=ConditionalNormal(nn.Linear(4, 4)),
               decoder=ConditionalNormal(nn.Linear(2, 8)))


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: _coupling()(torch.randn(4, 3)),
         COUPLING + r": input of shape \(4, 3\) and dtype torch.float32 does not fit"),
        (lambda: _coupling().inverse(torch.randn(4, 3)),
         COUPLING + r": inverse input of shape \(4, 3\)"),
        (lambda: _coupling()(torch.randn(4, 2, dtype=torch.float64)),
         COUPLING + r": .*dtype torch.float64 .*\(its parameters are torch.float32\)"),
        (lambda: _coupling().inverse(torch.zeros(4, 2, dtype=torch.long)),
         COUPLING + r": inverse input .*dtype torch.int64"),
        (lambda: _vae()(torch.randn(5, 3)), r"VAE\(\): input of shape \(5, 3\)"),
        (lambda: _vae().inverse(torch.randn(5, 3)), r"VAE\(\): inverse input of shape \(5, 3\)"),
        (lambda: _vae()(torch.randn(5, 4, dtype=torch.float64)),
         r"VAE\(\): .*its parameters are torch.float32"),
        (lambda: Conv1x1(3)(torch.randn(2, 3, 4, 4, dtype=torch.float64)),
         r"Conv1x1\(num_channels=3\): .*its parameters are torch.float32"),
        (lambda: Flow(StandardNormal((2,)), [_coupling(), Reverse(2)]).log_prob(torch.randn(4, 3)),
         COUPLING + r": input of shape \(4, 3\)"),
        (lambda: ActNormBijection(2).inverse(torch.randn(4, 3)),
         r"ActNormBijection\(num_features=2\): expected input with 2 features"),
        (lambda: _coupling().inverse("z"), COUPLING + r": expected inverse input to be a torch"),
    ],
    ids=["coupling-features", "coupling-inverse-features", "coupling-dtype",
         "coupling-inverse-dtype", "vae-features", "vae-inverse-features", "vae-dtype",
         "conv1x1-dtype", "flow-names-the-inner-layer", "actnorm-inverse-shape",
         "inverse-not-a-tensor"],
)
def test_input_errors_name_the_layer(call, expected):
    with pytest.raises(ValueError, match=expected):
        call()


def test_layer_input_error_is_still_torch_s_runtime_error():
    with pytest.raises(RuntimeError) as caught:
        _coupling()(torch.randn(4, 3))
    assert isinstance(caught.value, LayerInputError)
    assert isinstance(caught.value.__cause__, RuntimeError)  # torch's own message is kept


def test_validate_args_checks_inverse_inputs():
    layer, nan = ActNormBijection(2), torch.full((4, 2), float("nan"))
    assert layer.inverse(nan).isnan().all()  # off: no host sync, no check
    with survae.validate_args():
        with pytest.raises(ValueError, match=r"ActNormBijection\(num_features=2\): inverse input "
                                             "contains NaN"):
            layer.inverse(nan)
        with pytest.raises(ValueError, match=COUPLING + ": inverse input contains NaN"):
            _coupling().inverse(nan)
