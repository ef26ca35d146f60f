"""MLflow tracking: the only package that imports mlflow (besides the service's model store)."""

from tsforge.tracking.registry import (
    CHAMPION,
    load_predictor,
    promote_champion,
    register_model_version,
    resolve_model_uri,
)
from tsforge.tracking.store import DEFAULT_TRACKING_URI, configure_tracking, get_experiment_id

__all__ = [
    "CHAMPION",
    "DEFAULT_TRACKING_URI",
    "configure_tracking",
    "get_experiment_id",
    "load_predictor",
    "promote_champion",
    "register_model_version",
    "resolve_model_uri",
    "MlflowCallback",
    "log_predictor_model",
]


def __getattr__(name: str):
    # Lazy: importing mlflow.pyfunc is slow; only pay for it when logging models.
    if name == "MlflowCallback":
        from tsforge.tracking.callback import MlflowCallback

        return MlflowCallback
    if name == "log_predictor_model":
        from tsforge.tracking.pyfunc import log_predictor_model

        return log_predictor_model
    raise AttributeError(name)
