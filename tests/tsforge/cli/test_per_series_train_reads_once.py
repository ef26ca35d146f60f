"""``tsforge recommend DATA --per-series --train`` reads its data file once.

It read it twice: in the CLI, to refuse bad data before the router is resolved (a build of
15–25 min where none is on the machine), and again in ``train_routed``. The panel read first is
now trained on, with the file named as the MLflow dataset's source. The training is stopped once
its data are in hand (right after, it resolves the router): no router is built, nothing trained.
"""

from __future__ import annotations

import importlib

import numpy as np

import recommender.routed_training as routed_training
from tests.conftest import run_cli
from tsforge.errors import ConfigError


def test_the_file_is_read_once_and_named_as_the_source(tmp_path, capsys, monkeypatch):
    days = np.datetime64("2020-01-01") + np.arange(60)
    rows = ["unique_id,ds,y"] + [
        f"{sid},{days[i]},{(i * 7 + k) % 11}" for k, sid in enumerate("ab") for i in range(60)
    ]
    path = tmp_path / "panel.csv"
    path.write_text("\n".join(rows) + "\n")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")
    load = importlib.import_module("tsforge.data.load")  # the module: tsforge.data.load is also a function
    reads: list[str] = []
    real_load, real_train = load.load_panel, routed_training.train_routed

    def counted(data, **kwargs):
        reads.append(str(data))
        return real_load(data, **kwargs)

    given: dict[str, object] = {}

    def train(data, horizon=None, **kwargs):
        given.update(data=data, horizon=horizon, source=kwargs.get("source"))
        return real_train(data, horizon, **kwargs)

    def stop(*args, **kwargs):
        raise ConfigError("stopped here: the data were read")

    monkeypatch.setattr(load, "load_panel", counted)
    monkeypatch.setattr(routed_training, "train_routed", train)
    monkeypatch.setattr(routed_training, "resolve_router", stop)
    code, _, err = run_cli(capsys, "recommend", str(path), "-H", "6", "--per-series", "--train")
    assert code == 2 and "stopped here" in err, err
    assert reads == [str(path)], reads
    assert given["source"] == str(path) and given["horizon"] == 6, given
