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
from torch.utils.data import DataLoader, Dataset

from survae.data.vision import IMAGE_DATASETS, IMAGE_SHAPES, load_image_dataset
from survae.experiments.trainer import (
    Trainer,
    add_training_arguments,
    config_from_args,
    seed_everything,
)
from survae.experiments.training import load_checkpoint, positive_int, report_metrics
from survae.models.images import IMAGE_MODELS, POOL_FLOW_MODELS, build_image_model
from survae.models.pool_flow import DEQUANTIZATIONS
from survae.utils.metrics import iwbo_batched


def add_image_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``survae train image``."""
    parser.add_argument("--model", choices=sorted(IMAGE_MODELS), default="glow")
    parser.add_argument("--dataset", choices=IMAGE_DATASETS, default="digits")
    parser.add_argument("--data-root", default="data", help="folder of torchvision's files")
    parser.add_argument("--download", action="store_true", help="let torchvision download")
    parser.add_argument("--num-bits", type=int, choices=(5, 8), default=None,
                        help="bits per value; digits: 5 keeps the 17 gray levels 0..16 as they "
                        "are (default), 8 rescales them to 0..255; other datasets: 8")
    parser.add_argument("--hidden", type=positive_int, default=64, help="conditioner channels")
    parser.add_argument("--blocks", type=positive_int, default=1, help="residual blocks per net")
    parser.add_argument("--steps-per-scale", type=positive_int, default=None,
                        help="flow steps per scale (glow, augmented, maxpool, baseline)")
    parser.add_argument("--scales", type=positive_int, default=None, help="number of scales")
    parser.add_argument("--dequant", choices=DEQUANTIZATIONS, default=None,
                        help="maxpool, baseline, maxpool-learned: uniform (default) or flow "
                        "(variational) dequantization")
    parser.add_argument("--depth", type=positive_int, default=None,
                        help="maxpool, baseline, maxpool-learned: dense layers per DenseNet block")
    parser.add_argument("--growth", type=positive_int, default=None,
                        help="maxpool, baseline, maxpool-learned: channels per dense layer")
    parser.add_argument("--iwbo-k", type=int, default=0,
                        help="also report the test IWBO with this many samples (0: off)")
    parser.add_argument("--num-samples", type=positive_int, default=64)
    add_training_arguments(parser, steps=2000, batch_size=64, lr=1e-3, warmup=100,
                           decay="cosine", clip_grad_norm=10.0, eval_every=500,
                           out="runs/image")


def model_settings(args: argparse.Namespace) -> dict[str, Any]:
    """Factory keyword arguments from the flags (only the ones a flag set)."""
    kwargs: dict[str, Any] = {"hidden": args.hidden, "blocks": args.blocks,
                              "num_bits": data_bits(args.dataset, args.num_bits)}
    if args.steps_per_scale is not None and args.model != "realnvp":
        kwargs["steps"] = args.steps_per_scale
    if args.scales is not None:
        kwargs["num_levels" if args.model == "glow" else "num_scales"] = args.scales
    for flag in ("dequant", "depth", "growth"):
        if getattr(args, flag, None) is not None:
            if args.model not in POOL_FLOW_MODELS:
                raise ValueError(f"--{flag}: only for {POOL_FLOW_MODELS}, not {args.model!r}")
            kwargs[flag] = getattr(args, flag)
    return kwargs


def data_bits(dataset: str, num_bits: int | None) -> int:
    """Bits per value of the data: 8, or 5 for the digits' 17 levels unless 8 is asked for."""
    if num_bits is None:
        return 5 if dataset == "digits" else 8
    if dataset != "digits" and num_bits != 8:
        raise ValueError(f"--num-bits {num_bits}: only the digits can be used with 5 bits")
    return num_bits


def _dataset(metadata: dict[str, Any], root: str, split: str, download: bool = False):
    return load_image_dataset(metadata["dataset"], root, split, download=download,
                              digits_bits=metadata["num_bits"])


def rebuild_model(metadata: dict[str, Any]) -> nn.Module:
    """The model a checkpoint's ``metadata`` describes (weights not loaded)."""
    return build_image_model(metadata["model"], tuple(metadata["shape"]),
                             **metadata["model_kwargs"])


def load_model(checkpoint: str | Path) -> tuple[nn.Module, dict[str, Any]]:
    """Rebuild and load the model of an image-run checkpoint; return it and its metadata."""
    state = load_checkpoint(checkpoint)
    metadata = state.get("metadata") or {}
    if metadata.get("kind") != "image":
        raise ValueError(f"{checkpoint}: not a checkpoint of `survae train image`")
    model = rebuild_model(metadata)
    model.load_state_dict(state["model"])
    model.eval()
    return model, metadata


def bits_per_dim(nats: float, num_dims: int) -> float:
    return nats / (num_dims * math.log(2))


def evaluate_bpd(
    model: nn.Module, data: Dataset, batch_size: int = 256, k: int = 0, kbs: int = 16,
    device: str | torch.device = "cpu",
) -> dict[str, float]:
    """Test bits per dim of ``model`` on ``data``: ``test_bpd`` (exact log-likelihood if the
    model is exact, else the one-sample ELBO) and, for ``k > 1``, ``test_iwbo_bpd``."""
    loader = DataLoader(data, batch_size=batch_size, shuffle=False)
    total, total_iw, count = 0.0, 0.0, 0
    num_dims = None
    with torch.no_grad():
        for x, _ in loader:
            x = x.to(device)
            num_dims = x[0].numel()
            total += float(model.log_prob(x).sum())
            if k > 1 and not getattr(model, "exact", False):
                total_iw += float(iwbo_batched(model, x, k=k, kbs=min(kbs, k)).sum())
            count += len(x)
    metrics = {"test_bpd": -bits_per_dim(total / count, num_dims)}
    if k > 1 and not getattr(model, "exact", False):
        metrics[f"test_iwbo{k}_bpd"] = -bits_per_dim(total_iw / count, num_dims)
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


def train_image(args: argparse.Namespace) -> dict[str, Any]:
    """Train per the parsed flags; return the final metrics (also written by the caller)."""
    config = config_from_args(args)
    out = Path(config.out)
    seed_everything(config.seed)
    shape = IMAGE_SHAPES[args.dataset]
    kwargs = model_settings(args)
    model = build_image_model(args.model, shape, **kwargs)
    num_dims = math.prod(shape)
    metadata = {"kind": "image", "model": args.model, "model_kwargs": kwargs,
                "dataset": args.dataset, "shape": list(shape), "num_bits": kwargs["num_bits"],
                "data_root": str(args.data_root)}
    train = _dataset(metadata, args.data_root, "train", args.download)
    test = _dataset(metadata, args.data_root, "test", args.download)

    def loss_fn(m: nn.Module, batch: Any) -> Tensor:
        return -m.log_prob(batch[0]).mean()

    def eval_fn(m: nn.Module) -> dict[str, float]:
        return evaluate_bpd(m, test, config.eval_batch_size, device=config.device)

    trainer = Trainer(model, train, loss_fn, config, eval_fn=eval_fn, num_dims=num_dims,
                      metadata=metadata)
    metrics = trainer.fit()
    if trainer.rank != 0:
        return metrics
    model.eval()
    start = time.perf_counter()
    if args.iwbo_k > 1:
        torch.manual_seed(config.seed)
        metrics.update(evaluate_bpd(model, test, config.eval_batch_size, k=args.iwbo_k,
                                    device=config.device))
    with torch.no_grad():
        samples = model.sample(args.num_samples)
    real = torch.stack([test[i][0] for i in range(min(args.num_samples, len(test)))])
    save_image_grid(samples, out / "samples.png", num_bits=kwargs["num_bits"])
    save_image_grid(real, out / "data.png", num_bits=kwargs["num_bits"])
    metrics.update({
        "model": args.model, "dataset": args.dataset,
        "parameters": sum(p.numel() for p in model.parameters()),
        "eval_seconds": round(time.perf_counter() - start, 1), "run_dir": str(out),
    })
    return metrics


def run_train_image(args: argparse.Namespace) -> None:
    metrics = train_image(args)
    if metrics.get("run_dir"):
        report_metrics(metrics, args.out)


def add_sample_arguments(parser: argparse.ArgumentParser) -> None:
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
    save_image_grid(samples, out, nrow=args.nrow, num_bits=metadata.get("num_bits", 8))
    print(out, flush=True)
    return out


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("checkpoint", help="checkpoint.pt of a `survae train image` run")
    parser.add_argument("--k", type=int, default=0, help="IWBO samples (0: ELBO only)")
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
