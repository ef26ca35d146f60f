"""``TrainConfig.device``: the names it accepts, the errors it gives, and that the CPU default is
unchanged. Training on a real GPU is outside this suite: CI machines have none."""

import pytest
import torch

from tests.conftest import run_cli
from tsforge.data.task import prepare_task
from tsforge.errors import ConfigError
from tsforge.models import ModelContext, build_model
from tsforge.models.device import batch_to, check_device_name, module_device, resolve_device
from tsforge.training import TrainConfig
from tsforge.training.fitting import train_forecaster


@pytest.mark.parametrize(("name", "expect"), [("cpu", "cpu"), (" CUDA:1 ", "cuda:1"), ("Auto", "auto")])
def test_device_names_are_normalised(name, expect):
    assert check_device_name(name) == expect
    assert TrainConfig(device=name).device == expect


@pytest.mark.parametrize("name", ["gpu", "cuda:x", "cuda:", "mps0", ""])
def test_a_misspelt_device_names_the_field(name):
    with pytest.raises(ConfigError, match="device must be one of") as err:
        TrainConfig.from_dict({"device": name})
    assert err.value.where["field"] == "device"


def test_a_missing_gpu_is_a_clear_error_and_auto_falls_back(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ConfigError, match="sees no CUDA GPU") as err:
        resolve_device("cuda")
    assert err.value.where["field"] == "device"
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device("cpu") == torch.device("cpu")


def test_batches_move_except_the_window_indices():
    batch = {"idx": torch.arange(3), "x": torch.zeros(3, 4, 2), "label": "kept"}
    assert batch_to(batch, torch.device("cpu")) is batch
    moved = batch_to(batch, torch.device("meta"))  # a non-CPU device every PyTorch build has
    assert moved["x"].device.type == "meta"
    assert moved["idx"].device.type == "cpu"  # addresses CPU-side bookkeeping (selective learning)
    assert moved["label"] == "kept"


def test_module_device_reads_parameters_then_buffers():
    assert module_device(torch.nn.Linear(2, 2)) == torch.device("cpu")
    assert module_device(torch.nn.Linear(2, 2, device="meta")).type == "meta"
    assert module_device(torch.nn.Identity()) == torch.device("cpu")


def test_device_cpu_trains_bit_for_bit_like_the_default(toy_series):
    task = prepare_task(toy_series, 48, 12)
    states = []
    for extra in ({}, {"device": "cpu"}):
        torch.manual_seed(7)
        model = build_model("cyclenet", ModelContext.from_task(task))
        cfg = TrainConfig(max_epochs=2, seed=3, progress=False, **extra)
        train_forecaster(model, task, train_config=cfg)
        states.append(model.get_state()["module"])
    assert states[0].keys() == states[1].keys()
    for k in states[0]:
        assert states[0][k].device.type == "cpu"
        assert torch.equal(states[0][k], states[1][k])


def test_cli_refuses_a_misspelt_device_in_one_line(capsys):
    code, _, err = run_cli(
        capsys, "train", "--dataset", "synthetic", "--model", "dlinear", "--device", "gpu", "--no-track"
    )
    assert code == 2
    line = err.strip()
    assert "\n" not in line and "device must be one of" in line and "'gpu'" in line
