"""The Ray engine on a real cluster: same numbers as the local engine, and no series lost or
duplicated when a worker process dies mid-run."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.engine import LocalEngine, RayEngine
from tsforge.errors import ConfigError
from tsforge.panels.cv import cross_validation
from tsforge.panels.local import forecast_chunk, forecast_local, merge_forecasts, run_chunks

pytestmark = pytest.mark.integration

MODELS = ["auto_ets", "seasonal_naive"]
H = 6


def _by_value() -> None:
    """Ship this module's task helpers to the workers by value (they cannot import test files)."""
    import ray.cloudpickle

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def panel() -> Panel:
    """40 seeded monthly-like series, lengths 24–120, trend + season + noise, a few NaN."""
    rng = np.random.default_rng(16)
    arrays = []
    for i, n in enumerate(rng.integers(24, 121, size=40)):
        t = np.arange(n)
        y = 50 + 0.1 * i * t + 5 * np.sin(2 * np.pi * t / 12 + i) + rng.standard_normal(n)
        if i % 7 == 0:
            y[n // 2] = np.nan
        arrays.append(y)
    return Panel.from_arrays(arrays, ids=[f"s{i:03d}" for i in range(40)], season_length=12, name="toy")


@pytest.fixture(scope="module")
def ray_engine(ray_address) -> RayEngine:
    _by_value()
    return RayEngine(ray_address)


def test_forecasts_are_identical_on_local_and_ray(panel, ray_engine):
    chunks = panel.chunks(6)
    local = merge_forecasts(run_chunks(chunks, MODELS, H, engine=LocalEngine(2), progress=False))
    ray = merge_forecasts(run_chunks(chunks, MODELS, H, engine=ray_engine, progress=False))
    pd.testing.assert_frame_equal(local, ray, check_exact=True)
    assert local.attrs["fallbacks"] == ray.attrs["fallbacks"]
    # and the whole-panel entry point, chunked for each engine's own worker count
    whole = forecast_local(panel, MODELS, H, engine=ray_engine, progress=False)
    pd.testing.assert_frame_equal(whole, local, check_exact=True)
    assert list(whole["unique_id"].drop_duplicates()) == list(panel.ids)


def test_cross_validation_is_identical_on_local_and_ray(panel, ray_engine):
    local = cross_validation(panel, MODELS, H, n_windows=2, engine="local", progress=False)
    ray = cross_validation(panel, MODELS, H, n_windows=2, engine=ray_engine, progress=False)
    pd.testing.assert_frame_equal(local, ray, check_exact=True)


def test_profile_is_identical_on_local_and_ray(panel, ray_engine) -> None:
    from recommender.properties.profile import profile_windows

    rng = np.random.default_rng(3)
    t = np.arange(64)
    windows = np.sin(2 * np.pi * t / 12)[None, :] + 0.3 * rng.standard_normal((300, 64))
    seen: list[int] = []
    local = profile_windows(windows, chunk_size=50)
    ray = profile_windows(windows, chunk_size=50, engine=ray_engine, progress=lambda d, n: seen.append(d))
    assert seen[-1] == 300 and len(seen) == 6  # progress reported in the driver, once per chunk
    assert local.keys() == ray.keys()
    for key in local:
        if key == "periods":
            assert local[key] == ray[key]
        else:
            np.testing.assert_array_equal(local[key], ray[key])


def _forecast_or_die(args: tuple[Panel, str | None]) -> pd.DataFrame:
    """The chunk task, except that the first attempt on the chunk given a marker path kills its
    own worker process (SIGKILL: no clean-up, as when a node loses a process) after recording
    the pid; the retry finds the marker and does the work."""
    chunk, marker = args
    if marker is not None:
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pass
        else:
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            time.sleep(0.2)
            os.kill(os.getpid(), signal.SIGKILL)
    return forecast_chunk(chunk, MODELS, H)


def test_a_killed_worker_loses_and_duplicates_no_series(panel, ray_engine, tmp_path: Path):
    chunks = panel.chunks(8)
    marker = tmp_path / "killed.pid"
    tasks = [(c, str(marker) if i == 3 else None) for i, c in enumerate(chunks)]
    done: list[int] = []
    t0 = time.perf_counter()
    frames = ray_engine.map(_forecast_or_die, tasks, on_result=lambda i, _: done.append(i))
    assert time.perf_counter() - t0 < 120
    pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):  # the worker really died
        os.kill(pid, 0)
    assert sorted(done) == list(range(len(chunks)))  # each chunk reported exactly once
    out = merge_forecasts(frames)
    counts = out["unique_id"].value_counts()
    assert set(counts.index) == set(panel.ids) and (counts == H).all()  # none lost, none twice
    expected = merge_forecasts(LocalEngine(1).map(_forecast_or_die, [(c, None) for c in chunks]))
    pd.testing.assert_frame_equal(out, expected, check_exact=True)


def _bad_chunk(x: int) -> int:
    if x == 2:
        raise ConfigError("chunk 2 is bad", field="models")
    return x


def test_a_task_error_comes_back_as_itself_and_is_not_retried(ray_engine):
    with pytest.raises(ConfigError, match="chunk 2 is bad") as info:
        ray_engine.map(_bad_chunk, [0, 1, 2, 3])
    assert info.value.where == {"field": "models"}


def test_cli_cv_on_the_cluster_writes_the_local_frame(panel, ray_address, tmp_path, capsys):
    from tsforge.cli import main

    rows = [
        pd.DataFrame(
            {
                "unique_id": panel.ids[i],
                "ds": pd.date_range("2010-01-01", periods=int(panel.lengths[i]), freq="MS"),
                "y": panel.series(i),
            }
        )
        for i in range(len(panel))
    ]
    frame = pd.concat(rows, ignore_index=True)
    csv = tmp_path / "panel.csv"
    frame.to_csv(csv, index=False)
    base = ["cv", "-d", str(csv), "-m", "seasonal_naive", "-m", "auto_ets", "-H", "4", "--n-windows", "1"]
    for name, extra in (("local", []), ("ray", ["--engine", "ray", "--ray-address", ray_address])):
        try:
            main([*base, "-o", str(tmp_path / f"{name}.csv"), *extra])
        except SystemExit as exc:
            assert exc.code in (0, None), capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "local.csv"), pd.read_csv(tmp_path / "ray.csv"))


def test_without_an_address_a_local_ray_instance_runs_the_work(ray_address, tmp_path):
    """A fresh process with no RAY_ADDRESS starts its own Ray (1 CPU) and shuts it down on exit."""
    import subprocess

    code = (
        "from tsforge.engine import get_engine\n"
        "def neg(x):\n    return -x\n"
        "e = get_engine('ray', n_jobs=1)\n"
        "print(e.describe(), e.workers, e.map(neg, [-3, 2, -1]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("RAY_ADDRESS", "TSFORGE_ENGINE")}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "ray local x1 1 [3, -2, 1]"


def test_ensemble_members_trained_on_the_cluster_are_the_members_trained_here(ray_engine):
    """``tsforge train --model ensemble --engine ray``: each member is one Ray task; the ensemble
    comes back the same as one trained member after member in this process (one thread)."""
    import torch

    from tests.conftest import make_series
    from tsforge.data.task import prepare_task
    from tsforge.engine import using
    from tsforge.training.fitting import fit_model
    from tsforge.training.spec import TrainingSpec

    task = prepare_task(make_series(700, 2, seed=4), 48, 12)
    quick = {"max_epochs": 1, "batch_size": 64}
    members = [{"model": "sparsetsf", "train": quick}, {"model": "nlinear", "input_len": 24, "train": quick}]
    spec = TrainingSpec(
        "ensemble", model_config={"members": members}, train_config={"num_threads": 1}, seed=2
    )
    here = fit_model(spec, task)
    with using(ray_engine):
        remote = fit_model(spec, task)
    assert remote.report.extra["engine"].startswith("ray")
    batch = task.dataset("test").get_batch(torch.arange(10))
    torch.testing.assert_close(remote.forecaster.predict(batch), here.forecaster.predict(batch))
