"""survae.data.transforms: Quantize inverts ToTensor for every byte; the binarizations."""

import numpy as np
import pytest
import torch

from survae.data.transforms import DynamicBinarize, Flatten, Quantize, StaticBinarize


@pytest.mark.parametrize("num_bits", [1, 5, 8])
def test_quantize_every_byte(num_bits):
    from torchvision.transforms import ToTensor

    image = np.arange(256, dtype=np.uint8).reshape(16, 16)
    out = Quantize(num_bits)(ToTensor()(image))
    assert out.dtype == torch.int64 and out.shape == (1, 16, 16)
    assert torch.equal(out[0], torch.from_numpy(image.astype(np.int64)) // 2 ** (8 - num_bits))
    with pytest.raises(ValueError, match="num_bits"):
        Quantize(9)


def test_binarize_and_flatten():
    x = torch.tensor([[[0.0, 0.49], [0.51, 1.0]]])
    assert torch.equal(StaticBinarize()(x), torch.tensor([[[0, 0], [1, 1]]]))
    torch.manual_seed(0)
    draws = torch.stack([DynamicBinarize()(torch.full((1000,), 0.3)) for _ in range(4)])
    assert draws.dtype == torch.int64 and abs(draws.float().mean().item() - 0.3) < 0.03
    assert not torch.equal(draws[0], draws[1])  # drawn afresh at every call
    assert Flatten()(x).shape == (4,)
