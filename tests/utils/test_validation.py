"""Input validation: metadata checks always on, value checks behind a flag."""

from __future__ import annotations

import pytest
import torch

import survae
from survae.utils.validation import (
    check_event_shape,
    check_size,
    check_tensor,
    is_validating,
    set_validate_args,
)


def test_metadata_checks_name_the_owner():
    with pytest.raises(ValueError, match="Layer: expected input to be a torch.Tensor"):
        check_tensor("Layer", [1.0, 2.0])
    with pytest.raises(ValueError, match="Layer: expected a floating-point input"):
        check_tensor("Layer", torch.ones(2, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="batch dimension"):
        check_tensor("Layer", torch.ones(3))
    with pytest.raises(
        ValueError, match=r"Layer: expected input with 4 features along dim 1, got shape \(8, 2\)"
    ):
        check_size("Layer", torch.ones(8, 2), 1, 4)
    with pytest.raises(ValueError, match=r"\(batch, 3, 2\)"):
        check_event_shape("Dist", torch.ones(5, 2, 3), (3, 2))


def test_value_checks_only_when_enabled():
    x = torch.tensor([[float("nan"), 0.0]])
    check_tensor("Layer", x)  # off by default: no host sync
    assert not is_validating()
    with survae.validate_args():
        assert is_validating()
        with pytest.raises(ValueError, match="NaN"):
            check_tensor("Layer", x)
    assert not is_validating()
    set_validate_args(True)
    try:
        with pytest.raises(ValueError, match="inf"):
            check_tensor("Layer", torch.tensor([[float("inf")]]))
    finally:
        set_validate_args(False)
