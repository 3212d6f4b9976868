"""``survae train image``, ``survae sample`` and ``survae eval``: image flows on image datasets.

``survae train image --model realnvp|glow|augmented|maxpool|baseline|maxpool-learned --dataset
digits`` trains a
model of :mod:`survae.models.images` with the shared :class:`~survae.experiments.trainer.Trainer`
(every training flag, ``--config run.yaml``, ``--resume``, torchrun) and writes, in ``--out``:
``checkpoint.pt`` (with what is needed to rebuild the model), ``log.csv``, ``loss.png``,
``data.png`` and ``samples.png`` (image grids) and ``metrics.json``. Test bits per dim are the
dequantization bound (ELBO, one sample per image) and, with ``--iwbo-k K``, the tighter
importance-weighted bound.

``survae sample RUN/checkpoint.pt -n 64`` writes a grid of samples; ``survae eval
RUN/checkpoint.pt`` prints the test bits per dim (exact where the model is exact, else ELBO and,
with ``--k``, IWBO) as one JSON line.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from torch.utils.data import Dataset

from survae.data.digits import DIGITS_LEVELS
from survae.data.vision import IMAGE_SHAPES, load_image_dataset
from survae.experiments.errors import (
    CheckpointError,
    UserError,
    dataset_errors,
    model_option_errors,
)
from survae.experiments.evaluate import evaluate_bounds, nats_to_bpd
from survae.experiments.run_files import RunFolder, load_checkpoint, report_metrics, write_metrics
from survae.experiments.specs import ImageSpec
from survae.experiments.trainer import Trainer, seed_everything
from survae.experiments.training import non_negative_int, positive_int
from survae.models.images import POOL_FLOW_MODELS, build_image_model


def model_settings(spec: ImageSpec) -> dict[str, Any]:
    """Factory keyword arguments of a spec (only the ones the resolved spec sets). The pool
    flows on the digits' 17 levels in a 5-bit range also get ``levels=17`` (the paper's
    ``[-0.5, 0.5)`` data range, see :func:`~survae.models.pool_flow.pool_flow`)."""
    spec = spec.resolved()
    kwargs: dict[str, Any] = {"hidden": spec.hidden, "blocks": spec.blocks,
                              "num_bits": spec.num_bits}
    if spec.steps_per_scale is not None and spec.model != "realnvp":
        kwargs["steps"] = spec.steps_per_scale
    if spec.scales is not None:
        kwargs["num_levels" if spec.model == "glow" else "num_scales"] = spec.scales
    for name in ("dequant", "depth", "growth"):  # the pool flows' DenseNet and dequantization
        if getattr(spec, name) is not None:
            kwargs[name] = getattr(spec, name)
    if spec.model in POOL_FLOW_MODELS and spec.dataset == "digits" and spec.num_bits == 5:
        kwargs["levels"] = DIGITS_LEVELS
    return kwargs


def _dataset(metadata: dict[str, Any], root: str, split: str, download: bool = False):
    with dataset_errors(metadata["dataset"], root):
        return load_image_dataset(metadata["dataset"], root, split, download=download,
                                  digits_bits=metadata["num_bits"])


def rebuild_model(metadata: dict[str, Any]) -> nn.Module:
    """The model a checkpoint's ``metadata`` describes (weights not loaded)."""
    return build_image_model(metadata["model"], tuple(metadata["shape"]),
                             **metadata["model_kwargs"])


def load_model(checkpoint: str | Path) -> tuple[nn.Module, dict[str, Any]]:
    """Rebuild and load the model of an image-run checkpoint; return it and its metadata."""
    state = load_checkpoint(checkpoint, ("model",))
    metadata = state.get("metadata") or {}
    if metadata.get("kind") != "image":
        raise CheckpointError(f"{checkpoint}: not a checkpoint of `survae train image`")
    model = rebuild_model(metadata)
    try:
        model.load_state_dict(state["model"])
    except RuntimeError as error:
        first = str(error).strip().splitlines()[-1].strip()
        raise CheckpointError(f"{checkpoint}: its weights do not fit the model its metadata "
                              f"describes ({first})") from None
    model.eval()
    return model, metadata


def evaluate_bpd(
    model: nn.Module, data: Dataset, batch_size: int = 256, k: int = 0, kbs: int = 16,
    device: str | torch.device = "cpu",
) -> dict[str, float]:
    """Test bits per dim of ``model`` on ``data``: ``test_bpd`` (exact log-likelihood if the
    model is exact, else the one-sample ELBO) and, for ``k > 1``, ``test_iwbo{k}_bpd``."""
    bounds = evaluate_bounds(model, data, batch_size, k, kbs, device)
    num_dims = math.prod(data[0][0].shape)
    metrics = {"test_bpd": nats_to_bpd(bounds["loglik_nats"], num_dims)}
    if "iwbo_nats" in bounds:
        metrics[f"test_iwbo{k}_bpd"] = nats_to_bpd(bounds["iwbo_nats"], num_dims)
    return metrics


def save_image_grid(images: Tensor, path: str | Path, nrow: int = 8, num_bits: int = 8) -> Path:
    """Write integer (or [0, 1] float) images ``(N, C, H, W)`` as one PNG grid."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    x = images.detach().cpu()
    top = 16 if num_bits == 5 else 2**num_bits - 1  # 5 bits: the digits' levels 0..16
    x = (x.float() / top).clamp(0, 1) if not x.is_floating_point() else x.clamp(0, 1)
    try:
        from torchvision.utils import make_grid

        grid = make_grid(x, nrow=nrow, padding=1, pad_value=1.0)
    except ImportError:  # pragma: no cover - torchvision is optional
        n, c, h, w = x.shape
        rows = math.ceil(n / nrow)
        grid = torch.ones(c, rows * (h + 1) + 1, nrow * (w + 1) + 1)
        for i in range(n):
            top, left = 1 + (i // nrow) * (h + 1), 1 + (i % nrow) * (w + 1)
            grid[:, top : top + h, left : left + w] = x[i]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    array = grid.permute(1, 2, 0).numpy()
    upscale = max(1, 256 // max(array.shape[:2]))
    array = array.repeat(upscale, 0).repeat(upscale, 1)
    if array.shape[2] == 1:
        plt.imsave(path, array[:, :, 0], cmap="gray", vmin=0, vmax=1)
    else:
        plt.imsave(path, array)
    return path


def train_image(spec: ImageSpec) -> dict[str, Any]:
    """Train per ``spec``; write the run folder (with ``metrics.json``); return the metrics."""
    spec = spec.resolved()
    out = Path(spec.out)
    with RunFolder(out, spec.resume, spec.overwrite):
        seed_everything(spec.seed)
        shape = IMAGE_SHAPES[spec.dataset]
        kwargs = model_settings(spec)
        with model_option_errors("image"):
            model = build_image_model(spec.model, shape, **kwargs)
        metadata = {"kind": "image", "model": spec.model, "model_kwargs": kwargs,
                    "dataset": spec.dataset, "shape": list(shape), "num_bits": spec.num_bits,
                    "data_root": str(spec.data_root)}
        train = _dataset(metadata, spec.data_root, "train", spec.download)
        test = _dataset(metadata, spec.data_root, "test", spec.download)

        def loss_fn(m: nn.Module, batch: Any) -> Tensor:
            return -m.log_prob(batch[0]).mean()

        def eval_fn(m: nn.Module) -> dict[str, float]:
            return evaluate_bpd(m, test, spec.eval_batch_size, device=spec.device)

        trainer = Trainer(model, train, loss_fn, spec, eval_fn=eval_fn,
                          num_dims=math.prod(shape), metadata=metadata)
        metrics = trainer.fit()
        if trainer.rank != 0:
            return metrics
        model.eval()
        start = time.perf_counter()
        if spec.iwbo_k > 1:
            torch.manual_seed(spec.seed)
            metrics.update(evaluate_bpd(model, test, spec.eval_batch_size, k=spec.iwbo_k,
                                        device=spec.device))
        with torch.no_grad():
            samples = model.sample(spec.num_samples)
        real = torch.stack([test[i][0] for i in range(min(spec.num_samples, len(test)))])
        save_image_grid(samples, out / "samples.png", num_bits=spec.num_bits)
        save_image_grid(real, out / "data.png", num_bits=spec.num_bits)
        metrics.update({
            "model": spec.model, "dataset": spec.dataset,
            "parameters": sum(p.numel() for p in model.parameters()),
            "eval_seconds": round(time.perf_counter() - start, 1), "run_dir": str(out),
        })
        write_metrics(metrics, out)
    return metrics


def add_sample_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``survae sample``."""
    parser.add_argument("checkpoint", help="checkpoint.pt of a `survae train image` run")
    parser.add_argument("-n", "--num-samples", type=positive_int, default=64)
    parser.add_argument("--out", default=None, help="PNG path (default: beside the checkpoint)")
    parser.add_argument("--nrow", type=positive_int, default=8)
    parser.add_argument("--seed", type=int, default=0)


def run_sample(args: argparse.Namespace) -> Path:
    """``survae sample``: a grid of ``n`` samples of a trained model."""
    model, metadata = load_model(args.checkpoint)
    torch.manual_seed(args.seed)
    with torch.no_grad():
        samples = model.sample(args.num_samples)
    out = Path(args.out) if args.out else Path(args.checkpoint).with_name("samples_grid.png")
    try:
        save_image_grid(samples, out, nrow=args.nrow, num_bits=metadata.get("num_bits", 8))
    except OSError as error:
        raise UserError(f"cannot write {out}: {error.strerror or error}") from None
    print(out, flush=True)
    return out


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``survae eval``."""
    parser.add_argument("checkpoint", help="checkpoint.pt of a `survae train image` run")
    parser.add_argument("--k", type=non_negative_int, default=0, help="IWBO samples (0: ELBO only)")
    parser.add_argument("--batch-size", type=positive_int, default=256)
    parser.add_argument("--data-root", default=None, help="default: the training run's")
    parser.add_argument("--seed", type=int, default=0)


def run_eval(args: argparse.Namespace) -> dict[str, Any]:
    """``survae eval``: test bits per dim of a trained model, printed as one JSON line."""
    model, metadata = load_model(args.checkpoint)
    torch.manual_seed(args.seed)
    root = args.data_root or metadata.get("data_root", "data")
    test = _dataset(metadata, root, "test")
    start = time.perf_counter()
    metrics = evaluate_bpd(model, test, args.batch_size, k=args.k)
    metrics.update({"exact": bool(getattr(model, "exact", False)), "model": metadata["model"],
                    "dataset": metadata["dataset"],
                    "seconds": round(time.perf_counter() - start, 1)})
    report_metrics(metrics, Path(args.checkpoint).parent / "eval")
    return metrics
