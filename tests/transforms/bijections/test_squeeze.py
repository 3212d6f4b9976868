"""Squeeze2d / Unsqueeze2d: the official channel orderings, module paths and shape errors."""

from __future__ import annotations

import pytest
import torch

from survae.transforms import Reshape, Squeeze2d, Unsqueeze2d


def _expected(x: torch.Tensor, f: int, ordered: bool) -> torch.Tensor:
    """Squeeze by explicit indexing: sub-pixel ``(i, j)`` of channel ``c`` goes to channel
    ``c f^2 + i f + j`` (default) or ``(i f + j) C + c`` (ordered)."""
    b, c, h, w = x.shape
    out = torch.empty(b, c * f * f, h // f, w // f, dtype=x.dtype)
    for ch in range(c):
        for i in range(f):
            for j in range(f):
                k = (i * f + j) * c + ch if ordered else ch * f * f + i * f + j
                out[:, k] = x[:, ch, i::f, j::f]
    return out


@pytest.mark.parametrize("ordered", [False, True])
@pytest.mark.parametrize("factor", [2, 3])
def test_channel_ordering_matches_the_official_layout(factor, ordered):
    x = torch.arange(2 * 3 * 6 * 6, dtype=torch.float64).view(2, 3, 6, 6)
    z, ldj = Squeeze2d(factor, ordered=ordered)(x)
    torch.testing.assert_close(z, _expected(x, factor, ordered), atol=0, rtol=0)
    assert torch.equal(ldj, torch.zeros(2, dtype=torch.float64))
    back, _ = Unsqueeze2d(factor, ordered=ordered)(z)
    torch.testing.assert_close(back, x, atol=0, rtol=0)


def test_official_module_paths():
    from survae.transforms.bijections.squeeze import Squeeze2d as S
    from survae.transforms.bijections.unsqueeze import Unsqueeze2d as U

    assert S is Squeeze2d and U is Unsqueeze2d


def test_shape_errors_name_the_layer():
    with pytest.raises(ValueError, match=r"Squeeze2d\(factor=2, ordered=False\).*divisible by 2"):
        Squeeze2d()(torch.zeros(1, 3, 5, 4))
    with pytest.raises(ValueError, match=r"Unsqueeze2d\(factor=2, ordered=False\).*C divisible"):
        Unsqueeze2d()(torch.zeros(1, 6, 2, 2))
    with pytest.raises(ValueError, match="factor must be an integer > 1"):
        Squeeze2d(1)
    with pytest.raises(ValueError, match=r"Reshape\(input_shape=\(2, 3\).*\(batch, 2, 3\)"):
        Reshape((2, 3), (6,))(torch.zeros(4, 3, 2))
