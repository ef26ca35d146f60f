"""Training: the one loop (``fit``), its configuration, loss strategies, stages and callbacks."""

from tsforge.training.callbacks import Callback, ProgressCallback, TrainState
from tsforge.training.config import TrainConfig
from tsforge.training.loop import TrainResult, evaluate_loss, fit, seed_everything
from tsforge.training.losses import masked_loss, masked_mae, masked_mse
from tsforge.training.selective import SelectiveLearning, strategy_from_options  # registers "selective"
from tsforge.training.strategy import STRATEGIES, LossStrategy, PlainLoss, TrainStage, register_strategy

__all__ = [
    "Callback",
    "ProgressCallback",
    "TrainState",
    "TrainConfig",
    "TrainResult",
    "evaluate_loss",
    "fit",
    "seed_everything",
    "masked_loss",
    "masked_mae",
    "masked_mse",
    "STRATEGIES",
    "LossStrategy",
    "PlainLoss",
    "TrainStage",
    "register_strategy",
    "SelectiveLearning",
    "strategy_from_options",
]
