"""``tsforge tune`` with a tracking server prints no "View run ... / View experiment ..." lines:
MLflow wrote two per trial to stdout as each run ended (80 for ``--trials 40``), above the
study's summary."""

from __future__ import annotations

import warnings

import optuna
import pytest
from mlflow.entities import Run, RunData, RunInfo
from mlflow.store.tracking.rest_store import RestStore
from mlflow.tracking._tracking_service.client import TrackingServiceClient

from tsforge.cli.tune import _quiet_libraries

SUPPRESS = "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"


def _end_of_run_output(capsys, monkeypatch) -> str:
    """What MLflow's client writes to stdout as a run on a tracking server ends."""
    client = TrackingServiceClient("http://127.0.0.1:5000")
    assert isinstance(client.store, RestStore)
    info = RunInfo("r1", "0", "u", "FINISHED", 0, 1, "active", run_name="dlinear-trial-0")
    monkeypatch.setattr(RestStore, "get_run", lambda self, run_id: Run(info, RunData()))
    capsys.readouterr()
    client._log_url("r1")
    return capsys.readouterr().out


@pytest.fixture
def quieted(monkeypatch):
    """``tsforge tune``'s quieting, undone afterwards (warning filters, Optuna's verbosity)."""
    verbosity = optuna.logging.get_verbosity()
    with warnings.catch_warnings():
        yield _quiet_libraries
    optuna.logging.set_verbosity(verbosity)


def test_the_tune_command_silences_mlflows_run_links(capsys, monkeypatch, quieted):
    monkeypatch.delenv(SUPPRESS, raising=False)  # and undone after the test
    assert "View run" in _end_of_run_output(capsys, monkeypatch)  # MLflow's own default
    quieted()
    assert _end_of_run_output(capsys, monkeypatch) == ""


def test_a_users_own_setting_is_kept(capsys, monkeypatch, quieted):
    monkeypatch.setenv(SUPPRESS, "false")
    quieted()
    assert "View run dlinear-trial-0" in _end_of_run_output(capsys, monkeypatch)
