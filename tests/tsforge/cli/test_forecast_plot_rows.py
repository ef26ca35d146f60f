"""``tsforge forecast --plot`` parses the rows of the series it draws only, and draws what the
parse of the whole history gives for them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.cli import forecast_plot
from tsforge.data import history as history_module

H = 3


def _long(ids, times: dict[str, list], values_from: int = 0) -> pd.DataFrame:
    """A long history whose series ``ids`` have the time keys ``times[id]`` (rows in reverse, the
    newest first, so the parse must sort them and the file's first series is ``ids[-1]``)."""
    frames = [
        pd.DataFrame({"unique_id": sid, "ds": times[sid], "y": values_from + 100 * k + np.arange(len(times[sid]), dtype=float)})
        for k, sid in enumerate(ids)
    ]  # fmt: skip
    return pd.concat(frames, ignore_index=True).iloc[::-1].reset_index(drop=True)


def _forecast_for(history: pd.DataFrame, future) -> pd.DataFrame:
    """A forecast frame of ``H`` rows per series of ``history`` (file order), ``future`` its ds."""
    ids = list(dict.fromkeys(history["unique_id"].astype(str)))
    return pd.DataFrame(
        {
            "unique_id": np.repeat(ids, H),
            "ds": np.concatenate([future(sid) for sid in ids]),
            "step": np.tile(np.arange(1, H + 1), len(ids)),
            "y_hat": np.arange(len(ids) * H, dtype=float),
            "y_hat-lo-80": -1.0,
            "y_hat-hi-80": 1.0,
        }
    )


def _months(start: str, n: int) -> list:
    return list(pd.date_range(start, periods=n, freq="MS"))


def _yyyymm(start_year: int, n: int) -> list[int]:
    return [(start_year + m // 12) * 100 + m % 12 + 1 for m in range(n)]


IDS = [f"s{i}" for i in (3, 1, 12, 2, 10, 4, 0, 5)]  # file order, not sorted order; 8 > 6 drawn


def _cases() -> dict[str, tuple[pd.DataFrame, object]]:
    """History and a function id → its forecast's ``ds``, one per way the time column is read."""
    dates = _long(IDS, {s: _months("2000-01-01", 30 + i) for i, s in enumerate(IDS)})
    tz = dates.assign(ds=pd.to_datetime(dates["ds"]).dt.tz_localize("Asia/Tokyo"))
    text = dates.assign(ds=pd.to_datetime(dates["ds"]).dt.strftime("%d/%m/%Y"))
    ints = _long(IDS, {s: list(10 * i + 2 * np.arange(30)) for i, s in enumerate(IDS)})
    # "s1", drawn in no test, makes the whole column read otherwise than the drawn rows alone:
    # with it the column spans two years (months), without it one (steps) ...
    months_whole = _long(IDS, {s: _yyyymm(2021 if s == "s1" else 2020, 12) for s in IDS})
    # ... or the drawn rows alone look like months over two years, and its 13 says steps
    steps_whole = _long(IDS, {s: [201913, 201914, 201915] if s == "s1" else _yyyymm(2019, 24) for s in IDS})
    undated = _long(IDS, {s: [None] * 30 for s in IDS}).drop(columns="ds")
    date_future = lambda sid: pd.date_range("2030-01-01", periods=H, freq="MS").values  # noqa: E731
    int_future = lambda sid: np.arange(1000, 1000 + H)  # noqa: E731
    nat_future = lambda sid: np.full(H, np.datetime64("NaT"), dtype="datetime64[ns]")  # noqa: E731
    return {
        "dates": (dates, date_future),
        "dates-tz": (tz, date_future),
        "text-dates": (text, date_future),
        "integers": (ints, int_future),
        "yyyymm-months-only-in-the-whole-file": (months_whole, date_future),
        "yyyymm-steps-in-the-whole-file": (steps_whole, int_future),
        "undated": (undated, nat_future),
    }  # fmt: skip


CASES = _cases()


def _expected_items(history, forecast, series) -> list[dict]:
    """What the drawing must get: each drawn series as the whole history's parse reads it."""
    parsed = history_module.histories_from_frame(history, "unique_id", "ds", "y")
    by_id = {s.id: s for s in parsed}
    chosen = [by_id[s] for s in series] if series else parsed[: forecast_plot.PLOT_SERIES]
    out = []
    for one in chosen:
        rows = forecast[forecast["unique_id"] == one.id]
        tail = min(len(one.values), max(3 * H, 24))
        dated = rows["ds"].notna().all()
        t = one.timestamps if one.timestamps is not None else one.steps
        out.append(
            {
                "id": one.id,
                "history": one.values[-tail:],
                "history_t": t[-tail:] if dated and t is not None else np.arange(-tail, 0),
            }
        )
    return out


@pytest.mark.parametrize("series", [None, ["s2", "s5", "s3"]])
@pytest.mark.parametrize("frame_type", ["pandas", "polars"])
@pytest.mark.parametrize("case", list(CASES))
def test_plot_draws_what_the_whole_history_s_parse_gives(drawn, tmp_path, case, frame_type, series):
    """Guard (passes before and after the change): the drawn series, their values, their time
    axis and their forecast are those of the whole file's parse."""
    history, future = CASES[case]
    forecast = _forecast_for(history, future)
    given = pl.from_pandas(history) if frame_type == "polars" else history
    forecast_plot.write_forecast_plot(
        given, forecast, tmp_path / "p.png", id_col="unique_id", time_col="ds", target_col="y",
        levels=[80], series=series,
    )  # fmt: skip
    items = drawn[0]
    want = _expected_items(history, forecast, series)
    assert [i["id"] for i in items] == [w["id"] for w in want]
    for item, w in zip(items, want, strict=True):
        np.testing.assert_array_equal(item["history"], w["history"])
        np.testing.assert_array_equal(item["history_t"], w["history_t"])
        assert np.asarray(item["history_t"]).dtype == np.asarray(w["history_t"]).dtype
        rows = forecast[forecast["unique_id"] == w["id"]]
        np.testing.assert_array_equal(item["forecast"], rows["y_hat"].to_numpy())


@pytest.mark.parametrize("case", ["yyyymm-months-only-in-the-whole-file", "yyyymm-steps-in-the-whole-file"])
def test_the_yyyymm_cases_read_otherwise_without_s1(case):
    """The two cases above test something: the rows drawn, parsed alone, are read otherwise."""
    history = CASES[case][0]
    whole = history_module.histories_from_frame(history, "unique_id", "ds", "y")
    alone = history_module.histories_from_frame(history[history["unique_id"] != "s1"], "unique_id", "ds", "y")
    assert (whole[0].timestamps is None) != (alone[0].timestamps is None)


@pytest.mark.parametrize("series", [None, ["s2", "s5"]])
def test_plot_parses_only_the_rows_of_the_series_it_draws(drawn, tmp_path, monkeypatch, series) -> None:
    """Drawing 6 of 50,000 series grouped all 8M rows of the history; only the drawn ids' rows
    may reach the history parser."""
    history, future = CASES["dates"]
    forecast = _forecast_for(history, future)
    parsed_ids: list[str] = []
    original = history_module.histories_from_frame

    def counting(frame, *args, **kwargs):
        out = original(frame, *args, **kwargs)
        parsed_ids.extend(s.id for s in out)
        return out

    monkeypatch.setattr(history_module, "histories_from_frame", counting)
    forecast_plot.write_forecast_plot(
        history, forecast, tmp_path / "p.png", id_col="unique_id", time_col="ds", target_col="y",
        levels=None, series=series,
    )  # fmt: skip
    drawn_ids = [i["id"] for i in drawn[0]]
    first_in_file = list(dict.fromkeys(history["unique_id"]))[: forecast_plot.PLOT_SERIES]
    assert drawn_ids == (series or first_in_file)
    assert sorted(parsed_ids) == sorted(drawn_ids), f"parsed {sorted(set(parsed_ids) - set(drawn_ids))} too"
