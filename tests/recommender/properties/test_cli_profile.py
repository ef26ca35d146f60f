"""`tsforge profile FILE` end to end: summary table, CSV/JSON/PNG files, error exit code."""

import json

import numpy as np
import pandas as pd
import pytest

from tsforge.cli import main


def test_profile_file_writes_outputs(tmp_path, capsys):
    n = 400
    t = np.arange(n)
    df = pd.DataFrame(
        {"date": pd.date_range("2024-01-01", periods=n, freq="h"), "x": np.sin(2 * np.pi * t / 24)}
    )
    path = tmp_path / "s.csv"
    df.to_csv(path, index=False)
    main(["profile", str(path), "--stride", "32", "--out", str(tmp_path / "out"), "--png", "--no-progress"])
    out = capsys.readouterr().out
    assert "season count" in out
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert [f.rsplit(".", 1)[1] for f in files] == ["csv", "json", "png"]
    summary = json.loads(next((tmp_path / "out").glob("*.json")).read_text())
    assert summary["n_windows"] == 3


def test_profile_bad_method_exits_2(tmp_path):
    with pytest.raises(SystemExit) as exc:
        main(["profile", "etth1", "--method", "magic", "--no-progress"])
    assert exc.value.code == 2


def test_profile_a_panel_collection_per_series(tmp_path, capsys):
    """A panel collection cannot be windowed as a matrix: it is profiled per series, and the
    files say which series and values each row describes."""
    main(["profile", "synthetic_panel", "--out", str(tmp_path / "out"), "--png", "--no-progress"])
    out = capsys.readouterr().out
    assert "series, last ≤ 336 values each" in " ".join(out.split())
    table = pd.read_csv(next((tmp_path / "out").glob("*.csv")))
    assert {"channel", "length", "window_start", "window"} <= set(table.columns)
    assert table["channel"].is_unique and (table["window_start"] + table["window"] == table["length"]).all()
    summary = json.loads(next((tmp_path / "out").glob("*.json")).read_text())
    assert summary["kind"] == "per_series" and summary["n_windows"] == len(table)
    with pytest.raises(SystemExit) as exc:
        main(["profile", "synthetic_panel", "--stride", "4", "--no-progress"])
    assert exc.value.code == 2


def _long_file(tmp_path, starts: list[str], n: int = 400) -> str:
    frames = [
        pd.DataFrame(
            {
                "unique_id": f"s{i}",
                "ds": pd.date_range(start, periods=n - 40 * i, freq="h"),
                "y": np.sin(2 * np.pi * np.arange(n - 40 * i) / 24) + i,
            }
        )
        for i, start in enumerate(starts)
    ]
    path = tmp_path / "long.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def test_a_file_of_ragged_series_is_profiled_per_series_with_a_note(tmp_path, capsys):
    """Series starting on different dates are a panel: windows over their union of dates would
    mostly see padding, so each series is profiled once (and the user is told)."""
    path = _long_file(tmp_path, ["2024-01-01", "2024-01-03", "2024-01-05"])
    main(["profile", path, "--window", "96", "--out", str(tmp_path / "out"), "--no-progress"])
    err = " ".join(capsys.readouterr().err.split())
    assert "note: the series of" in err and "start or end on different dates" in err
    summary = json.loads(next((tmp_path / "out").glob("*.json")).read_text())
    assert summary["kind"] == "per_series" and summary["n_windows"] == 3


def test_a_file_of_aligned_series_keeps_sliding_windows(tmp_path, capsys):
    frames = [
        pd.DataFrame(
            {
                "unique_id": f"s{i}",
                "ds": pd.date_range("2024-01-01", periods=400, freq="h"),
                "y": np.cos(i + np.arange(400) / 4),
            }
        )
        for i in range(2)
    ]
    path = tmp_path / "aligned.csv"
    pd.concat(frames).to_csv(path, index=False)
    main(
        [
            "profile",
            str(path),
            "--window",
            "96",
            "--stride",
            "96",
            "--out",
            str(tmp_path / "out"),
            "--no-progress",
        ]
    )
    assert "note:" not in capsys.readouterr().err
    summary = json.loads(next((tmp_path / "out").glob("*.json")).read_text())
    assert summary.get("kind") != "per_series" and summary["n_windows"] == 2 * 4


def test_a_file_shorter_than_the_window_is_profiled_per_series_with_a_note(tmp_path, capsys):
    """Sixty monthly values cannot hold one 336-step window: rather than refuse, each series is
    profiled once on its most recent values (and the user told); an explicit --stride still refuses."""
    t = np.arange(60)
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2015-01-01", periods=60, freq="MS"),
            "sales": np.sin(2 * np.pi * t / 12) + t / 20,
            "cost": np.cos(2 * np.pi * t / 6),
        }
    )
    path = tmp_path / "monthly.csv"
    frame.to_csv(path, index=False)
    main(["profile", str(path), "--out", str(tmp_path / "out"), "--no-progress"])
    err = " ".join(capsys.readouterr().err.split())
    assert "has 60 steps, fewer than the window of 336" in err
    table = pd.read_csv(next((tmp_path / "out").glob("*.csv")))
    assert sorted(table["channel"]) == ["cost", "sales"] and (table["length"] == 60).all()
    with pytest.raises(SystemExit) as exc:
        main(["profile", str(path), "--stride", "4", "--no-progress"])
    assert exc.value.code == 2
    assert "fewer than the profile window of 336" in " ".join(capsys.readouterr().err.split())


def test_a_panel_too_short_for_the_hurst_exponent_says_memorability_was_not_measured(tmp_path, capsys):
    rows = [
        pd.DataFrame(
            {
                "unique_id": f"s{i}",
                "ds": pd.date_range("2020-01-01", periods=48, freq="MS"),
                "y": np.arange(48.0) + i,
            }
        )
        for i in range(3)
    ]
    path = tmp_path / "short.csv"
    pd.concat(rows).to_csv(path, index=False)
    main(["profile", str(path), "--no-progress"])
    out = " ".join(capsys.readouterr().out.split())
    assert "memorability: not measured — none of the 3 series has the 100 values" in out
    assert "over the 0 series" not in out


def _wide_hourly(tmp_path, n: int = 600) -> str:
    """Two aligned hourly channels as a wide CSV: sliding windows, not per series."""
    t = np.arange(n)
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2020-01-01", periods=n, freq="h"),
            "a": np.sin(2 * np.pi * t / 24) + 0.1 * rng.standard_normal(n),
            "b": np.cos(2 * np.pi * t / 24) + 0.1 * rng.standard_normal(n),
        }
    )
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    return str(path)


def test_windows_too_short_for_the_hurst_exponent_say_memorability_was_not_measured(tmp_path, capsys):
    """``--window 96``: Hurst needs 100 values, and the windowed profile printed its lineage's 0
    (mean 0.0000, "memorability 0–0.25: 100%"), which reads as "no memory"; it is now not
    measured, as the per-series profile says, in the table and in the written files."""
    path = _wide_hourly(tmp_path)
    main(["profile", path, "--window", "96", "--out", str(tmp_path / "out"), "--no-progress"])
    out = " ".join(capsys.readouterr().out.replace("│", " ").split())
    assert "memorability: not measured — the Hurst exponent needs 100 values and the windows have 96" in out
    assert "hurst nan nan nan nan nan" in out, out
    summary = json.loads(next((tmp_path / "out").glob("*.json")).read_text())
    assert summary["n_windows_without_hurst"] == summary["n_windows"] > 0
    assert set(summary["buckets"]["memorability"].values()) == {0.0}
    assert pd.read_csv(next((tmp_path / "out").glob("*.csv")))["hurst"].isna().all()
    main(["profile", path, "--window", "100", "--no-progress"])  # long enough: measured, no caption
    assert "not measured" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--window", "96", "--stride", "0"), "stride must be >= 1"),
        (("--window", "96", "--stride", "-3"), "stride must be >= 1"),
        (("--window", "0"), "window must be at least 32 steps"),
        (("--window", "20"), "window must be at least 32 steps"),
    ],
)
def test_a_bad_window_or_stride_is_refused_before_anything_is_printed(tmp_path, capsys, args, message):
    """``--stride 0`` silently became the default stride (a negative one was refused); a window
    too small printed a progress bar (and for a panel a note) above its error."""
    path = _wide_hourly(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["profile", path, *args])
    out, err = capsys.readouterr()
    assert exc.value.code == 2 and out == ""
    assert err.strip().splitlines() == [err.strip()] and message in err, err


def test_a_too_small_window_on_a_panel_file_is_refused_without_the_note(tmp_path, capsys):
    path = _long_file(tmp_path, ["2024-01-01", "2024-01-03", "2024-01-05"])
    with pytest.raises(SystemExit) as exc:
        main(["profile", path, "--window", "0"])
    out, err = capsys.readouterr()
    assert exc.value.code == 2 and out == "" and "note:" not in err
    assert "window must be at least 12 steps" in err, err


def test_the_continuous_properties_say_what_they_measure(tmp_path, capsys):
    """``tau`` and ``arch_pvalue`` are column names of the written files; under the table each
    continuous property shown says in words what it measures."""
    from tsforge.cli.profile import MEASURES

    n = 24 * 60
    t = np.arange(n)
    df = pd.DataFrame(
        {"date": pd.date_range("2024-01-01", periods=n, freq="h"), "x": np.sin(2 * np.pi * t / 24)}
    )
    path = tmp_path / "s.csv"
    df.to_csv(path, index=False)
    main(["profile", str(path), "--stride", "32", "--no-progress"])
    flat = " ".join(capsys.readouterr().out.split())
    assert "Kendall's τ" in flat and "ARCH test p-value" in flat
    for prop in ("tau", "season_strength", "volatility", "hurst", "anomaly_ratio", "arch_pvalue"):
        assert f"{prop}: {MEASURES[prop]}" in flat
