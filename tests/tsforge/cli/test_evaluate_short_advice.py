"""``evaluate`` refuses series too short for the model's horizon with advice it can follow.

Why (README walk): with every series short, ``tsforge evaluate … --drop-short`` advised "use a
shorter horizon", and without ``--drop-short`` "(--horizon N)": ``evaluate`` has no
``--horizon`` — it scores the model on the horizon it was trained for.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.errors import DataValidationError
from tsforge.panels.predictor import PanelPredictor

_MODEL_ADVICE = "evaluate a model trained with a shorter horizon"


def _csv(path: Path, lengths: dict[str, int]) -> str:
    frames = [
        pd.DataFrame(
            {
                "unique_id": sid,
                "ds": pd.date_range("2015-01-01", periods=n, freq="MS"),
                "y": np.arange(n) + 1.0,
            }
        )
        for sid, n in lengths.items()
    ]
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def _model(tmp_path: Path) -> str:
    return str(PanelPredictor("naive", 6, freq="MS", season_length=12).save(tmp_path / "naive6"))


def _refusal(capsys, *args: str) -> str:
    code, out, err = run_cli(capsys, "evaluate", *args)
    assert code == 2, out + err
    return " ".join(line for line in err.splitlines() if line.startswith("error:"))


@pytest.mark.parametrize("drop", [[], ["--drop-short"]])
def test_every_series_short_is_advised_another_model_not_a_horizon_flag(drop, tmp_path, capsys):
    csv = _csv(tmp_path / "short.csv", {"A": 5, "B": 4})
    said = _refusal(capsys, csv, "--model", _model(tmp_path), *drop)
    assert _MODEL_ADVICE in said.lower(), said
    assert "--horizon" not in said and "use a shorter horizon" not in said.lower(), said
    assert "horizon'" not in said and "field=" not in said, said  # no key of an argument it lacks


def test_some_series_short_are_advised_to_be_left_out_or_another_model(tmp_path, capsys):
    csv = _csv(tmp_path / "some.csv", {"A": 5, "B": 20})
    said = _refusal(capsys, csv, "--model", _model(tmp_path))
    assert f"Leave them out (--drop-short) or {_MODEL_ADVICE}" in said, said
    assert "--horizon" not in said and "horizon'" not in said, said


def test_python_evaluation_names_no_horizon_argument(tmp_path):
    from tsforge.pipeline.panel import evaluate_panel_model

    predictor = PanelPredictor("naive", 6, freq="MS", season_length=12)
    with pytest.raises(DataValidationError) as err:
        evaluate_panel_model(predictor, _csv(tmp_path / "short.csv", {"A": 5}))
    assert _MODEL_ADVICE in str(err.value).lower() and "horizon=N" not in str(err.value), err.value
    assert "field" not in err.value.where and "field='horizon'" not in str(err.value), err.value.where
    assert err.value.where.get("series") == "A"


def test_python_evaluation_with_nothing_left_names_no_horizon_argument(tmp_path):
    from tsforge.pipeline.panel import evaluate_panel_model

    predictor = PanelPredictor("naive", 6, freq="MS", season_length=12)
    with pytest.raises(DataValidationError) as err:
        evaluate_panel_model(predictor, _csv(tmp_path / "short.csv", {"A": 5}), drop_short=True)
    assert _MODEL_ADVICE in str(err.value).lower() and "field" not in err.value.where, err.value


def test_train_still_advises_its_own_horizon(tmp_path):
    from tsforge.data.panel import Panel
    from tsforge.panels.protocol import holdout_split

    panel = Panel.from_long(
        pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2020-01-01", periods=10, freq="D"), "y": 1.0})
    )
    with pytest.raises(DataValidationError) as err:
        holdout_split(panel, 7)
    assert "Use a shorter horizon (horizon=N)" in str(err.value) and "(--horizon N)" in err.value.for_cli()
    assert err.value.where.get("field") == "horizon"  # train's own horizon keeps its key
