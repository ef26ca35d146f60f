"""The yardstick a trained model is read against: its skill over a naive baseline.

Why: a validation MSE of 0.41 on the normalised scale says nothing by itself, while "35 % lower
than repeating the last season" says whether the model learnt anything. A model that loses to
that baseline (a learning rate that blew the weights up, too few epochs, an input shorter than
the season) still trains, scores and registers without complaint, so the skill is logged beside
every score and a training that has none is said out loud (:class:`NoSkillWarning`).

A window model's baseline is the one a forecaster would try first: seasonal naive at the data's
season when the input window holds a whole season, else naive (the last value), both read from
the same windows the model is scored on (:mod:`tsforge.models.baselines`); its skill is
``1 - MSE / baseline MSE``. A panel model's is M4's Naive2, which every panel score already
carries (:func:`~tsforge.evaluation.panel_metrics.paired_mase`): ``1 - MASE / Naive2's MASE``.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import astuple, dataclass
from typing import TYPE_CHECKING

import numpy as np

from tsforge.errors import NoSkillWarning
from tsforge.models.base import ModelContext
from tsforge.models.registry import get_model_spec

if TYPE_CHECKING:
    import pandas as pd

    from tsforge.data.task import ForecastTask
    from tsforge.models.base import Forecaster

__all__ = [
    "NAIVE2",
    "Baseline",
    "baseline_for",
    "compared",
    "naive2_skill_scores",
    "skill_score",
    "skill_scores",
    "task_baseline",
    "warn_without_skill",
]


@dataclass(frozen=True)
class Baseline:
    """Which baseline a task is read against (``model``, a registered name) and its season."""

    model: str
    season: int

    @property
    def label(self) -> str:
        """``seasonal naive (24 steps)`` or ``naive``: how a sentence names it."""
        return f"seasonal naive ({self.season} steps)" if self.model == "seasonal_naive" else "naive"

    def forecaster(self, context: ModelContext) -> Forecaster:
        """The (training-free) baseline built for ``context``."""
        cls = get_model_spec(self.model).cls
        options = {"season_length": self.season} if self.model == "seasonal_naive" else {}
        return cls(context, cls.prepare_config(options, context, seed=0))


def baseline_for(context: ModelContext) -> Baseline:
    """Seasonal naive when the data have a season the input window holds, else naive.

    An input shorter than the season would make seasonal naive repeat a "season" the data do
    not have (worse than naive, see :class:`~tsforge.models.baselines.SeasonalNaive`), which
    would flatter every model read against it.
    """
    m = int(context.season_length or 1)
    if 1 < m <= context.input_len:
        return Baseline("seasonal_naive", m)
    return Baseline("naive", 1)


def task_baseline(task: ForecastTask) -> tuple[Baseline, Forecaster]:
    """:func:`baseline_for` a task, and the baseline built for it."""
    context = ModelContext.from_task(task)
    baseline = baseline_for(context)
    return baseline, baseline.forecaster(context)


def skill_scores(task: ForecastTask, mse: Mapping[str, float], *, stride: int = 1) -> dict[str, float]:
    """For each ``split`` in ``mse`` (the model's MSE there, normalised scale):
    ``{split}_baseline_mse`` (the task's baseline scored on the same windows) and
    ``{split}_skill`` over it, left out where it is undefined (the baseline makes no error)."""
    baseline, forecaster = task_baseline(task)
    out: dict[str, float] = {}
    for split, model_mse in mse.items():
        base_mse = _baseline_mse(task, baseline, forecaster, split, stride)
        out[f"{split}_baseline_mse"] = base_mse
        skill = skill_score(model_mse, base_mse)
        if not math.isnan(skill):
            out[f"{split}_skill"] = skill
    return out


#: The baseline's MSE by (data, windows, baseline): a tuning study trains its model dozens of
#: times on the same windows, and each trial reads the data again (no shared task object), so
#: without this the baseline was scored again every trial (0.4 s on ETTh1, 4.2 s on Weather at
#: L 336 / H 96, beside trials of seconds). Keyed by the content of the normalised values and
#: the mask, not by object identity; a few entries, least recently used dropped.
_MSE_CACHE: OrderedDict[tuple[object, ...], float] = OrderedDict()
_MSE_CACHE_SIZE = 16


def _data_digest(task: ForecastTask) -> str:
    """A digest of what a baseline's score depends on: the normalised values, NaN where a value
    is missing (the observed mask is ``~isnan`` of the same values, so it adds nothing to hash;
    a few ms for Weather's 52,696 × 21 values)."""
    a = np.ascontiguousarray(task.normalized)
    h = hashlib.blake2b(f"{a.dtype}{a.shape}".encode(), digest_size=16)
    h.update(a.tobytes())
    return h.hexdigest()


def _baseline_mse(
    task: ForecastTask, baseline: Baseline, forecaster: Forecaster, split: str, stride: int
) -> float:
    """The baseline's normalised MSE on ``split``'s windows, scored once per data and windows."""
    from tsforge.evaluation.evaluate import evaluate

    key = (
        _data_digest(task),
        astuple(task.borders),
        task.input_len,
        task.horizon,
        split,
        max(1, int(stride)),
        baseline,
    )
    if key in _MSE_CACHE:
        _MSE_CACHE.move_to_end(key)
        return _MSE_CACHE[key]
    value = float(evaluate(forecaster, task, split, stride=stride).normalized["mse"])
    _MSE_CACHE[key] = value
    while len(_MSE_CACHE) > _MSE_CACHE_SIZE:
        _MSE_CACHE.popitem(last=False)
    return value


#: How a sentence names a panel model's baseline (``Against …`` in the CLI, the no-skill note).
NAIVE2 = "Naive2 (M4's benchmark: naive on the seasonally adjusted series)"


def naive2_skill_scores(per_series: pd.DataFrame, model: str, split: str) -> dict[str, float]:
    """Naive2's mean MASE on the same series and window (``{split}_naive2_mase``) and the
    panel model's skill over it (``{split}_skill`` = 1 − MASE ÷ Naive2's, left out where it is
    undefined), from a :func:`~tsforge.evaluation.panel_metrics.panel_scores` table: a window
    model's skill over seasonal naive, read the way panels are ranked (MASE)."""
    from tsforge.evaluation.panel_metrics import paired_mase

    mase, naive2 = paired_mase(per_series[per_series["model"] == model])
    if math.isnan(naive2):
        return {}
    skill = skill_score(mase, naive2)
    return {f"{split}_naive2_mase": naive2, **({} if math.isnan(skill) else {f"{split}_skill": skill})}


def skill_score(error: float, baseline_error: float) -> float:
    """The skill score ``1 - error / baseline_error`` (MSE for a window model, a panel's mean
    MASE against Naive2's): 0 = as good as the baseline, 1 = perfect, negative = worse. NaN
    where it is undefined (a baseline with no error: flat windows)."""
    if not (math.isfinite(baseline_error) and baseline_error > 0):
        return math.nan
    if not math.isfinite(error):
        return -math.inf if error > 0 else math.nan
    return 1.0 - error / baseline_error


#: Models that are baselines themselves: warning that they do not beat one says nothing.
BASELINE_MODELS = frozenset({"naive", "seasonal_naive", "mean"})


def warn_without_skill(model: str, baseline: str, comparison: str, hint: str) -> None:
    """Warn (:class:`~tsforge.errors.NoSkillWarning`) that ``model`` does not beat ``baseline``
    on the validation data, with the numbers (``comparison``) and what to try (``hint``, a
    phrase starting with a verb: "try a longer input")."""
    if model in BASELINE_MODELS:
        return
    warnings.warn(
        f"{model} does not beat {baseline} on the validation windows: {comparison}; {hint} before serving it",
        NoSkillWarning,
        stacklevel=3,
    )


def compared(skill: float) -> str:
    """A skill in words: ``35.2% lower`` (better), ``8.1% higher``, ``4.1 times higher``,
    ``65,270 times higher`` (a percentage of millions reads as noise)."""
    if skill >= 0:
        return f"{skill:.1%} lower"
    if skill > -1:
        return f"{-skill:.1%} higher"
    ratio = 1.0 - skill  # mse / baseline mse
    if not math.isfinite(ratio):
        return "infinitely higher"
    return f"{ratio:.1f} times higher" if ratio < 10 else f"{ratio:,.0f} times higher"
