"""Hyper-parameter tuning with Optuna, tracked in MLflow, resumable and distributable.

* :mod:`~tsforge.tuning.study` — storage (default journal file under ``mlruns/``) and
  create-or-resume of studies.
* :mod:`~tsforge.tuning.space` — one trial's configuration from the search spaces declared
  next to each model (and loss strategy).
* :mod:`~tsforge.tuning.pruning` — the pruning callback of the one training loop.
* :mod:`~tsforge.tuning.objective` — one trial = one ``pipeline.train`` in a nested MLflow run.
* :mod:`~tsforge.tuning.tune` — the session: optimise, plot, retrain the best, register.
"""

from tsforge.tuning.objective import OBJECTIVE_METRIC, TrialObjective, TuneSetup
from tsforge.tuning.pruning import OptunaPruningCallback
from tsforge.tuning.space import TrialConfig, config_from_params, suggest_config
from tsforge.tuning.study import DEFAULT_JOURNAL, default_study_name, make_pruner, open_study, resolve_storage
from tsforge.tuning.tune import TuneResult, study_summary, tune

__all__ = [
    "DEFAULT_JOURNAL",
    "OBJECTIVE_METRIC",
    "OptunaPruningCallback",
    "TrialConfig",
    "TrialObjective",
    "TuneResult",
    "TuneSetup",
    "config_from_params",
    "default_study_name",
    "make_pruner",
    "open_study",
    "resolve_storage",
    "study_summary",
    "suggest_config",
    "tune",
]
