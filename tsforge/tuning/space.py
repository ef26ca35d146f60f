"""One trial's configuration, drawn from the search spaces declared next to models and strategies.

Why here and not in the CLI: a search space belongs to the component it tunes (the model's in
the model registry, selective learning's ``r_u``/``r_a`` on its strategy class), so this module
only *combines* them, and the same function rebuilds a structured configuration from a flat
``best_params`` dict (through :class:`optuna.trial.FixedTrial`) for the final retraining.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import optuna

from tsforge.errors import ConfigError
from tsforge.models.registry import get_model_spec

__all__ = [
    "TrialConfig",
    "suggest_config",
    "config_from_params",
    "strategy_search_space",
    "has_search_space",
    "check_fixed_options",
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


def suggest_config(
    trial: optuna.Trial | optuna.trial.FixedTrial,
    model: str,
    strategy: str | None = None,
    fixed: dict[str, Any] | None = None,
) -> TrialConfig:
    """Ask ``trial`` for a model / training / strategy configuration.

    ``fixed``: option values the user pinned (model, training and strategy options in one
    dict); a parameter of that name is not searched and takes the pinned value.

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
        space = spec.search_space(trial) or {}
        cfg.model = dict(space.get("model", {}))
        cfg.train = dict(space.get("train", {}))
    if space_fn is not None:
        got = dict(space_fn(trial) or {})
        cfg.strategy = dict(got["strategy"]) if isinstance(got.get("strategy"), dict) else got
    return cfg


def config_from_params(
    params: dict[str, Any], model: str, strategy: str | None = None, fixed: dict[str, Any] | None = None
) -> TrialConfig:
    """Rebuild the structured configuration of a finished trial from its flat ``params`` (and
    the study's pinned options, which its params do not hold: see :func:`suggest_config`)."""
    return suggest_config(optuna.trial.FixedTrial(dict(params)), model, strategy, fixed)


def check_fixed_options(
    model: str, model_config: dict[str, Any] | None, train_config: dict[str, Any] | None
) -> None:
    """Refuse fixed options (``--option``, ``--train-option``) that no trial could train with:
    an unknown name or a value of the wrong type, named as the training would name it.

    Why before the study opens: these errors were raised inside every trial, so ``-o n_lagz=24``
    failed all ``--trials`` one after another and left a study (by default named after the
    model, data and horizon) created with the mistyped option; the corrected command was then
    refused as "created with fixed_options=..." until the user picked another ``--study``.
    Only names and types are checked here (and the config's own construction checks): ranges
    that depend on the data (an ``n_lags`` against the input window) stay with the model.
    """
    from tsforge.models.base import config_from_dict
    from tsforge.training.config import TrainConfig

    spec = get_model_spec(model)
    if model_config:
        config_from_dict(spec.cls.Config, model_config, spec.name)
    if train_config:
        TrainConfig.from_dict(train_config)
