"""The typed description of one training: what to train, on what, under which protocol.

Why a frozen dataclass instead of keyword arguments: the same description is built by the CLI,
tuning trials, the recommender's knowledge base and benchmarks, merged with defaults in one
place (:meth:`TrainingSpec.with_defaults`), hashed into an MLflow tag (:meth:`digest`) so
identical runs can be found, and handed unchanged to the one fit path
(:func:`tsforge.training.fitting.fit_model`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from tsforge.arguments import model_name, whole_number
from tsforge.errors import ConfigError

__all__ = ["TrainingSpec", "DEFAULT_SEED"]

DEFAULT_SEED = 2024


def _frozen(values: Mapping[str, Any] | None, name: str = "options") -> Mapping[str, Any]:
    if values is not None and not isinstance(values, Mapping):
        raise ConfigError(
            f"{name} must be a dict of options, got {type(values).__name__} {values!r}", field=name
        )
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True)
class TrainingSpec:
    """One training run, fully described.

    Attributes:
        model: registered model name.
        data: a label of the data (catalogue name, file path or the frame's name); the values
            themselves travel separately, the label names the run and its hash.
        model_config: options of the model's ``Config`` (adapted to the task by the model's
            ``prepare_config`` hook at fit time).
        strategy: training-loss strategy (``"selective"``) or ``None`` for the plain loss.
        strategy_config: the strategy's options.
        input_len, horizon, split: the protocol; ``None`` → the catalogue's or sensible defaults
            (:func:`tsforge.data.protocol.default_lengths`).
        seed: seeds Python, NumPy, torch and the model's own sampling.
        train_config: ``TrainConfig`` overrides (neural models).
        eval_stride: stride of the scored validation/test windows (1 = every window).
    """

    model: str
    data: str = "data"
    model_config: Mapping[str, Any] = field(default_factory=dict)
    strategy: str | None = None
    strategy_config: Mapping[str, Any] = field(default_factory=dict)
    input_len: int | None = None
    horizon: int | None = None
    split: str | None = None
    seed: int = DEFAULT_SEED
    train_config: Mapping[str, Any] = field(default_factory=dict)
    eval_stride: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "model", model_name(self.model))
        for name in ("model_config", "strategy_config", "train_config"):
            object.__setattr__(self, name, _frozen(getattr(self, name), name))
        if self.seed is not None:  # 1.5 or "a" failed deep in numpy's seeding
            object.__setattr__(self, "seed", whole_number(self.seed, "seed"))
        if whole_number(self.eval_stride, "eval_stride") < 1:
            raise ConfigError("eval_stride must be at least 1", field="eval_stride")
        object.__setattr__(self, "eval_stride", whole_number(self.eval_stride, "eval_stride"))
        for name in ("input_len", "horizon"):
            value = getattr(self, name)
            if value is not None and whole_number(value, name) < 1:
                raise ConfigError(f"{name} must be positive, got {value}", field=name)
            if value is not None:
                object.__setattr__(self, name, whole_number(value, name))

    @classmethod
    def field_names(cls) -> frozenset[str]:
        return frozenset(f.name for f in dataclasses.fields(cls))

    def replace(self, **changes: Any) -> TrainingSpec:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in ("model_config", "strategy_config", "train_config"):
            out[name] = dict(out[name])
        return out

    def digest(self) -> str:
        """Short stable hash of everything that determines the trained model (an MLflow tag)."""
        text = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
