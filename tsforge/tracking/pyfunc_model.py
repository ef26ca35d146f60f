"""MLflow "models from code" entry: MLflow runs this file to build the pyfunc (no pickling)."""

import mlflow

from tsforge.tracking.pyfunc import TsforgePyfunc

mlflow.models.set_model(TsforgePyfunc())
