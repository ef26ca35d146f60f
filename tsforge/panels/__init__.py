"""Panels of many short, ragged series: evaluation protocol, local statistical models, CV.

Typical use::

    from tsforge.data.panel import Panel
    from tsforge.panels import holdout_split, forecast_local, cross_validation

    panel = Panel.from_tsf("m1_monthly_dataset.tsf.gz")
    split = holdout_split(panel, h=18)
    fc = forecast_local(split.history, ["seasonal_naive", "auto_ets"], h=18, n_jobs=2)
"""

from tsforge.panels.cv import PanelForecaster, cross_validation
from tsforge.panels.local import LOCAL_MODELS, LocalModelSpec, forecast_chunk, forecast_local
from tsforge.panels.protocol import HoldoutSplit, RollingOrigin, holdout_split, rolling_origin

__all__ = [
    "LOCAL_MODELS",
    "LocalModelSpec",
    "forecast_chunk",
    "forecast_local",
    "cross_validation",
    "PanelForecaster",
    "HoldoutSplit",
    "RollingOrigin",
    "holdout_split",
    "rolling_origin",
]
