"""``survae train vae``: VAEs with flow posteriors on binarized images (the flow-VAE seed).

``survae train vae --dataset digits --flow planar --length 16 --mode static|dynamic
--arch dense|conv`` trains :func:`survae.models.vae.build_flow_vae` with the shared trainer,
optionally with KL annealing (``--kl-warmup N``: the weight of ``log p(z) - log q(z|x)`` grows
linearly from 0 to 1 over N steps), then reports the test ELBO and the importance-weighted bound
(``--iwbo-k``, evaluated ``--iwbo-kbs`` samples at a time, so memory does not grow with K), in
nats per image (higher is better), and writes ``samples.png`` (decoder means of prior samples),
``reconstructions.png`` and, for ``--latent-dim 2``, ``latent.png`` (posterior samples of the
test set coloured by class).

``survae reproduce vae`` runs the comparison table on the digits: no flow and every flow type,
static and dynamic.
"""

from __future__ import annotations

import argparse
import math
import shutil
import time
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset

from survae.data.digits import DigitsDataset
from survae.data.vision import IMAGE_SHAPES, load_image_dataset
from survae.experiments.errors import dataset_errors, model_option_errors
from survae.experiments.evaluate import evaluate_bounds, nats_to_bpd
from survae.experiments.images import save_image_grid
from survae.experiments.run_files import RunFolder, write_metrics
from survae.experiments.specs import VaeSpec
from survae.experiments.trainer import Trainer, seed_everything
from survae.experiments.training import non_negative_int, positive_int
from survae.models.vae import VAE_FLOWS, build_flow_vae, vae_terms


def _datasets(spec: VaeSpec) -> tuple[Dataset, Dataset]:
    """Training images binarized afresh at every access (dynamic binarization), test images
    once (the digits' fixed binarization, or a 0.5 threshold for the torchvision datasets)."""
    with dataset_errors(spec.dataset, spec.data_root):
        if spec.dataset == "digits":  # Bernoulli(v / 16) per access, as the fixed test binarization
            train: Dataset = DigitsDataset("train", mode="probs", transform=torch.bernoulli)
        else:
            train = load_image_dataset(spec.dataset, spec.data_root, "train", flip=False,
                                       binary="dynamic", download=spec.download)
        test = load_image_dataset(spec.dataset, spec.data_root, "test", flip=False,
                                  binary="static", download=spec.download)
    return train, test


def evaluate_vae(model: nn.Module, data: Dataset, batch_size: int = 256, k: int = 0,
                 kbs: int = 100, device: str | torch.device = "cpu") -> dict[str, float]:
    """Test ELBO (one sample) and, for ``k > 1``, the IWBO with ``k`` samples: nats per image
    (higher is better) and bits per dim (``-nats / (D ln 2)``, lower is better)."""
    bounds = evaluate_bounds(model, data, batch_size, k, kbs, device, exact=False)
    num_dims = math.prod(data[0][0].shape)
    metrics = {"test_elbo_nats": bounds["loglik_nats"],
               "test_elbo_bpd": nats_to_bpd(bounds["loglik_nats"], num_dims)}
    if "iwbo_nats" in bounds:
        metrics[f"test_iwbo{k}_nats"] = bounds["iwbo_nats"]
        metrics[f"test_iwbo{k}_bpd"] = nats_to_bpd(bounds["iwbo_nats"], num_dims)
    return metrics


def _latent_scatter(model: nn.Module, data: Dataset, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, y = next(iter(DataLoader(data, batch_size=len(data))))
    with torch.no_grad():
        z = vae_terms(model, x)["z"]
    fig, ax = plt.subplots(figsize=(5, 5))
    points = ax.scatter(z[:, 0], z[:, 1], c=y, cmap="tab10", s=8)
    fig.colorbar(points, ax=ax, label="class")
    ax.set_xlabel("z1")
    ax.set_ylabel("z2")
    ax.set_title("posterior samples of the test set")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def train_vae(spec: VaeSpec) -> dict[str, Any]:
    """Train per ``spec``; write the run folder (with ``metrics.json``); return the metrics."""
    out = Path(spec.out)
    with RunFolder(out, spec.resume, spec.overwrite):
        seed_everything(spec.seed)
        train, test = _datasets(spec)
        shape = IMAGE_SHAPES[spec.dataset]
        settings = {"data_shape": list(shape), "latent_dim": spec.latent_dim, "flow": spec.flow,
                    "length": spec.length, "mode": spec.mode, "arch": spec.arch,
                    "hidden": spec.hidden}
        with model_option_errors("vae"):
            model = build_flow_vae(tuple(shape), spec.latent_dim, spec.flow, spec.length,
                                   spec.mode, spec.arch, spec.hidden)
        holder: dict[str, Trainer] = {}

        def loss_fn(m: nn.Module, batch: Any) -> Tensor:
            x = batch[0]
            if not spec.kl_warmup:
                return -m.log_prob(x).mean()
            beta = min(1.0, (holder["trainer"].step + 1) / spec.kl_warmup)
            terms = vae_terms(m, x)
            return -(terms["log_px"] + beta * (terms["log_pz"] - terms["log_qz"])).mean()

        def eval_fn(m: nn.Module) -> dict[str, float]:
            return evaluate_vae(m, test, spec.eval_batch_size, device=spec.device)

        metadata = {"kind": "vae", "model_kwargs": settings, "dataset": spec.dataset}
        trainer = Trainer(model, train, loss_fn, spec, eval_fn=eval_fn, metadata=metadata)
        holder["trainer"] = trainer
        metrics = trainer.fit()
        if trainer.rank != 0:
            return metrics
        model.eval()
        start = time.perf_counter()
        torch.manual_seed(spec.seed)
        metrics.update(evaluate_vae(model, test, spec.eval_batch_size, k=spec.iwbo_k,
                                    kbs=spec.iwbo_kbs, device=spec.device))
        with torch.no_grad():
            vae = model.transforms[0]
            z = model.base_dist.sample(64)
            means = torch.sigmoid(vae.decoder.net(z))
            x = torch.stack([test[i][0] for i in range(min(32, len(test)))])
            recon = torch.sigmoid(vae.decoder.net(vae_terms(model, x)["z"]))
        save_image_grid(means, out / "samples.png")
        save_image_grid(torch.cat([x, recon]), out / "reconstructions.png")
        if spec.latent_dim == 2:
            _latent_scatter(model, test, out / "latent.png")
        metrics.update({"flow": spec.flow, "mode": spec.mode, "arch": spec.arch,
                        "length": spec.length, "latent_dim": spec.latent_dim,
                        "parameters": sum(p.numel() for p in model.parameters()),
                        "eval_seconds": round(time.perf_counter() - start, 1),
                        "run_dir": str(out)})
        write_metrics(metrics, out)
    return metrics


# ----------------------------------------------------------------------------- the table
def table_runs(flows: list[str]) -> list[tuple[str, str]]:
    """``(flow, mode)`` pairs of the comparison: no flow once, every flow static and dynamic."""
    runs = []
    for flow in flows:
        modes = ["static"] if flow == "none" else ["static", "dynamic"]
        runs += [(flow, mode) for mode in modes]
    return runs


def add_vae_table_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``survae reproduce vae``."""
    parser.add_argument("--flows", nargs="+", default=list(VAE_FLOWS), choices=VAE_FLOWS)
    parser.add_argument("--steps", type=positive_int, default=3000)
    parser.add_argument("--length", type=positive_int, default=8)
    parser.add_argument("--latent-dim", type=positive_int, default=8)
    parser.add_argument("--hidden", type=positive_int, default=256)
    parser.add_argument("--iwbo-k", type=non_negative_int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/vae-table")
    parser.add_argument("--docs", default=None)
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the runs of an earlier table in --out")


def plot_vae_table(rows: dict[str, dict[str, Any]], k: int, path: Path) -> None:
    """A dot plot of the test ELBO and IWBO (nats per image) of every run of the table, each
    run's two bounds joined by a line (its length: what the K samples gain)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(rows)
    elbo = [rows[n]["test_elbo_nats"] for n in names]
    iwbo = [rows[n].get(f"test_iwbo{k}_nats", float("nan")) for n in names]
    position = list(range(len(names)))
    fig, ax = plt.subplots(figsize=(6.5, 0.35 * len(names) + 1.6))
    ax.hlines(position, elbo, iwbo, color="0.7", zorder=1)
    ax.scatter(elbo, position, marker="o", label="test ELBO", zorder=2)
    ax.scatter(iwbo, position, marker="D", label=f"test IWBO (K={k})", zorder=2)
    ax.set_yticks(position, names)
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("nats per image (higher is better)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.5 / (0.35 * len(names) + 1.6)),
              ncol=2, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def reproduce_vae(args: argparse.Namespace) -> dict[str, Any]:
    start = time.perf_counter()
    out = Path(args.out)
    rows = {}
    for flow, mode in table_runs(args.flows):
        name = f"{flow}-{mode}"
        rows[name] = train_vae(VaeSpec(
            flow=flow, mode=mode, steps=args.steps, length=args.length,
            latent_dim=args.latent_dim, hidden=args.hidden, iwbo_k=args.iwbo_k, seed=args.seed,
            out=str(out / name), quiet=args.quiet, overwrite=args.overwrite))
        m = rows[name]
        print(f"{name:22s} ELBO {m['test_elbo_nats']:.2f}  "
              f"IWBO {m.get(f'test_iwbo{args.iwbo_k}_nats', float('nan')):.2f}  "
              f"({m['seconds']:.0f} s)", flush=True)
    lines = [
        "Test log-likelihood bounds (nats per image, higher is better) of flow-VAEs on the "
        "8x8 digits binarized once for the test set, afresh at every access for training "
        f"(1437 train / 360 test): dense encoder/decoder with {args.hidden} hidden units, "
        f"{args.latent_dim}-D "
        f"latent, posterior flows of length {args.length}, {args.steps} steps of batch 64, "
        "Adam 1e-3 with warm-up and cosine decay, seed "
        f"{args.seed}, one CPU thread per run.",
        "",
        f"| flow | mode | test ELBO | test IWBO (K={args.iwbo_k}) | final train loss | "
        "parameters | minutes |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for m in rows.values():
        iw = m.get(f"test_iwbo{args.iwbo_k}_nats")
        lines.append(f"| {m['flow']} | {m['mode']} | {m['test_elbo_nats']:.2f} | "
                     f"{'-' if iw is None else f'{iw:.2f}'} | {m['train_loss_nats']:.2f} | "
                     f"{m['parameters']:,} | {m['seconds'] / 60:.1f} |")
    minutes = (time.perf_counter() - start) / 60
    lines += ["", "The final train loss is the negative ELBO on the last training batches "
                  "(lower is better); test bounds far below minus it mean overfitting.",
              "", f"Command: `survae reproduce vae --steps {args.steps} --length {args.length} "
                  f"--latent-dim {args.latent_dim} --iwbo-k {args.iwbo_k}` "
                  f"({len(rows)} runs, {minutes:.1f} minutes).",
              "", "![test bounds of every run](vae-table.png)"]
    (out / "table.md").write_text("\n".join(lines) + "\n")
    plot_vae_table(rows, args.iwbo_k, out / "vae-table.png")
    first = next(iter(rows))
    if args.docs:
        docs = Path(args.docs)
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / "table.md", docs / "vae-table.md")
        shutil.copyfile(out / "vae-table.png", docs / "vae-table.png")
        best = max(rows, key=lambda n: rows[n]["test_elbo_nats"])
        shutil.copyfile(out / best / "samples.png", docs / "vae-samples.png")
        shutil.copyfile(out / first / "reconstructions.png", docs / "vae-reconstructions.png")
    return {**{f"{n}_test_elbo_nats": m["test_elbo_nats"] for n, m in rows.items()},
            "steps": args.steps, "seconds": round(time.perf_counter() - start, 1),
            "run_dir": str(out)}
