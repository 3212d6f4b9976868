"""Typed run specs: one dataclass per experiment, the single definition of its options.

A spec's fields are at once the ``survae train <experiment>`` flags (``batch_size`` is
``--batch-size``), the keys of a ``--config run.yaml`` file (``batch-size`` or ``batch_size``) and
the keyword arguments of the Python entry point::

    from survae.experiments import ToySpec, train_toy
    metrics, model, test = train_toy(ToySpec(dataset="corners", steps=2000, out="runs/c"))

Every value is checked once, in ``__post_init__``, whatever its source: its type (``steps: 7.9``
and ``resume: "false"`` are refused, not rounded or read as true), its range (``gamma`` in
``(0, 1]``...) and its choices; a mistake raises :class:`~survae.experiments.errors.SpecError`
naming the option. Each field has a *role*:

- ``MODEL`` and ``DATA``: what the checkpoint's weights mean (architecture, dataset, bits per
  value, seed and batch size, which fix the data order). ``resume`` refuses a checkpoint whose
  model or data fields differ, naming them (one generic comparison, for every experiment);
- ``OPTIM``: optimiser and schedule. Changed on ``resume``, they are applied from the resumed step
  and said on stderr (the checkpoint then records what was applied);
- ``RUN``: where and how the run goes (folder, device, threads, evaluation, plots): free to change.

Adding an experiment (e.g. ``tabular``) is two steps:

1. here, a frozen keyword-only dataclass deriving from :class:`TrainConfig`, registered with
   ``@experiment("tabular", "survae.experiments.tabular:train_tabular", help="...")``; its fields
   are ``option(default, ROLE, "help", ge=..., choices=...)`` (types: ``int``, ``float``,
   ``str``, ``bool``, ``X | None``, ``tuple[int, ...]``), and it overrides a shared default with
   ``steps: int = override("steps", 5000)``. Cross-field checks go in ``check(self)`` (raise
   ``SpecError``), defaults that depend on other fields in ``resolved(self)``;
2. in its module, ``train_tabular(spec) -> dict`` of final metrics with ``"run_dir"``: inside
   ``with RunFolder(spec.out, spec.resume, spec.overwrite):`` build the data (in
   ``dataset_errors(...)``) and the model from ``spec``, run
   ``Trainer(model, data, loss_fn, spec, eval_fn=...).fit()``, and ``write_metrics``.

``survae train tabular`` (its flags and help), its YAML keys, the range checks, the resume checks
and the one-line errors then follow from the dataclass; add its bad-input cases to
``tests/experiments/test_probe.py``. An option every experiment shares (e.g. ``compile``) is one
more field of :class:`TrainConfig` in :mod:`survae.experiments.config`, read by the trainer.
"""

from __future__ import annotations

import dataclasses

from survae.data.datasets.tabular.uci_maf import MAF_DATASETS
from survae.data.energies import ENERGY_TARGETS
from survae.data.spatial_mnist import SPATIAL_SOURCES
from survae.data.toy import TOY_DATASETS
from survae.data.vision import IMAGE_DATASETS
from survae.experiments.config import (
    DATA,
    MODEL,
    OPTIM,
    RUN,
    TrainConfig,
    experiment,
    option,
    override,
)
from survae.experiments.config import EXPERIMENTS as EXPERIMENTS  # filled in below
from survae.experiments.errors import SpecError
from survae.models.images import IMAGE_MODELS, POOL_FLOW_MODELS
from survae.models.pointcloud import (
    POINT_CONDITIONERS,
    POINTCLOUD_COUPLINGS,
    POINTCLOUD_MODELS,
)
from survae.models.pool_flow import DEQUANTIZATIONS
from survae.models.tabular import TABULAR_MODELS
from survae.models.vae import VAE_ARCHS, VAE_FLOWS, VAE_LIKELIHOODS, VAE_MODES

__all__ = ["EnergySpec", "ImageSpec", "PointcloudSpec", "TabularSpec", "ToySpec", "TrainConfig",
           "VaeSpec", "experiment", "option", "override"]

SCALE_FNS = ("exp", "softplus", "sigmoid", "tanh_exp")


@experiment("toy", "survae.experiments.toy:train_toy", "2-D toy densities: flow vs absflow")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ToySpec(TrainConfig):
    """``survae train toy``: a coupling flow, an AbsFlow, RAD, a CIF or a diffusion model on a
    2-D toy density.

    Example:
        >>> spec = ToySpec(dataset="corners", model="absflow", steps=100, out="").resolved()
        >>> spec.out, spec.scale_fn
        ('runs/toy-corners-absflow', 'softplus')
    """

    dataset: str = option("checkerboard", DATA, "toy density", choices=sorted(TOY_DATASETS))
    model: str = option("flow", MODEL, "flow (affine couplings), absflow, or a model of the "
                        "unifying table: rad, cif, diffusion (survae.models.unifying)",
                        choices=("flow", "absflow", "rad", "cif", "diffusion"))
    train_size: int = option(128_000, DATA, "training points", ge=1)
    test_size: int = option(50_000, RUN, "test points", ge=1)
    num_flows: int = option(4, MODEL, "affine coupling layers", ge=1)
    hidden_units: tuple[int, ...] = option((200, 100), MODEL, "hidden layers of each "
                                           "conditioner MLP", ge=1)
    actnorm: bool = option(False, MODEL, "an ActNorm after each coupling")
    scale_fn: str | None = option(None, MODEL, "coupling scale function (default: the official "
                                  "run's for the dataset)", choices=SCALE_FNS)
    no_plots: bool = option(False, RUN, "skip the density and sample plots")
    steps: int = override("steps", 10_000)
    batch_size: int = override("batch_size", 128)
    checkpoint_every: int = override("checkpoint_every", 1000)
    out: str = override("out", "")

    def resolved(self) -> ToySpec:
        from survae.experiments.toy import default_scale_fn

        return dataclasses.replace(
            self, out=self.out or f"runs/toy-{self.dataset}-{self.model}",
            scale_fn=self.scale_fn or default_scale_fn(self.dataset),
        )


IMAGE_LR = 1e-3
# The pool flows have no ActNorm (as in the paper): every scale comes from the bounded coupling
# scales and the 1x1 convolutions, which Adam moves about lr per step; at 1e-3 the digits' flows
# are still far from unit scale after 1000 steps (test bpd 2.61 for the baseline, against 2.37
# at 3e-3 with the same budget). The other flows learn the small digits faster at 3e-3 too
# (1000 steps, hidden 32, test IWBO(64) bpd at 1e-3 -> 3e-3: realnvp 2.103 -> 1.966, glow
# 2.585 -> 2.179, augmented 2.494 -> 2.107; the factorized categorical baseline is 2.424).
POOL_FLOW_LR = 3e-3
DIGITS_LR = 3e-3
_IMAGE_TRAINING = dict(steps=2000, warmup=100, decay="cosine", clip_grad_norm=10.0,
                       eval_every=500)


@experiment("image", "survae.experiments.images:train_image",
            "image flows (RealNVP, Glow, MaxPoolFlow...)")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ImageSpec(TrainConfig):
    """``survae train image``: a model of :mod:`survae.models.images` on an image dataset."""

    model: str = option("glow", MODEL, "image model", choices=sorted(IMAGE_MODELS))
    dataset: str = option("digits", DATA, "image dataset", choices=IMAGE_DATASETS)
    data_root: str = option("data", RUN, "folder of torchvision's files")
    download: bool = option(False, RUN, "let torchvision download the dataset")
    num_bits: int | None = option(None, DATA, "bits per value; digits: 5 keeps the 17 gray "
                                  "levels 0..16 as they are (default), 8 rescales them to "
                                  "0..255; other datasets: 8", choices=(5, 8))
    hidden: int = option(64, MODEL, "conditioner channels", ge=1)
    blocks: int = option(1, MODEL, "residual blocks per net", ge=1)
    steps_per_scale: int | None = option(None, MODEL, "flow steps per scale (glow, augmented, "
                                         "maxpool, baseline)", ge=1)
    scales: int | None = option(None, MODEL, "number of scales", ge=1)
    dequant: str | None = option(None, MODEL, "maxpool, baseline, maxpool-learned: flow "
                                 "(variational, the paper's runs; default) or uniform "
                                 "dequantization", choices=DEQUANTIZATIONS)
    depth: int | None = option(None, MODEL, "maxpool, baseline, maxpool-learned: dense layers "
                               "per DenseNet block (default 2)", ge=1)
    growth: int | None = option(None, MODEL, "maxpool, baseline, maxpool-learned: channels per "
                                "dense layer (default 16)", ge=1)
    iwbo_k: int = option(0, RUN, "also report the test IWBO with this many samples (0: off)",
                         ge=0)
    num_samples: int = option(64, RUN, "samples in samples.png", ge=1)
    lr: float | None = option(None, OPTIM, "peak learning rate of Adam (default: "
                              f"{POOL_FLOW_LR:g} for {', '.join(POOL_FLOW_MODELS)} and on "
                              f"the digits, {IMAGE_LR:g} for the others)", gt=0)
    steps: int = override("steps", _IMAGE_TRAINING["steps"])
    warmup: int = override("warmup", _IMAGE_TRAINING["warmup"])
    decay: str = override("decay", _IMAGE_TRAINING["decay"])
    clip_grad_norm: float | None = override("clip_grad_norm", _IMAGE_TRAINING["clip_grad_norm"])
    eval_every: int = override("eval_every", _IMAGE_TRAINING["eval_every"])
    out: str = override("out", "runs/image")

    def check(self) -> None:
        if self.num_bits == 5 and self.dataset != "digits":
            raise SpecError(f"num_bits (--num-bits): only the digits can be used with 5 bits, "
                            f"not {self.dataset}")
        for name in ("dequant", "depth", "growth"):
            if getattr(self, name) is not None and self.model not in POOL_FLOW_MODELS:
                raise SpecError(f"{name} (--{name}): only for {', '.join(POOL_FLOW_MODELS)}, "
                                f"not {self.model}")

    def resolved(self) -> ImageSpec:
        """Fills in the defaults that depend on the model and dataset: ``num_bits`` (5 for the
        digits, else 8), ``lr`` and, for the pool flows, ``dequant`` (``"flow"``).

        Example:
            >>> spec = ImageSpec(model="maxpool").resolved()
            >>> spec.num_bits, spec.lr, spec.dequant
            (5, 0.003, 'flow')
            >>> [ImageSpec(model="glow", dataset=d).resolved().lr for d in ("digits", "cifar10")]
            [0.003, 0.001]
        """
        pool = self.model in POOL_FLOW_MODELS
        return dataclasses.replace(
            self, num_bits=self.num_bits or (5 if self.dataset == "digits" else 8),
            lr=self.lr or (POOL_FLOW_LR if pool else DIGITS_LR if self.dataset == "digits"
                           else IMAGE_LR),
            dequant=self.dequant or ("flow" if pool else None),
        )


@experiment("vae", "survae.experiments.vae:train_vae", "VAEs with flow posteriors (flow-VAE)")
@dataclasses.dataclass(frozen=True, kw_only=True)
class VaeSpec(TrainConfig):
    """``survae train vae``: a VAE with a flow posterior on images (binarized, or their own
    levels with a discretized-logistic or logit-normal decoder)."""

    dataset: str = option("digits", DATA, "image dataset (binarized for the bernoulli "
                          "likelihood)", choices=IMAGE_DATASETS)
    data_root: str = option("data", RUN, "folder of torchvision's files")
    download: bool = option(False, RUN, "let torchvision download the dataset")
    flow: str = option("planar", MODEL, "posterior flow", choices=VAE_FLOWS)
    length: int = option(16, MODEL, "posterior flow steps", ge=1)
    mode: str = option("static", MODEL, "static or dynamic (amortized) flow", choices=VAE_MODES)
    arch: str = option("dense", MODEL, "encoder/decoder architecture", choices=VAE_ARCHS)
    latent_dim: int = option(8, MODEL, "latent dimensions", ge=1)
    hidden: int = option(256, MODEL, "hidden units", ge=1)
    likelihood: str = option("bernoulli", MODEL, "decoder: bernoulli (binarized images), "
                             "discretized-logistic or logit-normal (the images' own levels; bpd "
                             "on the discrete data)", choices=VAE_LIKELIHOODS)
    alpha: float = option(0.05, MODEL, "logit-normal: logit(alpha + (1 - 2 alpha) x) "
                          "pre-processing", ge=0, lt=0.5)
    kl_warmup: int = option(0, OPTIM, "steps of linear KL annealing from 0 to 1 (0: off)", ge=0)
    iwbo_k: int = option(1000, RUN, "importance samples of the test IWBO (0 or 1: off)", ge=0)
    iwbo_kbs: int = option(100, RUN, "IWBO samples evaluated at a time", ge=1)
    steps: int = override("steps", 5000)
    warmup: int = override("warmup", 100)
    decay: str = override("decay", "cosine")
    clip_grad_norm: float | None = override("clip_grad_norm", 100.0)
    eval_every: int = override("eval_every", 1000)
    out: str = override("out", "runs/vae")


@experiment("pointcloud", "survae.experiments.pointcloud:train_pointcloud",
            "SortFlow / PermuteFlow on point sets")
@dataclasses.dataclass(frozen=True, kw_only=True)
class PointcloudSpec(TrainConfig):
    """``survae train pointcloud``: a set flow of :mod:`survae.models.pointcloud`."""

    model: str = option("sort", MODEL, "set model", choices=POINTCLOUD_MODELS)
    source: str = option("digits", DATA, "digits: bundled 8x8 digits; mnist: torchvision "
                         "files in data_root", choices=SPATIAL_SOURCES)
    data_root: str = option("data", RUN, "folder of torchvision's files")
    num_points: int = option(50, DATA, "points per set", ge=1)
    num_flows: int = option(4, MODEL, "flow blocks", ge=1)
    d_model: int = option(32, MODEL, "transformer width", ge=1)
    nhead: int = option(4, MODEL, "attention heads (divides d_model)", ge=1)
    num_layers: int = option(1, MODEL, "transformer layers per conditioner", ge=1)
    dropout: float = option(0.0, MODEL, "transformer dropout", ge=0, lt=1)
    coupling: str = option("spline", MODEL, "couplings over the coordinates: affine or "
                           "rational-quadratic spline", choices=POINTCLOUD_COUPLINGS)
    num_bins: int = option(16, MODEL, "spline bins (spline couplings)", ge=1)
    point_coupling: str = option("spline", MODEL, "couplings over the points: affine "
                                 "(official) or rational-quadratic spline",
                                 choices=POINTCLOUD_COUPLINGS, legacy="affine")
    point_conditioner: str | None = option(None, MODEL, "couplings over the points: paired "
                                           "(official: the j-th point of the first half "
                                           "parametrises the j-th of the second) or pooled (the "
                                           "first half's mean parametrises all of the second); "
                                           "default: pooled for permute, paired for the others",
                                           choices=POINT_CONDITIONERS, legacy="paired")
    frame_bound: float = option(4.0, MODEL, "the frame [0, 28) is mapped onto [-w, w) (0.5: "
                                "the official scaling; 4: the splines' interval)", gt=0,
                                legacy=0.5)
    no_spacings: bool = option(False, MODEL, "sort: the official SortFlow (no log-spacings "
                               "after sorting)")
    resample: bool = option(True, DATA, "draw fresh training sets from the training images at "
                            "every access (--no-resample: the fixed sets drawn once; test sets "
                            "stay fixed)", legacy=False)
    iwbo_k: int | None = option(None, RUN, "also the test IWBO with this many samples (0: off); "
                                "default: 32 for permute, whose likelihood is a bound, 0 for "
                                "the exact models", ge=0)
    steps: int = override("steps", 8000)
    batch_size: int = override("batch_size", 32)
    lr: float = override("lr", 3e-3)
    warmup: int = override("warmup", _IMAGE_TRAINING["warmup"])
    decay: str = override("decay", _IMAGE_TRAINING["decay"])
    clip_grad_norm: float | None = override("clip_grad_norm", _IMAGE_TRAINING["clip_grad_norm"])
    eval_every: int = override("eval_every", _IMAGE_TRAINING["eval_every"])
    out: str = override("out", "runs/pointcloud")

    def check(self) -> None:
        if self.d_model % self.nhead:
            raise SpecError(f"nhead (--nhead): must divide d_model {self.d_model}, got "
                            f"{self.nhead}")

    def resolved(self) -> PointcloudSpec:
        """Fills in ``point_conditioner`` (pooled for ``permute``, paired for the others) and
        ``iwbo_k`` (32 for ``permute``, 0 for the others).

        Example:
            >>> [(s.point_conditioner, s.iwbo_k) for s in
            ...  (PointcloudSpec(model=m).resolved() for m in ("permute", "sort"))]
            [('pooled', 32), ('paired', 0)]
        """
        permute = self.model == "permute"
        return dataclasses.replace(
            self, point_conditioner=self.point_conditioner or ("pooled" if permute else "paired"),
            iwbo_k=(32 if permute else 0) if self.iwbo_k is None else self.iwbo_k)


@experiment("tabular", "survae.experiments.tabular:train_tabular",
            "POWER, GAS, HEPMASS, MINIBOONE, BSDS300: MAF, RealNVP, NSF")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TabularSpec(TrainConfig):
    """``survae train tabular``: a flow of :mod:`survae.models.tabular` on a MAF-paper dataset.

    Example:
        >>> TabularSpec(dataset="power", model="nsf-ar").resolved().out
        'runs/tabular-power-nsf-ar'
    """

    dataset: str = option("miniboone", DATA, "MAF-paper dataset", choices=sorted(MAF_DATASETS))
    model: str = option("maf", MODEL, "flow", choices=TABULAR_MODELS)
    data_root: str | None = option(None, RUN, "folder holding uci_maf/ (default: the survae "
                                   "data folder)")
    download: bool = option(False, RUN, "fetch the MAF archive (about 1 GB) if files are missing")
    num_flows: int = option(5, MODEL, "flow steps", ge=1)
    hidden_units: tuple[int, ...] = option((128, 128), MODEL, "hidden layers of each MADE / "
                                           "coupling MLP", ge=1)
    num_bins: int = option(8, MODEL, "spline bins (nsf models)", ge=1)
    tail_bound: float = option(3.0, MODEL, "splines on [-B, B], identity outside (nsf models)",
                               gt=0)
    no_batch_norm: bool = option(False, MODEL, "no batch norm between maf / realnvp steps")
    steps: int = override("steps", 5000)
    batch_size: int = override("batch_size", 512)
    lr: float = override("lr", 5e-4)
    decay: str = override("decay", "cosine")
    eval_every: int = override("eval_every", 1000)
    checkpoint_every: int = override("checkpoint_every", 1000)
    out: str = override("out", "")

    def resolved(self) -> TabularSpec:
        out = self.out or f"runs/tabular-{self.dataset}-{self.model}"
        return dataclasses.replace(self, out=out)


ENERGY_MODELS = ("flow", "snf")
ENERGY_COUPLINGS = ("affine", "spline")
ENERGY_BASES = ("normal", "mixture")
MCMC_KERNELS = ("mh", "hmc", "langevin")
MCMC_GRADIENTS = ("stop", "path")


@experiment("energy", "survae.experiments.energy:train_energy",
            "sample an energy: flow or stochastic normalizing flow (reverse KL)")
@dataclasses.dataclass(frozen=True, kw_only=True)
class EnergySpec(TrainConfig):
    """``survae train energy``: a flow or an SNF trained by reverse KL on an energy target.

    Example:
        >>> EnergySpec(target="funnel", model="snf", out="").resolved().out
        'runs/energy-funnel-snf'
    """

    target: str = option("double_well", DATA, "unnormalised target density",
                         choices=sorted(ENERGY_TARGETS))
    dim: int = option(2, DATA, "dimension of the target", ge=2)
    model: str = option("flow", MODEL, "flow (couplings) or snf (the coupling blocks interleaved "
                        "with MCMC layers annealed from N(0, I) to the target)",
                        choices=ENERGY_MODELS)
    num_blocks: int = option(6, MODEL, "coupling blocks", ge=1)
    hidden_units: tuple[int, ...] = option((64, 64), MODEL, "hidden layers of each conditioner "
                                           "MLP", ge=1)
    coupling: str = option("affine", MODEL, "affine (RealNVP) or rational-quadratic spline "
                           "couplings", choices=ENERGY_COUPLINGS)
    base: str = option("normal", MODEL, "N(0, I) or a learned full-covariance Gaussian mixture",
                       choices=ENERGY_BASES)
    num_components: int = option(4, MODEL, "components of the mixture base", ge=1)
    mcmc: str = option("hmc", MODEL, "the SNF's kernel: random-walk Metropolis-Hastings, HMC or "
                       "unadjusted Langevin", choices=MCMC_KERNELS)
    mcmc_layers: int = option(3, MODEL, "the SNF's MCMC layers (annealing temperatures), at most "
                              "num_blocks", ge=1)
    mcmc_steps: int = option(5, MODEL, "kernel steps (transitions) per MCMC layer", ge=1)
    step_size: float = option(0.2, MODEL, "the kernel's step size (HMC: leapfrog step; MH: "
                                "proposal std)", gt=0)
    mcmc_gradient: str = option("stop", MODEL, "stop: the kernels' end points are constants in "
                                "backpropagation (each block segment learns to carry one "
                                "annealing target onto the next); path: through the kept samples",
                                choices=MCMC_GRADIENTS)
    eval_samples: int = option(50_000, RUN, "importance samples of the final evaluation", ge=2)
    eval_rungs: int = option(4, RUN, "the SNF is evaluated with each annealing stage refined into "
                             "this many MCMC layers (a ladder from the stage's pushforward density "
                             "to its target; same parameters); 1 evaluates it as trained", ge=1)
    no_plots: bool = option(False, RUN, "skip the sample plots")
    steps: int = override("steps", 2000)
    batch_size: int = override("batch_size", 256)
    decay: str = override("decay", "cosine")
    out: str = override("out", "")

    def resolved(self) -> EnergySpec:
        return dataclasses.replace(self, out=self.out or f"runs/energy-{self.target}-{self.model}")
