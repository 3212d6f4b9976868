"""PixelCNN and masked convolutions: outputs depend only on earlier values (raster, channels)."""

import pytest
import torch

from survae.nn.layers.autoregressive import MaskedConv2d
from survae.nn.nets import PixelCNN


def _order(c: int, h: int, w: int) -> torch.Tensor:
    """Raster index of every value, channels innermost: (h, w, c) lexicographic."""
    hh, ww, cc = torch.meshgrid(torch.arange(h), torch.arange(w), torch.arange(c), indexing="ij")
    return ((hh * w + ww) * c + cc).permute(2, 0, 1).reshape(-1)


@pytest.mark.parametrize("channels", [1, 3])
def test_pixelcnn_is_autoregressive_in_raster_channel_order(channels):
    torch.manual_seed(0)
    net = PixelCNN(channels, 2, filters=6, num_blocks=2, output_filters=12, kernel_size_in=5)
    net = net.double()
    x = torch.rand(1, channels, 4, 4, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda v: net(v)[0, ..., 0].reshape(-1), x)
    jac = jac.reshape(channels * 16, channels * 16)
    order = _order(channels, 4, 4)
    later_or_same = order.unsqueeze(1) <= order.unsqueeze(0)  # input index >= output index
    assert torch.count_nonzero(jac[later_or_same]) == 0
    earlier = ~later_or_same
    assert torch.count_nonzero(jac[earlier]) > 0.5 * earlier.sum()  # it does use the past


def test_masked_conv_rejects_unknown_mask_type():
    with pytest.raises(ValueError, match="mask_type"):
        MaskedConv2d(1, 2, 3, mask_type="C", data_channels=1)


def test_conditional_pixelcnn_sees_the_whole_context_and_only_the_past_of_x():
    from survae.nn.nets import ConditionalPixelCNN

    torch.manual_seed(0)
    net = ConditionalPixelCNN(1, 1, context_channels=2, filters=4, num_blocks=1,
                              output_filters=8, kernel_size_in=3).double()
    x = torch.rand(1, 1, 3, 3, dtype=torch.float64)
    c = torch.randn(1, 2, 3, 3, dtype=torch.float64)
    jx = torch.autograd.functional.jacobian(lambda v: net(v, c).reshape(-1), x).reshape(9, 9)
    jc = torch.autograd.functional.jacobian(lambda v: net(x, v).reshape(-1), c).reshape(9, 18)
    assert torch.count_nonzero(jx.triu()) == 0  # raster order, one channel
    assert torch.count_nonzero(jc) > 0
    with pytest.raises(ValueError, match="expected a context"):
        net(x, torch.randn(1, 2, 4, 4, dtype=torch.float64))
