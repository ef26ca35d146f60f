"""Where a model's module runs: a device name checked once, and batches moved to it.

Why a module of its own (here, below the training loop): the loop, its validation and
``NeuralForecaster.predict`` must agree on what a device name means and on which parts of a
batch move. Training stays on the CPU unless
asked (``TrainConfig.device``: ``"cpu"``, the default and the only bit-for-bit reproducible
choice; ``"cuda"`` / ``"cuda:N"``; ``"auto"`` = a CUDA GPU when there is one). A fitted model's
saved state is always CPU tensors (``NeuralForecaster.get_state``), so a model trained on a GPU
loads on any machine.
"""

from __future__ import annotations

import re

import torch

from tsforge.errors import ConfigError

__all__ = ["DEVICE_NAMES", "check_device_name", "resolve_device", "batch_to", "module_device"]

#: accepted spellings of ``TrainConfig.device``
DEVICE_NAMES = ("cpu", "cuda", "cuda:<index>", "auto")
_PATTERN = re.compile(r"^(cpu|auto|cuda(:\d+)?)$")

#: batch entries that stay on the CPU: window indices address CPU-side bookkeeping
#: (selective learning's residual buffer), never the model
_HOST_KEYS = frozenset({"idx"})


def check_device_name(name: str) -> str:
    """The normalised device name, or a :class:`ConfigError` naming the field.

    Only the spelling is checked here, so a configuration written on a CPU machine stays valid;
    whether the device exists is checked when training starts (:func:`resolve_device`).
    """
    value = str(name).strip().lower()
    if not _PATTERN.match(value):
        raise ConfigError(f"device must be one of {', '.join(DEVICE_NAMES)}; got {name!r}", field="device")
    return value


def resolve_device(name: str) -> torch.device:
    """The :class:`torch.device` to train on; a clear error when a GPU is asked for and absent."""
    value = check_device_name(name)
    if value == "cpu":
        return torch.device("cpu")
    available = torch.cuda.is_available()
    if value == "auto":
        return torch.device("cuda") if available else torch.device("cpu")
    if not available:
        raise ConfigError(
            f"device {value!r} asked for, but this PyTorch sees no CUDA GPU "
            f"(torch {torch.__version__}); use device 'cpu' or 'auto'",
            field="device",
        )
    index = int(value.split(":")[1]) if ":" in value else 0
    if index >= torch.cuda.device_count():
        raise ConfigError(
            f"device {value!r} asked for, but only {torch.cuda.device_count()} CUDA GPU(s) are visible",
            field="device",
        )
    return torch.device("cuda", index)


def batch_to(batch: dict[str, torch.Tensor], device: torch.device) -> dict[str, torch.Tensor]:
    """The batch with its tensors on ``device`` (the same dict when they all are already)."""
    if all(
        v.device == device for k, v in batch.items() if isinstance(v, torch.Tensor) and k not in _HOST_KEYS
    ):
        return batch
    return {
        k: v.to(device, non_blocking=True) if isinstance(v, torch.Tensor) and k not in _HOST_KEYS else v
        for k, v in batch.items()
    }


def module_device(module: torch.nn.Module) -> torch.device:
    """Where ``module``'s parameters (or, without any, its buffers) live; the CPU for neither."""
    for parameter in module.parameters():
        return parameter.device
    for buffer in module.buffers():
        return buffer.device
    return torch.device("cpu")
