"""The image model zoo: shapes, bounds, sampling, and the like-for-like MaxPoolFlow baseline."""

import math

import pytest
import torch

from survae.models.images import IMAGE_MODELS, build_image_model

SMALL = {"hidden": 8}


@pytest.mark.parametrize("name", sorted(IMAGE_MODELS))
@pytest.mark.parametrize("shape", [(1, 8, 8), (3, 8, 8)])
def test_models_give_a_bound_and_integer_samples(name, shape):
    torch.manual_seed(0)
    model = build_image_model(name, shape, **SMALL)
    x = torch.randint(0, 256, (4, *shape))
    log_prob = model.log_prob(x)
    assert log_prob.shape == (4,) and torch.isfinite(log_prob).all()
    # a dequantized model's bound can't beat the uniform data distribution by much at init:
    bpd = -log_prob.mean().item() / (math.prod(shape) * math.log(2))
    assert 6.0 < bpd < 12.0
    log_prob.mean().backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
    with torch.no_grad():
        samples = model.sample(3)
    assert samples.shape == (3, *shape) and samples.dtype == torch.int64
    assert samples.min() >= 0 and samples.max() <= 255
    assert model.lower_bound  # dequantization: a bound on the discrete likelihood


def test_maxpool_and_baseline_share_the_latent_shape():
    maxpool = build_image_model("maxpool", (3, 16, 16), num_scales=3, steps=1, **SMALL)
    baseline = build_image_model("baseline", (3, 16, 16), num_scales=3, steps=1, **SMALL)
    assert maxpool.base_dist.shape == baseline.base_dist.shape == torch.Size((12, 2, 2))
    kinds = {type(t).__name__ for t in maxpool.transforms}
    assert "SimpleMaxPoolSurjection2d" in kinds and "Slice" not in kinds
    assert "Slice" in {type(t).__name__ for t in baseline.transforms}
    learned = build_image_model("maxpool-learned", (3, 16, 16), num_scales=3, steps=1, **SMALL)
    assert learned.base_dist.shape == maxpool.base_dist.shape
    assert "MaxPoolSurjection2d" in {type(t).__name__ for t in learned.transforms}


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="unknown image model 'pixelcnn'"):
        build_image_model("pixelcnn", (1, 8, 8))
    with pytest.raises(TypeError, match=r"realnvp: unknown settings \['steps'\]"):
        build_image_model("realnvp", (1, 8, 8), steps=3)
    with pytest.raises(ValueError, match="divisible by 2\\*\\*3"):
        build_image_model("glow", (1, 8, 12), num_levels=3)
