"""LogSpacingsBijection beyond the harness: ties of floating-point inputs."""

import pytest
import torch

from survae.transforms import LogSpacingsBijection
from survae.utils.validation import validate_args


def test_a_tie_gets_the_spacing_of_the_inputs_resolution_not_log_zero():
    layer = LogSpacingsBijection()
    x = torch.tensor([[[0.5, 2.0, 2.0, 3.0], [1.0, 0.0, 4.0, 2.0]]])  # feature 0 ties at 2.0
    with validate_args():
        z, ldj = layer(x)
    resolution = 2.0 * torch.finfo(torch.float32).eps
    assert torch.isfinite(z).all() and torch.isfinite(ldj).all()
    assert z[0, 0, 2] == torch.log(torch.tensor(resolution))
    torch.testing.assert_close(ldj, -torch.log(torch.tensor([1.5 * resolution * 1.0])))
    torch.testing.assert_close(layer.inverse(z), x, atol=4 * resolution, rtol=0)
    at_zero = torch.zeros(1, 1, 3)  # ties at 0: at least the smallest normal number
    assert torch.isfinite(layer(at_zero)[0]).all()


def test_unsorted_input_still_fails():
    layer = LogSpacingsBijection()
    x = torch.tensor([[[2.0, 1.0, 3.0]]])
    assert torch.isnan(layer(x)[0][0, 0, 1])
    with validate_args(), pytest.raises(ValueError, match="must not decrease"):
        layer(x)
