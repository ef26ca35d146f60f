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

__all__ = ["TrialConfig", "suggest_config", "config_from_params", "strategy_search_space", "has_search_space"]


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


def suggest_config(
    trial: optuna.Trial | optuna.trial.FixedTrial, model: str, strategy: str | None = None
) -> TrialConfig:
    """Ask ``trial`` for a model / training / strategy configuration.

    Raises:
        ConfigError: neither the model nor the strategy declares a search space.
    """
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


def config_from_params(params: dict[str, Any], model: str, strategy: str | None = None) -> TrialConfig:
    """Rebuild the structured configuration of a finished trial from its flat ``params``."""
    return suggest_config(optuna.trial.FixedTrial(dict(params)), model, strategy)
