"""Evaluation: the metrics (``metrics``) and split scoring (``evaluate``)."""

from tsforge.evaluation.evaluate import EvaluationResult, evaluate, predict_windows
from tsforge.evaluation.metrics import METRIC_NAMES, MetricAccumulator, compute_metrics, mase_scale

__all__ = [
    "EvaluationResult",
    "evaluate",
    "predict_windows",
    "METRIC_NAMES",
    "MetricAccumulator",
    "compute_metrics",
    "mase_scale",
]
