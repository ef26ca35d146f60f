"""Training hyper-parameters shared by every neural model."""

from __future__ import annotations

import dataclasses
import difflib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tsforge.errors import ConfigError
from tsforge.models.base import check_option_types
from tsforge.models.device import check_device_name
from tsforge.training.losses import pinball_quantile

if TYPE_CHECKING:
    from tsforge.models.base import Forecaster

__all__ = ["TrainConfig"]


@dataclass
class TrainConfig:
    """Optimiser, schedule, early stopping and batching for the one training loop.

    Defaults follow the DLinear/LTSF recipe (Adam, early stopping on validation MSE); a model
    can override them through ``NeuralForecaster.default_train_config`` (e.g. STPE-MLP uses the
    STELLA paper's lr/weight decay), and the user overrides both.
    """

    max_epochs: int = 20
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.0
    lr_schedule: str = (
        "none"  # "none" | "cosine" | "step" (×0.5 at lr_milestones) | "halving" (×0.5 every epoch)
    )
    lr_milestones: tuple[int, ...] = ()
    grad_clip: float | None = 5.0
    patience: int = 3
    min_delta: float = 0.0
    # training loss when no strategy is given: "mse" | "mae" | "pinball" | "pinball:<q>" (a
    # quantile model, see tsforge.training.losses); val_metric defaults to the same pinball kind
    loss: str = "mse"
    val_metric: str = "mse"  # early-stopping metric on validation (never masked by a strategy)
    seed: int = 2024
    train_stride: int = 1
    val_stride: int = 1
    max_batches_per_epoch: int | None = None
    progress: bool = True
    num_threads: int | None = None
    # "cpu" (default; bit-for-bit reproducible) | "cuda" | "cuda:N" | "auto" (a CUDA GPU if any);
    # see tsforge.models.device
    device: str = "cpu"

    def __post_init__(self) -> None:
        if self.max_epochs < 1:
            raise ConfigError("max_epochs must be at least 1", field="max_epochs")
        if self.batch_size < 1:
            raise ConfigError("batch_size must be at least 1", field="batch_size")
        if not (math.isfinite(self.lr) and self.lr > 0):  # NaN passed "<= 0" and reached Adam
            raise ConfigError(f"lr must be a positive finite number, got {self.lr}", field="lr")
        # 0 / None switch grad_clip, max_batches_per_epoch and num_threads off; a negative value
        # is never meant and fails late or silently: a negative clip norm flips every gradient
        # (ascent), a negative batch cap trains nothing, Adam and torch raise bare errors
        for name in ("grad_clip", "max_batches_per_epoch", "num_threads", "weight_decay", "min_delta"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ConfigError(f"{name} must not be negative, got {value}", field=name)
        if self.patience < 1:
            # the loop stops once ``bad_epochs >= patience``: at 0 or below that holds after the
            # first epoch even when it improved, which silently cut every run to one epoch
            raise ConfigError(
                f"patience must be at least 1 epoch without improvement, got {self.patience} "
                "(to never stop early, set it to max_epochs)",
                field="patience",
            )
        if self.lr_schedule not in ("none", "cosine", "step", "halving"):
            raise ConfigError(
                f"lr_schedule must be none, cosine, step or halving, got {self.lr_schedule!r}",
                field="lr_schedule",
            )
        for name in ("loss", "val_metric"):
            kind = getattr(self, name)
            if kind not in ("mse", "mae") and pinball_quantile(kind) is None:
                raise ConfigError(
                    f"{name} must be 'mse', 'mae', 'pinball' or 'pinball:<q>' (0 < q < 1), got {kind!r}",
                    field=name,
                )
        self.lr_milestones = tuple(int(m) for m in self.lr_milestones)
        # milestones only mean something to the "step" schedule, which without them (or with
        # epoch 0, before the first step) keeps the rate constant: a silent no-op either way
        if self.lr_schedule == "step" and not self.lr_milestones:
            raise ConfigError(
                "lr_schedule 'step' needs lr_milestones (epochs after which the rate halves)",
                field="lr_milestones",
            )
        if any(m < 1 for m in self.lr_milestones):
            raise ConfigError(
                f"lr_milestones must be epochs ≥ 1, got {list(self.lr_milestones)}", field="lr_milestones"
            )
        if self.lr_milestones and self.lr_schedule != "step":
            raise ConfigError(
                f"lr_milestones are used by lr_schedule 'step' only, not {self.lr_schedule!r}",
                field="lr_milestones",
            )
        self.device = check_device_name(self.device)

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> TrainConfig:
        values = dict(values or {})
        # a quantile model early-stops on its own pinball loss unless told otherwise: the epoch
        # with the best validation MSE is the best *mean* forecaster, not the best quantile
        if pinball_quantile(str(values.get("loss", ""))) is not None:
            values.setdefault("val_metric", values["loss"])
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ConfigError(
                f"unknown training option(s) {unknown}{_suggestions(unknown, names)}; valid: {sorted(names)}",
                field=unknown[0],
            )
        check_option_types(cls, values, lambda name: f"training option {name!r}")
        return cls(**values)

    @classmethod
    def for_model(
        cls, model: Forecaster | type[Forecaster] | None = None, overrides: dict[str, Any] | None = None
    ) -> TrainConfig:
        """Defaults ← the model's own defaults ← user overrides (``model``: an instance or its
        class: the defaults are a class attribute, so a check before the model is built can ask)."""
        merged: dict[str, Any] = dict(getattr(model, "default_train_config", {}) or {})
        merged.update({k: v for k, v in (overrides or {}).items() if v is not None})
        return cls.from_dict(merged)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["lr_milestones"] = list(self.lr_milestones)
        return d


#: names users bring from other libraries or from the CLI's flags (``--epochs``), by the field
#: they mean; difflib finds typos, not these
TRAIN_OPTION_ALIASES = {
    "epochs": "max_epochs",
    "n_epochs": "max_epochs",
    "num_epochs": "max_epochs",
    "learning_rate": "lr",
    "batch": "batch_size",
    "early_stopping_patience": "patience",
    "clip": "grad_clip",
    "gradient_clip_val": "grad_clip",
    "threads": "num_threads",
    "scheduler": "lr_schedule",
    "random_state": "seed",
}


def _suggestions(unknown: list[str], names: set[str]) -> str:
    """`` (did you mean 'max_epochs'?)`` for the unknown names with a likely field (a known alias
    first, else the closest name; ``'lr' for 'learning_rate', ...`` when several were unknown),
    ``""`` when none has one.

    Why: ``train_config={"epochs": 1}`` was answered with the list of valid names only, although
    the CLI's flag is ``--epochs``; the user had to find ``max_epochs`` in it.
    """
    meant = [(name, guess) for name in unknown if (guess := _likely_field(name, names))]
    if not meant:
        return ""
    if len(unknown) == 1:
        return f" (did you mean {meant[0][1]!r}?)"
    return " (did you mean " + ", ".join(f"{guess!r} for {name!r}" for name, guess in meant) + "?)"


def train_option_meant(name: str) -> str | None:
    """The :class:`TrainConfig` field ``name`` most likely means (``epochs`` → ``max_epochs``,
    ``learing_rate`` → ``lr``), or ``None``: for errors that say where such an option goes."""
    return _likely_field(name, {f.name for f in dataclasses.fields(TrainConfig)})


def _likely_field(name: str, names: set[str]) -> str | None:
    """The field ``name`` most likely means: its alias, else the closest field name, else ``None``."""
    key = name.strip().lstrip("-").lower().replace("-", "_")
    guess = TRAIN_OPTION_ALIASES.get(key) or next(
        iter(difflib.get_close_matches(key, sorted(names), n=1)), None
    )
    return guess if guess in names else None
