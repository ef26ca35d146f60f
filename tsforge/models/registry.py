"""The one model registry: name → :class:`ModelSpec` (class, kind, search space).

Models register themselves with ``@register_model(...)`` in their own module; importing
``tsforge.models`` imports every model module. Search spaces for tuning are declared here,
next to the model they belong to, as ``search_space(trial) -> {"model": {...}, "train": {...}}``;
a space whose choices depend on the data (LightGBM's ``n_lags`` against the input window) also
declares a ``context`` parameter, a :class:`~tsforge.models.base.ModelContext` (``None`` when no
data is known), see :mod:`tsforge.tuning.space`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tsforge.errors import ModelNotFoundError
from tsforge.models.base import Forecaster, ModelContext

__all__ = ["ModelSpec", "MODELS", "register_model", "get_model_spec", "build_model", "model_names"]

SearchSpace = Callable[[Any], dict[str, dict[str, Any]]]


@dataclass(frozen=True)
class ModelSpec:
    """What :func:`register_model` records about a model: its class and how tools treat it.

    ``kind`` decides the training path (only ``neural`` models run the training loop, so only
    they take a loss strategy); ``kind``, ``summary`` and whether a ``search_space`` exists
    (the model is tunable) are what ``tsforge models`` lists.
    """

    name: str
    cls: type[Forecaster]
    kind: str  # "baseline" | "local" (statsforecast, per series) | "ml" | "neural"
    summary: str
    search_space: SearchSpace | None = None
    #: Options of the training loop (``TrainConfig`` fields) a model outside that loop still reads,
    #: e.g. LightGBM picks its objective from ``loss``; every other one is ignored by such a model.
    training_options: frozenset[str] = frozenset()

    @property
    def is_neural(self) -> bool:
        return self.kind == "neural"

    def ignores_training_option(self, option: str) -> bool:
        """Whether ``option`` of the training loop (``max_epochs``, ``lr``, ...) has no effect on
        this model: neural models read them all, the others only their ``training_options``."""
        return not self.is_neural and option not in self.training_options


MODELS: dict[str, ModelSpec] = {}


def register_model(
    name: str,
    *,
    kind: str,
    summary: str,
    search_space: SearchSpace | None = None,
    training_options: frozenset[str] = frozenset(),
) -> Callable[[type[Forecaster]], type[Forecaster]]:
    """Class decorator adding a forecaster to :data:`MODELS` under ``name``."""

    def deco(cls: type[Forecaster]) -> type[Forecaster]:
        if name in MODELS and MODELS[name].cls is not cls:
            raise ValueError(f"model name {name!r} registered twice")
        cls.name = name
        MODELS[name] = ModelSpec(
            name=name,
            cls=cls,
            kind=kind,
            summary=summary,
            search_space=search_space,
            training_options=frozenset(training_options),
        )
        return cls

    return deco


def _ensure_loaded() -> None:
    import tsforge.models  # noqa: F401  (imports every model module)


def model_names() -> list[str]:
    """Every registered model name, sorted (importing all model modules first)."""
    _ensure_loaded()
    return sorted(MODELS)


def get_model_spec(name: str) -> ModelSpec:
    """The spec of a model name (case and surrounding blanks ignored).

    Raises:
        ModelNotFoundError: not a string, or an unknown name (with the closest name, if any, and
            the list of available ones, so a typo is fixed from the message alone).
    """
    _ensure_loaded()
    if not isinstance(name, str):
        raise ModelNotFoundError(f"model must be a model name (a string), got {name!r}", field="model")
    key = name.strip().lower()
    if key not in MODELS:
        import difflib

        hit = difflib.get_close_matches(key, sorted(MODELS), n=1, cutoff=0.6)
        hint = f" (did you mean {hit[0]!r}?)" if hit else ""
        raise ModelNotFoundError(
            f"unknown model {name!r}{hint}; available: {', '.join(sorted(MODELS))}", field="model"
        )
    return MODELS[key]


def build_model(name: str, context: ModelContext, config: dict[str, Any] | None = None) -> Forecaster:
    """Instantiate a registered model for ``context`` (config keys validated by the model)."""
    return get_model_spec(name).cls(context, config)
