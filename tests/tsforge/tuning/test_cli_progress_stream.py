"""``tsforge tune``'s progress bar goes to stderr: on stdout its last state ("tune ━━━ 1/1")
landed above the study's summary a user pipes or redirects."""

from __future__ import annotations

from tsforge.cli import main


def test_the_trial_bar_goes_to_stderr_and_stdout_holds_the_summary(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/store/mlflow.db")
    main(
        ["tune", "synthetic", "--input", "24", "--horizon", "8", "--trials", "1", "--epochs", "1",
         "--no-retrain", "--study", "streams", "--experiment", "streams"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert not [line for line in out.splitlines() if line.startswith("tune ")]  # no bar line
    assert "study streams" in out and "Best trial #0" in out
    assert [line for line in err.splitlines() if line.startswith("tune ") and "1/1" in line]
