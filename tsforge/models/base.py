"""The one model interface: every forecaster (baseline, LightGBM, neural) implements it.

Why one interface: the pipeline, evaluation, MLflow packaging, tuning, the recommender's
knowledge base and the service all drive models through these few methods, so a new model is
a new file plus a ``@register_model`` line — nothing else changes. Models never import the
training package: neural models describe their network and schedule, and
``tsforge.training.fitting`` runs the one loop on them.

Scale convention: models see and return **normalised** values (per-channel z-score fitted on
train); scaling and unscaling happen outside, in ``ForecastTask`` and ``tsforge.inference``.
"""

from __future__ import annotations

import dataclasses
import numbers
import types
import typing
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

import numpy as np
import torch
from torch import nn

from tsforge.data.calendar import resolvable_terms
from tsforge.data.frequency import season_length
from tsforge.errors import ConfigError
from tsforge.models.device import batch_to, module_device
from tsforge.models.schedule import TrainStage

if TYPE_CHECKING:
    from tsforge.data.task import ForecastTask
    from tsforge.data.windows import Batch, BatchedWindows
    from tsforge.training.callbacks import Callback
    from tsforge.training.config import TrainConfig
    from tsforge.training.strategy import LossStrategy

__all__ = [
    "ModelContext",
    "Forecaster",
    "NeuralForecaster",
    "QuantileForecaster",
    "WindowTask",
    "FitReport",
    "check_option_types",
    "check_model_options",
    "config_from_dict",
    "check_at_least_one",
    "check_fractions",
]


@dataclass(frozen=True)
class ModelContext:
    """What a model is built for: fixed by the task, stored with the model."""

    input_len: int
    horizon: int
    channel_ids: tuple[str, ...]
    freq: str | None = None
    season_length: int = 1
    calendar_terms: tuple[str, ...] = ()
    coords: np.ndarray | None = field(default=None, compare=False)

    @property
    def n_channels(self) -> int:
        return len(self.channel_ids)

    @classmethod
    def from_task(cls, task: ForecastTask) -> ModelContext:
        d = task.data
        return cls(
            input_len=task.input_len,
            horizon=task.horizon,
            channel_ids=d.channel_ids,
            freq=d.freq,
            season_length=season_length(d.freq),
            calendar_terms=resolvable_terms(d.freq) if d.timestamps is not None else (),
            coords=d.coords,
        )

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["channel_ids"] = list(self.channel_ids)
        out["calendar_terms"] = list(self.calendar_terms)
        out["coords"] = None if self.coords is None else np.asarray(self.coords).tolist()
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelContext:
        return cls(
            input_len=int(d["input_len"]),
            horizon=int(d["horizon"]),
            channel_ids=tuple(d["channel_ids"]),
            freq=d.get("freq"),
            season_length=int(d.get("season_length", 1)),
            calendar_terms=tuple(d.get("calendar_terms", ())),
            coords=None if d.get("coords") is None else np.asarray(d["coords"], dtype=np.float64),
        )


def config_from_dict(config_cls: type, values: dict[str, Any] | None, model: str) -> Any:
    """Build a model's config dataclass, refusing unknown keys with the list of valid ones."""
    values = dict(values or {})
    check_model_options(config_cls, values, model)
    return config_cls(**values)


def check_model_options(config_cls: type, values: Mapping[str, Any], model: str) -> None:
    """Refuse an unknown key of ``model``'s config dataclass (with the list of valid ones) and a
    value whose type does not fit its field, as building the config does.

    Why apart from :func:`config_from_dict`: a model's ``prepare_config`` may read options
    before the config is built (HUTFormer's tiling); it calls this first, so that what the build
    would refuse is refused there too, naming the option and the value: ``segment_len=2.7`` was
    read by ``int()`` as 2, and trained as if 2 had been asked for.
    """
    names = {f.name for f in dataclasses.fields(config_cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise ConfigError(
            f"unknown option(s) {unknown} for model {model!r}; valid options: {sorted(names)}",
            field=unknown[0],
        )
    check_option_types(config_cls, dict(values), lambda name: f"option {name!r} of model {model!r}")


def check_option_types(config_cls: type, values: dict[str, Any], subject: Callable[[str], str]) -> None:
    """Refuse the first value whose type does not fit its field of the dataclass ``config_cls``;
    ``subject(name)`` says whose option it is in the message ("training option 'lr'").

    Shared by the model configs and the training config: ``--train-option lr=abc`` once reached
    the loop as a string and failed there with a ``TypeError``, after an MLflow run had started.
    """
    hints = typing.get_type_hints(config_cls)
    for name, value in values.items():
        if not _accepts(hints.get(name, Any), value):
            shown = str(hints[name]).replace("<class '", "").replace("'>", "")
            raise ConfigError(f"{subject(name)} must be {shown}, got {value!r}", field=name)


def _accepts(hint: Any, value: Any) -> bool:
    """Whether ``value`` fits a config field's annotation (the scalar types, ``X | None`` and
    sequences; anything else is left to the model's own checks).

    Why: ``--option kernel_size=abc`` reached the network as a string and failed deep inside
    it with a ``TypeError``; the option's name and type belong in the error.
    """
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(arg, value) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool | np.bool_)
    if hint is int:
        return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)
    if hint is float:
        return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    if hint is str:
        return isinstance(value, str)
    if origin in (list, tuple) or hint in (list, tuple):
        return isinstance(value, list | tuple)
    return True


def check_at_least_one(config: Any, names: Sequence[str]) -> None:
    """Refuse the first option in ``names`` below 1 (a width, a count, a length).

    Why a function: every model validates its sizes this way; one wording names the field the
    same for all of them.
    """
    for name in names:
        if int(getattr(config, name)) < 1:
            raise ConfigError(f"{name} must be at least 1, got {getattr(config, name)}", field=name)


def check_fractions(config: Any, names: Sequence[str]) -> None:
    """Refuse the first option in ``names`` outside ``[0, 1)`` (dropout rates)."""
    for name in names:
        if not 0.0 <= float(getattr(config, name)) < 1.0:
            raise ConfigError(f"{name} must be in [0, 1), got {getattr(config, name)}", field=name)


@dataclass
class FitReport:
    """What ``fit`` returns: per-epoch history (empty for models without epochs) and summary numbers."""

    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int | None = None
    best_val_loss: float | None = None
    train_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class _EmptyConfig:
    pass


class Forecaster(ABC):
    """Base class of every model.

    Subclasses set ``name`` (registry key) and ``Config`` (a keyword dataclass with defaults),
    and implement ``fit``, ``predict`` and the state round trip.
    """

    name: ClassVar[str] = "base"
    Config: ClassVar[type] = _EmptyConfig
    # The three flags below are class defaults that an instance may override (an ensemble takes
    # them from its members, HUTFormer from its spatial mode); callers read them on the instance.
    #: True when each channel is forecast from its own history only: the predictor then batches
    #: any set of series; False (iTransformer) makes it forecast a request as one window.
    channel_independent: bool = True
    #: True when predicting a channel needs it to be one the model was trained on (or coordinates).
    needs_known_channels: bool = False
    #: False for models that never read ``x_cal``/``y_cal``: inference then skips calendar work.
    uses_calendar: bool = True
    #: Options for cheap, equal-budget comparisons (the recommender's knowledge base): small
    #: widths, few trees. Kept here so adding a model touches one file.
    budget_config: ClassVar[dict[str, Any]] = {}

    @classmethod
    def prepare_config(cls, options: dict[str, Any], context: ModelContext, *, seed: int) -> dict[str, Any]:
        """Adapt user options to ``context`` before construction (default: unchanged).

        Why a hook: some models have shape rules (HUTFormer's tiling of the input length) or
        their own seed (LightGBM); the fit path calls this for every model, so no caller has to
        know a model's rules. Options the user set explicitly must win over adaptations.
        """
        return dict(options)

    def __init__(self, context: ModelContext, config: dict[str, Any] | Any | None = None) -> None:
        self.context = context
        if config is None or isinstance(config, dict):
            self.config = config_from_dict(self.Config, config, self.name)
        else:
            self.config = config
        self.validate()

    def validate(self) -> None:
        """Refuse configurations that cannot work (raise ConfigError naming the values to change)."""
        return None

    def config_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self.config)

    @abstractmethod
    def fit(
        self,
        task: WindowTask,
        *,
        train_config: TrainConfig | None = None,
        loss: LossStrategy | None = None,
        callbacks: Sequence[Callback] = (),
    ) -> FitReport:
        """Fit on ``task``'s training windows (validation windows for early stopping)."""

    @abstractmethod
    def predict(self, batch: Batch) -> torch.Tensor:
        """Forecast ``[B, H, C]`` normalised values for a batch (see the batch contract)."""

    @abstractmethod
    def get_state(self) -> dict[str, Any]:
        """Fitted state as tensors / str / bytes / numbers (saved with ``torch.save``)."""

    @abstractmethod
    def set_state(self, state: dict[str, Any]) -> None:
        """Restore fitted state produced by :meth:`get_state`."""

    @property
    def n_parameters(self) -> int:
        return 0


class WindowTask(Protocol):
    """What training reads from a task: the windows of a split. A multichannel
    :class:`~tsforge.data.task.ForecastTask` gives them, and so does a panel's ``PanelTask``
    (a global panel model trains through the same fit path and loop)."""

    def dataset(self, split: str, stride: int = 1) -> BatchedWindows:
        """Windows whose targets lie in ``split`` (``train``, ``val``, ...), every ``stride``-th."""
        ...


@runtime_checkable
class QuantileForecaster(Protocol):
    """A forecaster with quantile heads besides its point forecast (LightGBM trained with
    ``quantiles``): what a panel predictor's native intervals read."""

    def predict_quantiles(self, batch: Batch) -> torch.Tensor:
        """``[B, H, C, Q]`` forecasts of the trained quantiles, sorted along ``Q``."""
        ...


class NeuralForecaster(Forecaster):
    """A forecaster backed by a ``torch.nn.Module`` and trained by the one training loop.

    Subclasses implement :meth:`build_module` (the module's ``forward(batch) -> [B, H, C]``) and
    may override :meth:`training_schedule` (e.g. HUTFormer's two stages) and
    ``default_train_config`` (e.g. STPE-MLP's learning rate and weight decay from the paper).
    """

    default_train_config: ClassVar[dict[str, Any]] = {}

    def __init__(self, context: ModelContext, config: dict[str, Any] | Any | None = None) -> None:
        super().__init__(context, config)
        self.module: nn.Module = self.build_module()

    @abstractmethod
    def build_module(self) -> nn.Module:
        """Create the (untrained) network for ``self.context`` and ``self.config``."""

    def training_schedule(self, train_config: TrainConfig) -> list[TrainStage]:
        """Stages of training; default = one stage training every parameter."""
        return [TrainStage(name="main")]

    def fit(self, task: WindowTask, **kwargs: Any) -> FitReport:
        """Neural models are trained by the one training loop: ``tsforge.training.fitting.train_forecaster``."""
        raise TypeError(
            f"{self.name} is a neural model: train it with tsforge.training.fitting.train_forecaster "
            "(or tsforge.training.fitting.fit_model for a full spec)"
        )

    @torch.no_grad()
    def predict(self, batch: Batch) -> torch.Tensor:
        """On the module's device (a GPU after training with ``device="cuda"``); CPU tensors back."""
        self.module.eval()
        return self.module(batch_to(batch, module_device(self.module))).cpu()

    def get_state(self) -> dict[str, Any]:
        # always CPU tensors: a model trained on a GPU is saved and loaded anywhere
        return {"module": {k: v.detach().to("cpu", copy=True) for k, v in self.module.state_dict().items()}}

    def set_state(self, state: dict[str, Any]) -> None:
        self.module.load_state_dict(state["module"])

    @property
    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.module.parameters())
