"""The compiled training step equals the eager one for every model family the CLI builds, and a
failed compilation falls back to eager with one line saying why."""

from __future__ import annotations

import copy

import pytest
import torch
from torch.utils.data import TensorDataset

from survae.experiments.compiled_step import CompiledStep
from survae.experiments.toy import build_toy_model
from survae.experiments.trainer import TrainConfig, Trainer, _LossModule
from survae.models.images import build_image_model
from survae.models.pointcloud import build_pointcloud_flow
from survae.models.vae import build_flow_vae

IMAGE = {"hidden": 8, "blocks": 1}
POINTS = {"num_points": 8, "num_flows": 1, "d_model": 8, "nhead": 2, "num_layers": 1}


def _images(name: str, **kwargs):
    def make():
        model = build_image_model(name, (1, 8, 8), **IMAGE, **kwargs)
        generator = torch.Generator().manual_seed(0)
        return model, torch.randint(0, 256, (8, 1, 8, 8), generator=generator)
    return make


def _toy(name: str, dataset: str):
    def make():
        return build_toy_model(name, dataset, num_flows=2, hidden_units=(16,)), torch.randn(32, 2)
    return make


def _vae(flow: str):
    def make():
        generator = torch.Generator().manual_seed(0)
        x = torch.bernoulli(torch.full((8, 1, 8, 8), 0.3), generator=generator)
        return build_flow_vae((1, 8, 8), 4, flow, 2, "static", "dense", hidden=16), x
    return make


def _points(name: str):
    def make():
        return build_pointcloud_flow(name, **POINTS), 3 * torch.randn(8, 8, 2)
    return make


FAMILIES = {
    "toy-flow": _toy("flow", "checkerboard"),
    "toy-absflow": _toy("absflow", "corners"),
    "realnvp": _images("realnvp", num_scales=2),
    "glow": _images("glow", steps=1),
    "augmented": _images("augmented", steps=1, num_scales=2),
    "maxpool": _images("maxpool", steps=1),
    "baseline": _images("baseline", steps=1),
    "vae": _vae("none"),
    "vae-iaf": _vae("iaf"),
    "vae-householder": _vae("householder"),
    **{f"pointcloud-{name}": _points(name) for name in ("sort", "permute", "baseline",
                                                         "equivariant")},
}
QUICK = {"toy-flow"}


def _loss(model, batch):
    return -model.log_prob(batch).mean()


def _step(step, model, batch, seed: int):
    model.zero_grad(set_to_none=True)
    torch.manual_seed(seed)
    loss = step(batch)
    loss.backward()
    return loss.detach(), {n: p.grad for n, p in model.named_parameters()}


@pytest.mark.parametrize(
    "family",
    [f if f in QUICK else pytest.param(f, marks=pytest.mark.slow) for f in FAMILIES],
)
def test_compiled_step_equals_eager_step(family):
    """Same loss and gradients from the same random state: two steps (ActNorm's data-dependent
    initialisation inside the graph on the first), random ops as in eager mode
    (``fallback_random``), no fallback allowed."""
    torch._dynamo.reset()
    torch.manual_seed(0)
    model, batch = FAMILIES[family]()
    twin = copy.deepcopy(model)
    eager = _LossModule(model, _loss)
    with torch._inductor.config.patch(fallback_random=True):
        compiled = CompiledStep(_LossModule(twin, _loss), log=pytest.fail)
        for seed in (1, 2):
            loss, grads = _step(eager, model, batch, seed)
            loss_c, grads_c = _step(compiled, twin, batch, seed)
            torch.testing.assert_close(loss_c, loss, rtol=1e-4, atol=1e-4)
            for name, g in grads.items():
                if g is None:
                    assert grads_c[name] is None, name
                    continue
                torch.testing.assert_close(grads_c[name], g, rtol=1e-3, atol=1e-4, msg=name)
    assert compiled.compiled


def test_failed_compilation_falls_back_to_eager_with_one_line():
    lines = []

    def broken_backend(graph, example_inputs):
        raise RuntimeError("no compiler here\nsecond line")

    model, batch = _toy("flow", "checkerboard")()
    step = CompiledStep(_LossModule(model, _loss), log=lines.append, backend=broken_backend)
    loss = step(batch)
    assert not step.compiled and len(lines) == 1
    assert "falling back to eager" in lines[0] and "no compiler here" in lines[0]
    assert "second line" not in lines[0]
    torch.testing.assert_close(loss, _loss(model, batch))
    step(batch)  # no second attempt, no second line
    assert len(lines) == 1


def test_trainer_compile_option_trains(tmp_path):
    """``compile=True`` (the ``--compile`` flag of every ``survae train`` command) goes through
    CompiledStep (a tracing-only backend keeps the test fast) and trains to the same parameters
    as eager."""
    results = []
    for compile_option in (False, True):
        torch.manual_seed(0)
        torch._dynamo.reset()
        model = build_toy_model("flow", "checkerboard", num_flows=2, hidden_units=(8,))
        data = TensorDataset(torch.randn(70, 2))
        config = TrainConfig(out=str(tmp_path / str(compile_option)), steps=4, batch_size=16,
                             quiet=True, compile=compile_option)
        Trainer(model, data, lambda m, b: -m.log_prob(b[0]).mean(), config,
                compile_options={"backend": "aot_eager"}).fit()
        results.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
    torch.testing.assert_close(results[1], results[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["toy", "image", "vae", "pointcloud"])
def test_every_train_command_has_the_compile_flag(name):
    """``survae train <experiment> --compile`` sets the spec option the trainer reads (off by
    default: compiling takes minutes per model on a small CPU, longer than short runs gain)."""
    import argparse

    from survae.experiments.config import EXPERIMENTS, add_spec_arguments, spec_from_args
    from survae.experiments.specs import ImageSpec  # noqa: F401 - registers the experiments

    spec_class = EXPERIMENTS[name].spec
    parser = argparse.ArgumentParser()
    add_spec_arguments(parser, spec_class)
    assert spec_from_args(spec_class, parser.parse_args(["--compile"])).compile is True
    assert spec_from_args(spec_class, parser.parse_args([])).compile is False
