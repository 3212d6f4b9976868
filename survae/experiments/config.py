"""The machinery of typed run specs, and :class:`TrainConfig`, the options every run shares.

``option(default, ROLE, help, ge=..., choices=...)`` declares a field; ``TrainConfig.__post_init__``
checks every field's type, range and choices once (from flags, YAML or Python alike);
``add_spec_arguments`` generates the flags of a spec class, ``spec_from_args`` lays the given
flags over a ``--config`` YAML file over the defaults, ``read_yaml`` reads such a file (numbers
such as ``1e-3`` as numbers), ``resume_differences`` compares a checkpoint's spec with a new one
by role. The experiments' specs, and how to add one, are in :mod:`survae.experiments.specs`.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from survae.experiments.errors import SpecError

MODEL, DATA, OPTIM, RUN = "model", "data", "optim", "run"
ROLES = (MODEL, DATA, OPTIM, RUN)
DECAYS = ("none", "cosine", "exponential")
NO_LEGACY = object()  # option(legacy=...) not given


def option(
    default: Any,
    role: str,
    help: str = "",
    *,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
    choices: Sequence[Any] | None = None,
    legacy: Any = NO_LEGACY,
) -> Any:
    """A spec field: its default, role (``MODEL``/``DATA``/``OPTIM``/``RUN``), help and range.

    ``legacy`` is the value runs written before the field existed had in effect: a checkpoint
    without the field is compared on resume as if it held ``legacy`` (without it, such a
    checkpoint is not compared on that field).
    """
    if role not in ROLES:
        raise ValueError(f"option: role must be one of {ROLES}, got {role!r}")
    bounds = {"ge": ge, "gt": gt, "le": le, "lt": lt}
    metadata = {"role": role, "help": help, "choices": tuple(choices) if choices else None,
                "bounds": {k: v for k, v in bounds.items() if v is not None}}
    if legacy is not NO_LEGACY:
        metadata["legacy"] = legacy
    return dataclasses.field(default=default, metadata=metadata)


def override(name: str, default: Any) -> Any:
    """A shared :class:`TrainConfig` field with another default (same role, help and range)."""
    field = {f.name: f for f in dataclasses.fields(TrainConfig)}[name]
    return dataclasses.field(default=default, metadata=field.metadata)


def flag_name(name: str) -> str:
    """The command-line flag of a field: ``batch_size`` -> ``--batch-size``."""
    return "--" + name.replace("_", "-")


def _describe(field: dataclasses.Field) -> str:
    words = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
    return " and ".join(f"{words[k]} {v:g}" for k, v in field.metadata["bounds"].items())


_RANGE = {"ge": lambda v, b: v >= b, "gt": lambda v, b: v > b,
          "le": lambda v, b: v <= b, "lt": lambda v, b: v < b}


def _base_and_optional(kind: Any) -> tuple[Any, bool]:
    """``(int, True)`` for ``int | None``; ``(tuple[int, ...], False)`` for that tuple."""
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return rest[0], True
    return kind, False


def _check_scalar(name: str, kind: type, value: Any) -> Any:
    """``value`` as ``kind`` if it is one (ints count as floats); else a ``SpecError``."""
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise SpecError(f"{name}: expected true or false, got {value!r}")
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise SpecError(f"{name}: expected an integer, got {value!r}")
    if kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise SpecError(f"{name}: expected a finite number, got {value!r}")
            return float(value)
        raise SpecError(f"{name}: expected a number, got {value!r}")
    if kind is str:
        if isinstance(value, str):
            return value
        raise SpecError(f"{name}: expected a string, got {value!r}")
    raise TypeError(f"spec option {name}: unsupported type {kind}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """The options every ``survae train ...`` command shares (the shared trainer's settings).

    The experiments' specs (:mod:`survae.experiments.specs`) derive from it; on its own it
    configures a :class:`~survae.experiments.trainer.Trainer` from Python. The roles are
    described in :mod:`survae.experiments.specs`; each field's help says what it does.

    Example:
        >>> TrainConfig(steps=100, decay="cosine").warmup
        0
        >>> try:
        ...     TrainConfig(gamma=-1)
        ... except SpecError as error:
        ...     print(error)
        gamma (--gamma): expected a number > 0 and <= 1, got -1.0
    """

    kind: ClassVar[str | None] = None

    out: str = option("runs/train", RUN, "run folder (checkpoint, log, plots, metrics)")
    steps: int = option(1000, OPTIM, "optimisation steps in all (a resumed run continues up "
                        "to this count)", ge=1)
    batch_size: int = option(64, DATA, "global batch size (split over the ranks of a "
                             "distributed run)", ge=1)
    eval_batch_size: int = option(256, RUN, "batch size of evaluation passes", ge=1)
    lr: float = option(1e-3, OPTIM, "peak learning rate of Adam", gt=0)
    weight_decay: float = option(0.0, OPTIM, "Adam's L2 penalty", ge=0)
    warmup: int = option(0, OPTIM, "steps of linear learning-rate warm-up from 0", ge=0)
    decay: str = option("none", OPTIM, "learning-rate decay after the warm-up: cosine (to "
                        "min_lr_ratio * lr at the last step) or exponential (gamma per step)",
                        choices=DECAYS)
    gamma: float = option(0.9995, OPTIM, "factor per step of the exponential decay", gt=0, le=1)
    min_lr_ratio: float = option(0.0, OPTIM, "final learning rate of the cosine decay, "
                                 "relative to lr", ge=0, le=1)
    clip_grad_norm: float | None = option(None, OPTIM, "clip the global gradient norm to this "
                                          "value (0 or none: no clipping)", ge=0)
    eval_every: int = option(0, RUN, "evaluate every this many steps (0: only at the end)", ge=0)
    checkpoint_every: int = option(0, RUN, "checkpoint every this many steps (0: only at the "
                                   "end)", ge=0)
    log_every: int = option(50, RUN, "write a CSV row every this many steps", ge=1)
    seed: int = option(0, DATA, "seeds the data order and the model's initialisation", ge=0)
    threads: int = option(1, RUN, "torch CPU threads per process (0: torch's default)", ge=0)
    device: str = option("cpu", RUN, "cpu, cuda, cuda:1... (distributed runs use their local "
                         "rank)")
    resume: bool = option(False, RUN, "continue from the run folder's checkpoint")
    overwrite: bool = option(False, RUN, "start afresh in a run folder that holds a run "
                             "(its checkpoint, log and metrics are replaced)")
    quiet: bool = option(False, RUN, "no progress bar")
    max_nonfinite: int = option(10, RUN, "stop after this many consecutive non-finite batches",
                                ge=1)
    workers: int = option(0, RUN, "DataLoader worker processes", ge=0)
    compile: bool = option(False, RUN, "compile the training step with torch.compile (static "
                           "shapes; eager with a one-line notice if compilation fails)")

    def __post_init__(self) -> None:
        hints = typing.get_type_hints(type(self))
        for field in dataclasses.fields(self):
            value = self._checked(field, hints[field.name], getattr(self, field.name))
            object.__setattr__(self, field.name, value)
        if self.resume and self.overwrite:
            raise SpecError("resume and overwrite exclude each other: keep the run, or replace it")
        self._check_device()
        self.check()

    @staticmethod
    def _checked(field: dataclasses.Field, kind: Any, value: Any) -> Any:
        name = f"{field.name} ({flag_name(field.name)})"
        kind, optional = _base_and_optional(kind)
        if value is None:
            if optional:
                return None
            raise SpecError(f"{name}: a value is required, got none")
        if typing.get_origin(kind) is tuple:
            item = typing.get_args(kind)[0]
            if not isinstance(value, (list, tuple)) or not value:
                raise SpecError(f"{name}: expected a list of {item.__name__}s, got {value!r}")
            value = tuple(_check_scalar(name, item, v) for v in value)
            items = value
        else:
            value = _check_scalar(name, kind, value)
            items = (value,)
        choices = field.metadata["choices"]
        for v in items:
            if choices is not None and v not in choices:
                raise SpecError(f"{name}: expected one of {', '.join(map(str, choices))}; "
                                f"got {v!r}")
            for bound, limit in field.metadata["bounds"].items():
                if not _RANGE[bound](v, limit):
                    what = "an integer" if isinstance(v, int) else "a number"
                    raise SpecError(f"{name}: expected {what} {_describe(field)}, got {v!r}")
        return value

    def _check_device(self) -> None:
        import torch

        try:  # the syntax only: a spec may be written here to run on another machine
            torch.device(self.device)
        except RuntimeError:
            raise SpecError(f"device (--device): not a torch device: {self.device!r} (cpu, "
                            "cuda, cuda:1, mps...)") from None

    def check(self) -> None:
        """Cross-field checks of a subclass (raise ``SpecError``); none here."""

    def resolved(self) -> TrainConfig:
        """The spec with defaults that depend on other fields filled in (none here)."""
        return self

    # ----------------------------------------------------------------- views
    @classmethod
    def options(cls, *roles: str) -> list[dataclasses.Field]:
        """The fields of the given roles (all fields when none are given)."""
        return [f for f in dataclasses.fields(cls) if not roles or f.metadata["role"] in roles]

    def to_dict(self, *roles: str) -> dict[str, Any]:
        """Plain values of the fields of ``roles`` (all by default); tuples become lists."""
        return {f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
                for f in self.options(*roles)}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any], source: str = "settings") -> TrainConfig:
        """The spec of a mapping whose keys are field names (``-`` or ``_``)."""
        settings = {str(k).replace("-", "_"): v for k, v in values.items()}
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise SpecError(f"{source}: unknown settings {unknown}; known: {sorted(known)}")
        return cls(**settings)

    @classmethod
    def from_yaml(cls, path: str | os.PathLike, **overrides: Any) -> TrainConfig:
        """The spec of a YAML file of settings, ``overrides`` (field names) winning over it."""
        return cls.from_dict({**read_yaml(path), **overrides}, f"config {path}")

    def to_yaml(self) -> str:
        """The spec as YAML text (flag-style keys) that :meth:`from_yaml` reads back."""
        import yaml

        data = {k.replace("_", "-"): v for k, v in self.to_dict().items()}
        return yaml.safe_dump(data, sort_keys=False)


def read_yaml(path: str | os.PathLike) -> dict[str, Any]:
    """A YAML mapping of settings; numbers such as ``1e-3`` are numbers (YAML 1.2), not text."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    number = r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)$"
    Loader.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(number),
                                 list("-+0123456789"))
    try:
        with open(path) as handle:
            data = yaml.load(handle, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
    except OSError as error:
        raise SpecError(f"--config {path}: cannot read it ({error.strerror})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(error, "problem", None) or type(error).__name__
        raise SpecError(f"--config {path}: not valid YAML{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SpecError(f"--config {path}: expected a mapping of settings, got "
                        f"{type(data).__name__}")
    return data


# --------------------------------------------------------------------------- the registry
@dataclasses.dataclass(frozen=True)
class Experiment:
    """A registered experiment: its spec class, its train function and its help line."""

    name: str
    spec: type[TrainConfig]
    train: str  # "module:function", imported when the experiment runs
    help: str

    def train_function(self) -> Callable[[Any], dict[str, Any]]:
        import importlib

        module, function = self.train.split(":")
        return getattr(importlib.import_module(module), function)


EXPERIMENTS: dict[str, Experiment] = {}


def experiment(name: str, train: str, help: str) -> Callable[[type], type]:
    """Register a spec class as ``survae train <name>`` (see the module docstring)."""

    def register(cls: type[TrainConfig]) -> type[TrainConfig]:
        cls.kind = name
        EXPERIMENTS[name] = Experiment(name, cls, train, help)
        return cls

    return register


# --------------------------------------------------------------------------- flags
def _text_parser(kind: type, name: str) -> Callable[[str], Any]:
    """Flag text -> value of ``kind`` (ranges are checked by the spec, not here)."""

    def parse(text: str) -> Any:
        if kind is str:
            return text
        if kind is float and text.lower() in ("none", "null"):
            return None
        try:
            return kind(text)
        except ValueError:
            what = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None

    parse.__name__ = kind.__name__
    return parse


def add_spec_arguments(parser: argparse.ArgumentParser, spec: type[TrainConfig]) -> None:
    """Add one flag per field of ``spec`` (and ``--config``) to ``parser``.

    Flags default to "not given", so :func:`spec_from_args` can lay the given flags over the
    YAML file over the dataclass's defaults.
    """
    hints = typing.get_type_hints(spec)
    groups = {MODEL: parser.add_argument_group("model and data (fixed for --resume)"),
              OPTIM: parser.add_argument_group("optimiser and schedule"),
              RUN: parser.add_argument_group("run")}
    groups[DATA] = groups[MODEL]
    for field in dataclasses.fields(spec):
        kind, optional = _base_and_optional(hints[field.name])
        help_text = field.metadata["help"]
        if field.metadata["choices"]:
            help_text += f" ({'|'.join(map(str, field.metadata['choices']))})"
        if field.metadata["bounds"]:
            help_text += f"; {_describe(field)}"
        default = field.default
        help_text += f" [default: {default!r}]" if kind is not bool else ""
        group = groups[field.metadata["role"]]
        common = dict(dest=field.name, default=argparse.SUPPRESS, help=help_text)
        if kind is bool and default:  # on by default: the flag turns it off
            group.add_argument(flag_name("no_" + field.name), action="store_false", **common)
        elif kind is bool:
            group.add_argument(flag_name(field.name), action="store_true", **common)
        elif typing.get_origin(kind) is tuple:
            item = typing.get_args(kind)[0]
            group.add_argument(flag_name(field.name), nargs="+", metavar=item.__name__.upper(),
                               type=_text_parser(item, field.name), **common)
        else:
            group.add_argument(flag_name(field.name), type=_text_parser(kind, field.name),
                               metavar=kind.__name__.upper(), **common)
    parser.add_argument("--config", default=None, metavar="YAML",
                        help="YAML file of settings (keys: flag names, - or _); flags given on "
                        "the command line win over it")


def spec_from_args(spec: type[TrainConfig], args: argparse.Namespace) -> TrainConfig:
    """The spec of parsed flags: defaults, then ``--config`` YAML, then the flags given."""
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(spec)
             if hasattr(args, f.name)}
    config = getattr(args, "config", None)
    if config:
        settings = read_yaml(config)
        return spec.from_dict({**settings, **given}, f"--config {Path(config)}")
    return spec(**given)


def resume_differences(saved: Mapping[str, Any], spec: TrainConfig,
                       roles: Sequence[str] = (MODEL, DATA)) -> dict[str, tuple[Any, Any]]:
    """``{field: (saved value, spec's value)}`` for fields of ``roles`` that differ. A field
    absent from ``saved`` (a checkpoint written before the field existed) is compared through
    its ``legacy`` value when it declares one, and not compared otherwise."""
    current = spec.to_dict(*roles)
    legacy = {f.name: f.metadata["legacy"] for f in spec.options(*roles)
              if "legacy" in f.metadata}
    saved = {**legacy, **saved}
    return {k: (saved[k], v) for k, v in current.items()
            if k in saved and _plain(saved[k]) != v}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
