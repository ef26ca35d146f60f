"""Models: the interface (``base``), the registry (``registry``) and every registered model.

Importing this package registers all models; add a model by adding its module import here.
"""

from tsforge.models import (  # noqa: F401  (registration side effects)
    baselines,
    cyclenet,  # noqa: F401  (CycleNet linear + MLP, issue #17)
    ensemble,  # noqa: F401  (weighted average of window models, issue #17)
    hutformer,  # noqa: F401  (HUTFormer, issue #4)
    itransformer,  # noqa: F401  (iTransformer, issue #17)
    lgbm,
    linear,
    patchtst,  # noqa: F401  (PatchTST, issue #17)
    sparsetsf,  # noqa: F401  (SparseTSF, issue #17)
    statistical,  # noqa: F401  (statsforecast local models, registered as kind 'local')
    stpe_mlp,  # noqa: F401  (STELLA, issue #3)
    timebase,  # noqa: F401  (TimeBase, issue #17)
)
from tsforge.models.base import FitReport, Forecaster, ModelContext, NeuralForecaster
from tsforge.models.registry import (
    MODELS,
    ModelSpec,
    build_model,
    get_model_spec,
    model_names,
    register_model,
)

__all__ = [
    "FitReport",
    "Forecaster",
    "ModelContext",
    "NeuralForecaster",
    "MODELS",
    "ModelSpec",
    "build_model",
    "get_model_spec",
    "model_names",
    "register_model",
]
