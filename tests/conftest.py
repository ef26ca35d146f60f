"""Shared fixtures: an isolated MLflow store per test, small seeded series, one thread per worker."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
import torch

if TYPE_CHECKING:
    from matplotlib.figure import Figure

torch.set_num_threads(1)
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")


@pytest.fixture(autouse=True)
def _own_mlflow_store(tmp_path, monkeypatch) -> None:
    """Every test's MLflow runs go to a store of its own, also where it did not ask for one.

    Why: a command that tracks by default (``train``, ``cv``) run by a test without
    ``tracking_uri`` or ``--no-track`` would write into the repository's ``mlruns/``, and under
    ``pytest -n`` several workers into one SQLite file. Nothing is created until a run is logged.
    A store a wider fixture chose (a test module's shared one) is kept.
    """
    if "MLFLOW_TRACKING_URI" not in os.environ:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/own-mlruns/mlflow.db")


STORE_FILE = Path("mlruns") / "mlflow.db"  # a store's file under the folder it was created in


@pytest.fixture(scope="session")
def _empty_store(tmp_path_factory) -> tuple[Path, str]:
    """A new SQLite store, created once per session (per xdist worker) as ``tracking_uri`` did
    for every test, and the folder it was created from (``os.getcwd()`` there).

    Why: creating a store runs MLflow's ~50 schema migrations, 3–5 s of CPU, once per test that
    asks for ``tracking_uri`` (over 100 of them). A copy of the file is the same new store.
    """
    from tsforge.tracking import configure_tracking

    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path_factory.mktemp("empty-store"))
        made_in = os.getcwd()
        uri = f"sqlite:///{Path(made_in) / STORE_FILE}"
        mp.setenv("MLFLOW_TRACKING_URI", uri)  # MLflow sets it too: restored (or unset) on exit
        configure_tracking(uri)
    return Path(made_in) / STORE_FILE, made_in


def _new_store_in(folder: str, empty: tuple[Path, str]) -> None:
    """``folder``'s ``mlruns/mlflow.db``: a copy of the session's new store whose Default
    experiment keeps its artifacts under ``folder`` (MLflow writes the folder the store was
    created in there, ``<cwd>/mlruns/0``); nothing else in a new store names a place."""
    source, made_in = empty
    target = Path(folder) / STORE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    with closing(sqlite3.connect(target)) as db, db:
        # a run logged into the session's store by mistake would be in every copy: say so here
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (0,), "the empty store has runs"
        ((where,),) = db.execute("SELECT artifact_location FROM experiments")
        assert where.startswith(made_in), where  # MLflow changed where it puts them: update this
        db.execute(
            "UPDATE experiments SET artifact_location = ? WHERE experiment_id = 0",
            (folder + where[len(made_in) :],),
        )


def copied_store(folder: Path, empty: tuple[Path, str]) -> str:
    """The URI of a new store at ``folder/mlruns/mlflow.db``: a copy of the session's empty one
    (:func:`_empty_store`), for apps and fixtures that open a store of their own.

    Why: the service opens (so creates) the store it is given when it starts; a store the tests
    named but had not created cost MLflow's ~50 schema migrations (3–5 s of CPU) per app.
    """
    _new_store_in(str(folder), empty)
    return f"sqlite:///{Path(folder) / STORE_FILE}"


@pytest.fixture
def empty_store_uri(tmp_path, _empty_store) -> str:
    """A new, empty store under ``tmp_path`` (:func:`copied_store`), MLflow's globals untouched."""
    return copied_store(tmp_path / "empty-store", _empty_store)


@pytest.fixture
def tracking_uri(tmp_path, monkeypatch, _empty_store) -> Iterator[str]:
    """Point MLflow at a fresh SQLite store under ``tmp_path`` (never the repo's mlruns/): a
    copy of the session's new store (:func:`_empty_store`), as if created here."""
    import mlflow

    from tsforge.tracking import configure_tracking

    uri = f"sqlite:///{tmp_path}/mlruns/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.chdir(tmp_path)
    _new_store_in(os.getcwd(), _empty_store)
    configure_tracking(uri)
    yield uri
    while mlflow.active_run() is not None:
        mlflow.end_run()


def make_series(n_steps: int = 1200, n_channels: int = 3, freq: str = "h", seed: int = 0, name: str = "toy"):
    """Daily-seasonal signal + small trend + noise, as a TimeSeriesData (hourly by default)."""
    from tsforge.data.frame import TimeSeriesData

    rng = np.random.default_rng(seed)
    t = np.arange(n_steps)
    cols = [
        (1 + 0.3 * c) * np.sin(2 * np.pi * t / 24 + c) + 0.002 * t + 0.1 * rng.standard_normal(n_steps)
        for c in range(n_channels)
    ]
    ts = pd.date_range("2021-01-01", periods=n_steps, freq=freq).values
    return TimeSeriesData(np.stack(cols, 1), ts, tuple(f"s{c}" for c in range(n_channels)), freq, name=name)


@pytest.fixture
def toy_series():
    return make_series()


@pytest.fixture
def saved_figures(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """The matplotlib figures saved during the test, in order: the plot functions close them
    after saving, so a test reads titles, labels and legends off these objects."""
    from matplotlib.figure import Figure

    figures: list[Figure] = []
    original = Figure.savefig

    def savefig(self, *args, **kwargs):
        figures.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)
    return figures


def monthly_frame(n: int = 3, length: int = 40):
    """A long frame of ``n`` monthly series (``s0``, ``s1``, ...), a yearly sine around 10 + i:
    the smallest panel the API tests call entry points with."""
    import numpy as np
    import pandas as pd

    rows = []
    for i in range(n):
        ds = pd.date_range("2000-01-01", periods=length, freq="MS")
        y = 10 + i + np.sin(np.arange(length) * 2 * np.pi / 12)
        rows.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y}))
    return pd.concat(rows, ignore_index=True)


def random_walks_csv(path, n: int, length: int, *, freq: str, start: str, level: float, seed: int) -> str:
    """A long CSV (``unique_id, ds, y``) of ``n`` seeded Gaussian random walks around ``level``,
    series ``s0``, ``s1``, ... of ``length`` values from ``start``: the panels whose intervals the
    CLI tests score (a walk's errors grow with the horizon, as real series' do)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    ds = pd.date_range(start, periods=length, freq=freq)
    frames = [
        pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": level + np.cumsum(rng.normal(size=length))})
        for i in range(n)
    ]
    pd.concat(frames, ignore_index=True).to_csv(path, index=False)
    return str(path)


def long_label_csv(path, labels: list[str], time_col: str = "ds") -> str:
    """A long CSV of two series, ``a`` and ``b``, both timed by ``labels`` (period labels, dates):
    the file the period-label tests read."""
    n = len(labels)
    pd.DataFrame({"unique_id": ["a"] * n + ["b"] * n, time_col: labels * 2, "y": np.arange(2.0 * n)}).to_csv(
        path, index=False
    )
    return str(path)


def wide_label_csv(path, labels: list[str], time_col: str = "date") -> str:
    """A wide CSV with two channels, ``a`` and ``b``, timed by ``labels`` in ``time_col``."""
    n = len(labels)
    pd.DataFrame({time_col: labels, "a": np.arange(float(n)), "b": np.arange(float(n)) * 2}).to_csv(
        path, index=False
    )
    return str(path)


def seasonal_monthly_panel(lengths: list[int], seed: int = 0):
    """Monthly series of the given lengths with a trend, one seasonal phase shared by all and
    noise (seeded): the short seasonal panel on which model-selecting models' calibration
    refits saw fewer seasons than their final fits (tests of the kept forms and of the note)."""
    from tsforge.data.panel import Panel

    rng = np.random.default_rng(seed)
    season = 10 * np.sin(2 * np.pi * np.arange(12) / 12)
    arrays = []
    for n in lengths:
        t = np.arange(n)
        level, slope = rng.uniform(80, 120), rng.uniform(0.2, 1.0)
        arrays.append(level + slope * t + season[t % 12] + rng.normal(0, 1.5, n))
    starts = np.full(len(lengths), np.datetime64("2018-01-01", "ns"))
    return Panel.from_arrays(arrays, starts=starts, freq="MS", name="seasonal")


@pytest.fixture(scope="module")
def monthly_panel():
    """``monthly_frame()`` loaded as a Panel (module-scoped: the tests only read it)."""
    from tsforge.data.load import load_panel

    return load_panel(monthly_frame()).panel


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run ``tsforge ARGS`` in-process through the console script's entry point; returns
    ``(exit code, stdout, stderr)`` of the command alone.

    What was printed before is dropped first: fixtures print too (a new MLflow store logs
    "Creating initial MLflow database tables" at INFO until a command in the same process has
    quieted MLflow), so a test's view of stderr depended on which tests ran before it."""
    from tsforge.cli import main

    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def raised_while_interrupted(interrupt: BaseException) -> Exception:
    """What Optuna's trial loop raises when Ctrl-C hits its journal write: another error raised
    in a ``finally`` the interrupt was going through, the interrupt only in its context chain."""
    try:
        try:
            raise interrupt
        finally:
            raise UnboundLocalError("cannot access local variable 'updated_state'")
    except UnboundLocalError as exc:
        return exc
