"""One trial's configuration, drawn from the search spaces declared next to models and strategies.

Why here and not in the CLI: a search space belongs to the component it tunes (the model's in
the model registry, selective learning's ``r_u``/``r_a`` on its strategy class), so this module
only *combines* them, and the same function rebuilds a structured configuration from a flat
``best_params`` dict (through :class:`optuna.trial.FixedTrial`) for the final retraining.

The data at hand: a model space whose choices depend on the task (LightGBM's ``n_lags``, which
the model caps at the input window; HUTFormer's tilings of it) declares a ``context`` parameter and is given the
:class:`~tsforge.models.base.ModelContext` the trials train with, so it offers each choice the
data can tell apart once; spaces without that parameter are called with the trial alone. What
a model adapts to the data after the draw (:func:`trained_config`) is reported as trained.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import optuna

from tsforge.errors import ConfigError
from tsforge.models.base import ModelContext
from tsforge.models.registry import get_model_spec

__all__ = [
    "TrialConfig",
    "suggest_config",
    "config_from_params",
    "strategy_search_space",
    "has_search_space",
    "check_fixed_options",
    "probe_space",
    "trained_config",
]


@dataclass
class TrialConfig:
    """Suggested options, split by the component they configure."""

    model: dict[str, Any] = field(default_factory=dict)
    train: dict[str, Any] = field(default_factory=dict)
    strategy: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {"model": dict(self.model), "train": dict(self.train), "strategy": dict(self.strategy)}


def _strategy_class(strategy: str) -> Any:
    import tsforge.training  # noqa: F401  (registers the built-in strategies)

    try:  # selective learning registers itself on import
        import tsforge.training.selective  # noqa: F401
    except ImportError:  # pragma: no cover - only while the module is absent
        pass
    from tsforge.training.strategy import STRATEGIES

    if strategy not in STRATEGIES:
        raise ConfigError(f"unknown strategy {strategy!r}; available: {sorted(STRATEGIES)}", field="strategy")
    return STRATEGIES[strategy]


def strategy_search_space(strategy: str | None) -> Any:
    """The ``search_space(trial) -> dict`` of a loss strategy, or ``None`` when it has none."""
    if strategy is None or strategy == "plain":
        return None
    return getattr(_strategy_class(strategy), "search_space", None)


def has_search_space(model: str, strategy: str | None = None) -> bool:
    """Whether tuning ``model`` (with ``strategy``) has anything to search."""
    return get_model_spec(model).search_space is not None or strategy_search_space(strategy) is not None


class _PinnedTrial:
    """A trial whose ``suggest_*`` answers the fixed value of an option the user pinned
    (``--option``, ``--train-option``) without asking Optuna; every other call goes to the trial.

    Why: a fixed option wins over the suggestion when the trial trains, but the suggestion was
    still drawn and recorded, so with ``-o kernel_size=49`` every trial trained kernel 49 while
    the study searched (and the best-trial table, ``best.json`` and the parameter importances
    reported) kernel 13/25 — values no model was trained with. Search spaces name their
    parameters after the options they set, which is what makes the pin possible.
    """

    def __init__(self, trial: Any, fixed: dict[str, Any]) -> None:
        self._trial = trial
        self._fixed = fixed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._trial, name)

    def _pinned(self, kind: str, name: str, *args: Any, **kwargs: Any) -> Any:
        if name in self._fixed:
            return self._fixed[name]
        return getattr(self._trial, kind)(name, *args, **kwargs)

    def suggest_categorical(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._pinned("suggest_categorical", name, *args, **kwargs)

    def suggest_int(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._pinned("suggest_int", name, *args, **kwargs)

    def suggest_float(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._pinned("suggest_float", name, *args, **kwargs)


def _model_space(space: Callable[..., Any], trial: Any, context: ModelContext | None) -> Any:
    """``space(trial)``, or ``space(trial, context=context)`` for a space that reads the data.

    Why by its signature: most spaces are the same for any data and keep the one-argument
    form the registry documents; the few whose choices depend on the task say so by taking
    ``context`` (``None`` when no data is known: they then offer every choice).
    """
    if "context" in inspect.signature(space).parameters:
        return space(trial, context=context)
    return space(trial)


def suggest_config(
    trial: optuna.Trial | optuna.trial.FixedTrial,
    model: str,
    strategy: str | None = None,
    fixed: dict[str, Any] | None = None,
    context: ModelContext | None = None,
) -> TrialConfig:
    """Ask ``trial`` for a model / training / strategy configuration.

    ``fixed``: option values the user pinned (model, training and strategy options in one
    dict); a parameter of that name is not searched and takes the pinned value.
    ``context``: what the trials train on (input window, horizon, season), for the model spaces
    whose choices depend on it (see the module docstring).

    Raises:
        ConfigError: neither the model nor the strategy declares a search space.
    """
    if fixed:
        trial = _PinnedTrial(trial, dict(fixed))  # type: ignore[assignment]
    spec = get_model_spec(model)
    space_fn = strategy_search_space(strategy)
    if spec.search_space is None and space_fn is None:
        raise ConfigError(f"model {spec.name!r} declares no search space; nothing to tune", field="model")
    cfg = TrialConfig()
    if spec.search_space is not None:
        space = _model_space(spec.search_space, trial, context) or {}
        cfg.model = dict(space.get("model", {}))
        cfg.train = dict(space.get("train", {}))
    if space_fn is not None:
        got = dict(space_fn(trial) or {})
        cfg.strategy = dict(got["strategy"]) if isinstance(got.get("strategy"), dict) else got
    return cfg


def config_from_params(
    params: dict[str, Any],
    model: str,
    strategy: str | None = None,
    fixed: dict[str, Any] | None = None,
    context: ModelContext | None = None,
) -> TrialConfig:
    """Rebuild the structured configuration of a finished trial from its flat ``params`` (and
    the study's pinned options, which its params do not hold: see :func:`suggest_config`)."""
    return suggest_config(optuna.trial.FixedTrial(dict(params)), model, strategy, fixed, context)


def trained_config(
    cfg: TrialConfig,
    model: str,
    context: ModelContext | None,
    *,
    seed: int,
    fixed_model: dict[str, Any] | None = None,
) -> TrialConfig:
    """``cfg`` with each searched model option as the model trains it on ``context``.

    Why: a model may adapt its options to the data before it is built (its ``prepare_config``:
    HUTFormer replaces a tiling the input window cannot hold), so on 24-step windows 13 of
    HUTFormer's 18 searched tilings trained another one while the best-trial table and
    ``best.json`` reported the one asked for. Its search now offers only tilings the window
    holds; a tiling completed by the user's fixed options (``-o stages=3``) may still not fit. The trial's flat ``params`` stay Optuna's (the
    study rebuilds and retrains from them); what is reported as trained is what was trained.
    ``fixed_model``: the user's fixed model options, which the model adapts beside them.
    """
    if context is None or not cfg.model:
        return cfg
    options = {**cfg.model, **(fixed_model or {})}
    prepared = get_model_spec(model).cls.prepare_config(options, context, seed=seed)
    return TrialConfig(
        model={k: prepared.get(k, v) for k, v in cfg.model.items()},
        train=dict(cfg.train),
        strategy=dict(cfg.strategy),
    )


class _ChoiceProbe:
    """A stand-in trial that answers every ``suggest_*`` with a valid value and records the
    choices of each categorical parameter (see :func:`probe_space`)."""

    def __init__(self) -> None:
        self.choices: dict[str, tuple[Any, ...]] = {}

    def suggest_categorical(self, name: str, choices: Any) -> Any:
        self.choices[name] = tuple(choices)
        return self.choices[name][0]

    def suggest_int(self, name: str, low: int, high: int, **_: Any) -> int:
        return low

    def suggest_float(self, name: str, low: float, high: float, **_: Any) -> float:
        return low


def probe_space(
    model: str,
    strategy: str | None = None,
    fixed: dict[str, Any] | None = None,
    context: ModelContext | None = None,
) -> tuple[TrialConfig, dict[str, tuple[Any, ...]]]:
    """One configuration a trial can draw (each parameter's first choice or lower bound, the
    pinned ones as pinned) and the choices each categorical parameter offers for ``context``.

    Why: the configuration lets the fixed options be built into the model for the data before
    the study opens, beside values a trial could really have; the choices guard a resumed
    study: Optuna cannot change a categorical parameter's choices within a study, and a space
    that reads the data offers fewer than it did before it read it (LightGBM's ``n_lags`` on a
    24-step window: 24 only, where 24, 48 and 96 trained the same model), so a study started
    with the old choices is refused by name instead of failing on Optuna's "dynamic value space".
    """
    probe = _ChoiceProbe()
    cfg = suggest_config(probe, model, strategy, fixed, context)  # type: ignore[arg-type]
    return cfg, probe.choices


def check_fixed_options(
    model: str, model_config: dict[str, Any] | None, train_config: dict[str, Any] | None
) -> None:
    """Refuse fixed options (``--option``, ``--train-option``) that no trial could train with:
    an unknown name or a value of the wrong type, named as the training would name it.

    Why before the study opens: these errors were raised inside every trial, so ``-o n_lagz=24``
    failed all ``--trials`` one after another and left a study (by default named after the
    model, data and horizon) created with the mistyped option; the corrected command was then
    refused as "created with fixed_options=..." until the user picked another ``--study``.
    Only names and types are checked here (and the config's own construction checks), before
    any data is read; ranges that depend on the data (a ``patch_len`` against the input window)
    are the model's, which :func:`~tsforge.tuning.tune` builds for the data once it is loaded.
    """
    from tsforge.models.base import config_from_dict
    from tsforge.training.config import TrainConfig

    spec = get_model_spec(model)
    if model_config:
        config_from_dict(spec.cls.Config, model_config, spec.name)
    if train_config:
        TrainConfig.from_dict(train_config)
