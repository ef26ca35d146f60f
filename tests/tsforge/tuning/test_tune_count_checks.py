"""``tsforge tune`` refuses what ``train`` refuses before a run, in ``train``'s words, before its
study opens: counts below 1 before any data is read, a horizon the data's series cannot hold
named as the data's default, and fixed options the model cannot be built with for this window."""

from __future__ import annotations

import optuna
import pytest

from tsforge.cli import main
from tsforge.data.synthetic import synthetic_panel
from tsforge.errors import ConfigError, DataValidationError
from tsforge.tuning import tune
from tsforge.tuning.study import resolve_storage


def _never_called(*args, **kwargs):
    raise AssertionError("no trial should start")


def _study_names(journal) -> list[str]:
    if not journal.exists():
        return []
    return optuna.study.get_all_study_names(storage=resolve_storage(str(journal)))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-H", "0"], "--horizon must be at least 1, got 0"),
        (["--input", "0"], "--input must be at least 1, got 0"),
        (["--epochs", "0"], "--epochs must be at least 1, got 0"),
        (["--trials", "0"], "--trials must be at least 1, got 0"),
    ],
)
def test_counts_below_one_are_refused_as_train_refuses_them_before_the_data_is_read(
    args, message, tmp_path, monkeypatch, capsys
):
    """The file does not exist: the count is refused first, as ``train`` and ``cv`` refuse it
    (``tune -H 0`` said "file not found", then "horizon must be at least 1" after reading it)."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["tune", str(tmp_path / "missing.csv"), "--no-progress", *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {message}") and len(err.strip().splitlines()) == 1


def test_a_default_horizon_the_series_cannot_hold_is_named_as_the_default(store, tmp_path):
    """Monthly series of 2 values cannot hold the default horizon of 18 twice, nor any shorter
    one (series that hold a shorter one are tuned at it, with a note): ``train`` says it was the
    default and how to pass another; ``tune`` said only "use a shorter horizon"."""
    panel = synthetic_panel(n_series=4, min_length=2, max_length=2, seed=3)
    journal = tmp_path / "optuna.journal"
    with pytest.raises(DataValidationError, match="is the default horizon for this data") as err:
        tune(
            panel, "dlinear", n_trials=1, storage=str(journal), study_name="default-h", train_fn=_never_called
        )
    assert "--horizon N" in err.value.for_cli()
    assert "default-h" not in _study_names(journal)


def test_a_fixed_option_the_panel_window_cannot_hold_is_refused_before_the_study(store, tmp_path):
    """``-o patch_len=48`` on a 24-step window: ``train`` refuses it before its run opens; every
    trial of the study failed on it, and the study kept the failed trials."""
    panel = synthetic_panel(n_series=4, min_length=40, max_length=50, seed=3)
    journal = tmp_path / "optuna.journal"
    with pytest.raises(ConfigError, match="patch_len 48 is longer than the input") as err:
        tune(panel, "patchtst", n_trials=2, horizon=6, model_config={"patch_len": 48}, storage=str(journal),
             study_name="long-patch", train_fn=_never_called)  # fmt: skip
    assert err.value.where["field"] == "patch_len"
    assert "long-patch" not in _study_names(journal)


def test_a_fixed_option_the_windows_cannot_hold_is_refused_before_the_study(data, store, tmp_path):
    journal = tmp_path / "optuna.journal"
    with pytest.raises(ConfigError, match="patch_len 32 is longer than the input"):
        tune(data, "patchtst", n_trials=2, input_len=24, horizon=8, split="7:1:2", model_config={"patch_len": 32},
             storage=str(journal), study_name="long-patch-w", train_fn=_never_called)  # fmt: skip
    assert "long-patch-w" not in _study_names(journal)
