"""Orchestration: load → task → fit → evaluate → track, for both shapes of data.

* :func:`train` (``tsforge train`` on long multichannel data): the standard LTSF protocol.
* :func:`train_panel` (``tsforge train`` on a panel): the per-series holdout protocol.
"""

from tsforge.pipeline.multichannel import TrackingOptions, TrainOutcome, register_outcome, train
from tsforge.pipeline.panel import PanelOutcome, train_panel

__all__ = ["PanelOutcome", "TrackingOptions", "TrainOutcome", "register_outcome", "train", "train_panel"]
