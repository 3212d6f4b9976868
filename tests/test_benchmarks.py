"""The benchmark's device options run on the CPU (bf16 autocast, channels-last images, the
CUDA-graph compile mode), so the ``--device cuda`` code paths are known to work when a GPU is
there; and the image workloads' survae and raw-limit rows are built as documented."""

from __future__ import annotations

import pytest
import torch

from benchmarks import models as M
from benchmarks.__main__ import Setup, _build, _train_step

SETUPS = {
    "float32": Setup(),
    "bf16": Setup(autocast="bf16"),
    "channels_last": Setup(channels_last=True),
    "bf16+channels_last": Setup(autocast="bf16", channels_last=True),
}


@pytest.mark.parametrize("setup", SETUPS.values(), ids=SETUPS.keys())
@pytest.mark.parametrize("workload", ["D", "E"])
def test_image_workloads_train_under_each_setup(workload, setup):
    torch.manual_seed(0)
    models = {k: v for k, v in _build(workload, setup).items() if k in ("survae", "limit")}
    shape = (3, 16, 16)
    x = setup.data(shape, 4)
    if setup.channels_last:
        assert x.is_contiguous(memory_format=torch.channels_last)
        conv = next(m for m in models["survae"].module.modules()
                    if isinstance(m, torch.nn.Conv2d))
        assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    for name, model in models.items():
        before = [p.detach().clone() for p in model.module.parameters()]
        if setup.autocast == "bf16":
            with setup.context():
                assert model.loss(x).dtype in (torch.float32, torch.bfloat16)
        step = _train_step(model, x, setup)
        step()
        step()
        after = list(model.module.parameters())
        assert all(torch.isfinite(p).all() for p in after), name
        assert any(not torch.equal(a, b) for a, b in zip(after, before)), name


def test_equal_parameter_counts_in_the_glow_workload():
    """survae's Glow-style flow and normflows' GlowBlocks have the same parameters (checked here
    against the count of normflows 1.7.3's blocks: 2 x 4 steps of LU 1x1 conv, ActNorm and the
    3-1-3 conv net), and the raw limit has exactly the conditioners."""
    survae = M.survae_glow()
    limit = M.raw_glow()
    lu_and_actnorm = sum(c * c * 2 + c + 2 * c for c in (12, 24)) * M.GLOW_STEPS
    assert survae.num_params == limit.num_params + lu_and_actnorm


def test_handwritten_glow_is_the_same_function_as_the_survae_flow():
    """The hand-written E row computes survae's flow's log-likelihood and gradients (float64,
    after the ActNorms' data-dependent initialization) from the same parameters."""
    torch.manual_seed(0)
    model = M.handwritten_glow()
    flow = model.module
    x = torch.rand(5, 3, 16, 16)
    flow.log_prob(x)
    flow.double()
    x = x.double()
    expected, value = flow.log_prob(x), model.log_prob(x)
    torch.testing.assert_close(value, expected, rtol=0, atol=1e-10)
    params = list(flow.parameters())
    for a, b in zip(torch.autograd.grad(value.sum(), params),
                    torch.autograd.grad(expected.sum(), params), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-10)


@pytest.mark.slow
def test_cuda_graph_compile_mode_runs_on_cpu():
    """``--cuda-graphs`` compiles with ``mode="reduce-overhead"``; on the CPU there is nothing to
    capture and the compiled step still matches eager."""
    torch._dynamo.reset()
    M.COMPILE_OPTIONS["mode"] = "reduce-overhead"
    try:
        torch.manual_seed(0)
        model = M.compiled(M.survae_coupling)()
        eager = M.survae_coupling()
        eager.module.load_state_dict(model.module.state_dict())
        x = torch.randn(64, 2)
        torch.testing.assert_close(model.loss(x), eager.loss(x), rtol=1e-5, atol=1e-5)
    finally:
        M.COMPILE_OPTIONS["mode"] = None


def test_peak_tensor_bytes_sees_the_step_allocations():
    """The profiler-based figure of ``benchmarks.memory`` counts what a step holds at once: two
    4 MB tensors alive together, then freed, peak at 8 MB (plus small temporaries)."""
    from benchmarks.memory import peak_tensor_bytes

    def step():
        a = torch.ones(1_000_000)
        b = a * 2
        del a, b
        c = torch.ones(1_000_000)
        del c

    peak = peak_tensor_bytes(step)
    assert 8_000_000 <= peak < 8_100_000


def test_memory_benchmark_reports_tensor_memory_for_both_modes():
    from benchmarks.memory import measure

    rows = [measure(ms, levels=1, steps=2, hidden=8, batch=4, repeats=1) for ms in (False, True)]
    for row in rows:
        assert row["static_tensor_mib"] < row["peak_tensor_mib"]
    assert rows[1]["peak_tensor_mib"] < rows[0]["peak_tensor_mib"]  # fewer activations kept


def test_ablation_variants_train():
    """The ablated flows of ``benchmarks.ablation`` build and take a training step, and the
    ablation removes what it says (no ActNorm / 1x1 conv parameters get gradients)."""
    from benchmarks.ablation import variants

    x = torch.rand(2, 3, 16, 16)
    for name, make in variants().items():
        torch.manual_seed(0)
        model = make()
        model.loss(x).backward()
        if name == "survae without both":
            touched = {n.rsplit(".", 1)[-1] for n, p in model.module.named_parameters()
                       if p.grad is not None}
            assert not touched & {"shift", "log_scale", "lower", "upper", "log_s"}, touched


def test_experiment_rows_report_peak_tensor_memory():
    from benchmarks.experiments import measure

    row = measure("toy flow", repeats=1, compile_step=False, memory=True)
    assert 0 < row["memory-saving peak MiB"] <= row["eager peak MiB"]
    assert row["compiled ms"] is None and row["compiled speed-up"] is None
