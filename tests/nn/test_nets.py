"""MLP, DenseNet (and blocks), ResNet and ConvNet: shapes, README arguments, zero init."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from survae.nn.blocks import DenseBlock, DenseLayer, GatedConv2d, ResidualBlock, ResidualDenseBlock
from survae.nn.layers import ElementwiseParams2d, LambdaLayer
from survae.nn.nets import MLP, ConvNet, DenseNet, ResNet
from survae.nn.nets.matching import DenseNet as MatchingDenseNet


def test_mlp_readme_encoder_and_decoder():
    latent_size = 4
    encoder = MLP(
        784,
        2 * latent_size,
        hidden_units=[512, 256],
        activation="relu",
        in_lambda=lambda x: 2 * x.view(x.shape[0], 784).float() - 1,
    )
    decoder = MLP(
        latent_size,
        784,
        hidden_units=[512, 256],
        activation="relu",
        out_lambda=lambda x: x.view(x.shape[0], 1, 28, 28),
    )
    x = torch.randint(0, 2, (3, 1, 28, 28))
    h = encoder(x)
    assert h.shape == (3, 2 * latent_size)
    assert decoder(h[:, :latent_size]).shape == (3, 1, 28, 28)
    linears = [m for m in encoder if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(784, 512), (512, 256), (256, 8)]
    assert isinstance(encoder[0], LambdaLayer) and isinstance(decoder[-1], LambdaLayer)


def test_mlp_layout_matches_official():
    net = MLP(3, 2, hidden_units=[5, 7], activation="elu")
    assert [type(m).__name__ for m in net] == ["Linear", "ELU", "Linear", "ELU", "Linear"]


def test_mlp_concat_activation_and_no_hidden():
    net = MLP(3, 2, hidden_units=[5], activation="concat_relu")
    assert net[2].in_features == 10
    assert net(torch.randn(4, 3)).shape == (4, 2)
    assert MLP(3, 2, hidden_units=[])(torch.randn(4, 3)).shape == (4, 2)


def test_mlp_float64():
    net = MLP(3, 2, hidden_units=[4]).double()
    assert net(torch.randn(2, 3, dtype=torch.float64)).dtype == torch.float64


def test_densenet_readme_arguments():
    channels = 6
    net = nn.Sequential(
        DenseNet(
            in_channels=channels // 2,
            out_channels=channels,
            num_blocks=1,
            mid_channels=64,
            depth=8,
            growth=16,
            dropout=0.0,
            gated_conv=True,
            zero_init=True,
        ),
        ElementwiseParams2d(2),
    )
    out = net(torch.randn(2, channels // 2, 8, 8))
    assert out.shape == (2, channels // 2, 8, 8, 2)
    assert torch.count_nonzero(out) == 0  # zero_init: the coupling starts as identity
    assert MatchingDenseNet is DenseNet


def test_densenet_without_zero_init_is_nonzero_and_trains():
    torch.manual_seed(0)
    net = DenseNet(3, 6, num_blocks=2, mid_channels=8, depth=2, growth=4, dropout=0.1)
    out = net(torch.randn(2, 3, 5, 5))
    assert out.shape == (2, 6, 5, 5) and torch.count_nonzero(out) > 0
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())


def test_zero_init_densenet_still_gets_gradients_on_last_layer():
    net = DenseNet(
        3, 6, num_blocks=1, mid_channels=8, depth=1, growth=4, dropout=0.0, zero_init=True
    )
    net(torch.randn(2, 3, 5, 5)).pow(2).add(net(torch.randn(2, 3, 5, 5))).sum().backward()
    assert net[-1].weight.grad.abs().sum() > 0


def test_dense_blocks():
    x = torch.randn(2, 4, 5, 5)
    assert DenseLayer(4, growth=3, dropout=0.0)(x).shape == (2, 7, 5, 5)
    assert GatedConv2d(4, 2, kernel_size=3, padding=1)(x).shape == (2, 2, 5, 5)
    block = DenseBlock(4, 3, depth=2, growth=2, gated_conv=False, zero_init=True)
    assert torch.count_nonzero(block(x)) == 0
    gated = DenseBlock(4, 3, depth=2, growth=2, gated_conv=True, zero_init=True)
    assert torch.count_nonzero(gated(x)) == 0
    assert torch.equal(ResidualDenseBlock(4, 4, depth=1, growth=2, zero_init=True)(x), x)
    with pytest.raises(ValueError, match="ResidualDenseBlock"):
        ResidualDenseBlock(4, 3, depth=1, growth=2)


@pytest.mark.parametrize("activation", ["relu", "concat_elu"])
def test_resnet_and_convnet_shapes_and_zero_init(activation):
    x = torch.randn(2, 3, 6, 6, dtype=torch.float64)
    for make in (
        lambda z: ResNet(3, 4, mid_channels=8, num_blocks=2, activation=activation, zero_init=z),
        lambda z: ConvNet(3, 4, mid_channels=8, num_layers=2, activation=activation, zero_init=z),
    ):
        torch.manual_seed(0)
        net = make(False).double()
        out = net(x)
        assert out.shape == (2, 4, 6, 6) and torch.count_nonzero(out) > 0
        assert torch.count_nonzero(make(True).double()(x)) == 0


def test_residual_block_and_convnet_errors():
    assert ResidualBlock(4)(torch.zeros(1, 4, 3, 3)).shape == (1, 4, 3, 3)
    with pytest.raises(ValueError, match="kernel_size"):
        ConvNet(3, 4, mid_channels=8, kernel_size=2)
