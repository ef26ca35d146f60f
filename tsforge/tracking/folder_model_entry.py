"""MLflow "models from code" entry of :class:`~tsforge.tracking.folder_model.FolderPyfunc`."""

import mlflow

from tsforge.tracking.folder_model import FolderPyfunc

mlflow.models.set_model(FolderPyfunc())
