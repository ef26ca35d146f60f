"""Bands of a series whose history is all zeros: its calibration cases are kept out of the pooled
scores every other series reads, it reads their own errors where they resolve the level, and the
panel's typical change otherwise (module doc of :mod:`tsforge.panels.conformal`)."""

from __future__ import annotations

import numpy as np

from tsforge.data.panel import Panel
from tsforge.inference import IntervalRequest
from tsforge.panels import local_scale
from tsforge.panels.calibrate import calibrate_panel, conformal_cv
from tsforge.panels.conformal import CALIBRATION_FILE, ConformalCalibration
from tsforge.panels.cv import cross_validation
from tsforge.panels.local_scale import all_zero, season_change_ratio, typical_scale, zero_histories

PROBS = IntervalRequest((80.0, 95.0)).probs  # 2.5, 10, 50, 90, 97.5 %
H = 12


def _demand(extra: dict[str, np.ndarray] | None = None, length: int = 48, seed: int = 3) -> Panel:
    """20 continuous demand series around 100 (noise s.d. 10), monthly, plus ``extra`` series."""
    rng = np.random.default_rng(seed)
    arrays = [100 + rng.normal(0, 10, length) for _ in range(20)]
    ids = [f"d{i:02d}" for i in range(20)]
    for name, values in (extra or {}).items():
        arrays.append(np.asarray(values, dtype=np.float64))
        ids.append(name)
    return Panel.from_arrays(arrays, ids=ids, season_length=12, name="demand")


def _typical_change(panel: Panel) -> float:
    """The median over the series that are not all zeros of their mean |lag-1 change|."""
    series = [panel.series(i) for i in range(len(panel))]
    return float(np.median([np.mean(np.abs(np.diff(s))) for s in series if np.any(s != 0)]))


def _bands(cal: ConformalCalibration, panel: Panel, point: np.ndarray) -> np.ndarray:
    return cal.quantiles(point, [panel.series(i) for i in range(len(panel))], panel.ids, PROBS)


def test_a_discontinued_series_of_zeros_gets_a_band_of_the_panels_change_not_its_level():
    """The user's panel: demand around 100 and one product whose history is all zeros. Its 95 %
    bound around a forecast of 0 was up to 261 (the resolution, ~77, times the pooled scores: a
    level, where the scores are errors over a change); it is now of the order of what the panel's
    series move by in a step (about 11), as the median series' band is."""
    panel = _demand({"s03": np.zeros(48)})
    cal = calibrate_panel(panel, "auto_ets", H)["auto_ets"]
    point = np.where((panel.ids == "s03")[:, None], 0.0, 100.0) * np.ones((len(panel), H))
    q = _bands(cal, panel, point)
    zero = q[panel.ids == "s03"][0]
    change = _typical_change(panel)
    assert 5.0 < change < 20.0
    assert zero[:, -1].max() <= 4.0 * change, (zero[:, -1], change)  # hi-95
    assert zero[:, 0].min() >= 0.0  # non-negative panel: clipped at 0
    # the band of a typical series around its own forecast is of the same size
    widths = np.median(q[panel.ids != "s03", :, -1] - point[panel.ids != "s03"], axis=0)
    assert np.all(zero[:, -1] <= 2.0 * widths + 1e-9)


def _other_bands(extra: dict[str, np.ndarray] | None) -> np.ndarray:
    panel = _demand(extra)
    cal = calibrate_panel(panel, "naive", H, 3)["naive"]
    others = ~np.isin(panel.ids, list(extra or {}))
    point = np.full((len(panel), H), 100.0)
    return _bands(cal, panel, point)[others]


def test_a_launch_inside_the_calibration_windows_leaves_the_other_series_bands_as_they_were(monkeypatch):
    """A series of zeros that jumps to about 100 in the last calibration window: all its cases
    were forecast from zeros, so none of them is in the scores the other series read, and their
    bands are those of the panel without it, to the last bit (a zero-history scale of the panel's
    smallest step scored that jump in the thousands and made every 95 % band 13,000 wide). The
    launch is a series of the panel all the same, with a vote in the panel's season-change ratio
    (the median over 21 series instead of 20, :func:`season_change_ratio`), so that ratio is held
    at the panel's without it: what is compared is the scores, not the median."""
    launch = np.r_[np.zeros(43), np.full(5, 100.0)]  # inside the last window (its 12 outcomes)
    without = _other_bands(None)
    plain = _demand()
    ratio = season_change_ratio(plain.values, plain.indptr, plain.season_length)
    monkeypatch.setattr(local_scale, "season_change_ratio", lambda *_: ratio)  # read by scale_fallbacks
    with_launch = _other_bands({"launch": launch})
    np.testing.assert_array_equal(with_launch, without)


def test_a_launch_earlier_in_the_calibration_windows_moves_the_other_series_bands_little():
    """Launched inside the first of the three windows: its later cases have a nonzero history (a change
    to be scaled by) and join the pooled scores as any series' do, one series among 21; the
    zero-history ones stay apart. The other series' 80 and 95 % widths stay within 15 % of those
    of the panel without it."""
    launch = np.r_[np.zeros(20), 100 + np.random.default_rng(9).normal(0, 10, 28)]
    without = _other_bands(None)
    with_launch = _other_bands({"launch": launch})
    for lo, hi in ((1, 3), (0, 4)):
        w0 = without[..., hi] - without[..., lo]
        w1 = with_launch[..., hi] - with_launch[..., lo]
        assert np.all(np.abs(w1 / w0 - 1.0) <= 0.15), np.abs(w1 / w0 - 1.0).max()


def _case_scores(n_pooled: int, n_zero: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One case per series and step scores: ``n_pooled`` series with scores ±(1 … n)·10 and
    ``n_zero`` series of zeros whose scores are 0, 1, …, ``n_zero − 1`` (a count of launches)."""
    big = np.linspace(-10.0, 10.0, n_pooled) * n_pooled
    small = np.arange(float(n_zero))
    scores = np.r_[big, small][:, None] * np.ones((1, 2))
    ids = np.array([f"p{i}" for i in range(n_pooled)] + [f"z{i}" for i in range(n_zero)])
    return scores, ids, np.r_[np.zeros(n_pooled, bool), np.ones(n_zero, bool)]


def test_enough_zero_history_cases_give_a_series_of_zeros_their_own_conformal_band():
    """40 zero-history cases resolve a 95 % interval (39 needed): a history of zeros reads their
    finite-rank quantiles (the 40th of 40 at 97.5 %, the 1st at 2.5 %), times the zero-history
    scale; the pooled scores neither hold them nor change for the other series."""
    scores, ids, zero = _case_scores(60, 40)
    cal = ConformalCalibration.from_scores(
        scores, ids, season_length=1, scale_window=8, zero_scale=0.5, zero_history=zero,
        weight_series_equally=True,
    )  # fmt: skip
    plain = ConformalCalibration.from_scores(
        scores[~zero], ids[~zero], season_length=1, scale_window=8, weight_series_equally=True
    )
    np.testing.assert_array_equal(cal.pooled, plain.pooled)
    assert cal.info["zero_history_cases"] == 40 and cal.zero_resolves(2, PROBS)
    hists = [np.zeros(6), np.r_[0.0, 2.0, 1.0, 3.0, 2.0, 1.0]]
    q = cal.quantiles(np.zeros((2, 2)), hists, ["new", "p1"], PROBS)
    np.testing.assert_allclose(q[0, :, 0], 0.0)
    np.testing.assert_allclose(q[0, :, -1], 0.5 * 39.0)
    expected = plain.quantiles(np.zeros((1, 2)), hists[1:], ["p1"], PROBS)
    np.testing.assert_array_equal(q[1:], expected)


def test_too_few_zero_history_cases_fall_back_to_the_pooled_scores_at_the_typical_scale():
    """30 zero-history cases resolve 80 % (9 needed) but not 95 % (39): a request for both reads
    the pooled scores at the zero-history scale; one for 80 % alone reads their own."""
    scores, ids, zero = _case_scores(60, 30)
    cal = ConformalCalibration.from_scores(
        scores, ids, season_length=1, scale_window=8, zero_scale=0.5, zero_history=zero,
        weight_series_equally=True,
    )  # fmt: skip
    assert not cal.zero_resolves(2, PROBS)
    both = cal.quantiles(np.zeros((1, 2)), [np.zeros(5)], ["new"], PROBS)
    np.testing.assert_allclose(both[0], 0.5 * cal._pooled_quantiles(2, PROBS))
    p80 = IntervalRequest((80.0,)).probs
    own = cal.quantiles(np.zeros((1, 2)), [np.zeros(5)], ["new"], p80)
    np.testing.assert_allclose(own[0, :, -1], 0.5 * cal._zero_quantiles(2, p80)[:, -1])
    assert own[0, :, -1].max() <= 0.5 * 29.0


def test_few_series_of_zeros_over_many_windows_do_not_make_a_band_of_zero():
    """Five discontinued series over eight windows are 40 zero-history cases, all scored 0 while
    they stay at zero: counted as cases they resolved 95 %, and every series of zeros got the
    band [0, 0]. What resolves a level is the series they come from: five do not (39 needed),
    so a series of zeros reads the pooled scores at the zero-history scale."""
    windows = 8
    pooled_scores, pooled_ids, _ = _case_scores(60, 0)
    scores = np.r_[np.repeat(pooled_scores, windows, axis=0), np.zeros((5 * windows, 2))]
    ids = np.r_[np.repeat(pooled_ids, windows), np.repeat([f"z{i}" for i in range(5)], windows)]
    zero = np.r_[np.zeros(60 * windows, bool), np.ones(5 * windows, bool)]
    cal = ConformalCalibration.from_scores(
        scores, ids, season_length=1, scale_window=8, zero_scale=0.5, zero_history=zero,
        weight_series_equally=True,
    )  # fmt: skip
    assert cal.info["zero_history_cases"] == 40 and cal.info["zero_history_series"] == 5
    assert not cal.zero_resolves(2, PROBS)
    q = cal.quantiles(np.zeros((1, 2)), [np.zeros(5)], ["new"], PROBS)
    np.testing.assert_allclose(q[0], 0.5 * cal._pooled_quantiles(2, PROBS))
    assert q[0, :, -1].min() > 0.0


def test_the_zero_history_scores_round_trip_and_an_older_file_serves_as_it_did(tmp_path):
    """The zero-history scores are saved with the calibration; a file saved before they existed
    (no ``zero`` arrays, its pooled scores holding those cases) loads with none and serves a
    history of zeros as it did: its stored zero-history scale times the pooled scores."""
    scores, ids, zero = _case_scores(60, 40)
    cal = ConformalCalibration.from_scores(
        scores, ids, season_length=1, scale_window=8, zero_scale=0.5, zero_history=zero
    )
    cal.save(tmp_path)
    back = ConformalCalibration.load(tmp_path)
    assert back is not None
    np.testing.assert_array_equal(back.zero, cal.zero)
    np.testing.assert_array_equal(back.zero_n, cal.zero_n)
    hists = [np.zeros(6), np.arange(6.0)]
    np.testing.assert_array_equal(
        back.quantiles(np.zeros((2, 2)), hists, ["new", "p1"], PROBS),
        cal.quantiles(np.zeros((2, 2)), hists, ["new", "p1"], PROBS),
    )
    old = ConformalCalibration.from_scores(scores, ids, season_length=1, scale_window=8, zero_scale=0.5)
    old.save(tmp_path)
    path = tmp_path / CALIBRATION_FILE
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if k not in ("zero", "zero_n")}
    np.savez_compressed(path, **arrays)  # as an older tsforge wrote it
    loaded = ConformalCalibration.load(tmp_path)
    assert loaded is not None and loaded.zero_n.size == 0
    served = loaded.quantiles(np.zeros((1, 2)), hists[:1], ["new"], PROBS)
    np.testing.assert_array_equal(served, old.quantiles(np.zeros((1, 2)), hists[:1], ["new"], PROBS))
    np.testing.assert_allclose(served[0], 0.5 * old._pooled_quantiles(2, PROBS))


def test_zero_histories_are_exactly_those_given_the_zero_history_scale():
    """The test a calibration splits its cases by marks the histories the local scale falls back
    to the zero-history scale for: nothing but zeros or missing values, or nothing at all."""
    hists = [np.zeros(4), np.r_[0.0, np.nan, 0.0], np.r_[0.0, 0.0, 1e-300], np.r_[5.0, 5.0], np.empty(0)]
    lens = np.array([h.size for h in hists])
    ends = np.cumsum(lens)
    values = np.concatenate(hists)
    marks = zero_histories(values, ends - lens, ends)
    np.testing.assert_array_equal(marks, [True, True, False, False, True])
    np.testing.assert_array_equal(all_zero(hists), marks)
    panel = _demand({"z": np.zeros(48)})
    assert typical_scale(panel.values, panel.indptr, 12) == typical_scale(
        panel.values[: panel.indptr[20]], panel.indptr[:21], 12
    )  # the series of zeros takes no part


def test_conformal_cv_keeps_a_series_of_zeros_out_of_the_other_series_windows():
    """Cross-validation calibrates each window as training does: the other series' bounds are
    those of the panel without the series of zeros, and its own stay of the panel's change."""
    h = 6
    bounds = []
    for extra in (None, {"s03": np.zeros(48)}):
        panel = _demand(extra)
        cv = cross_validation(panel, ["naive"], h, n_windows=4, progress=False)
        out = conformal_cv(cv, panel, ["naive"], h, level=[95])
        bounds.append(out)
    keep = bounds[1]["unique_id"] != "s03"
    np.testing.assert_array_equal(
        bounds[1].loc[keep, "naive-hi-95"].to_numpy(), bounds[0]["naive-hi-95"].to_numpy()
    )
    out = bounds[1].dropna(subset=["naive-hi-95"])
    half = (out["naive-hi-95"] - out["naive"]).where(out["unique_id"] != "s03")
    typical = half.groupby([out["cutoff"], out["ds"]]).transform("median")  # same window and step
    zero = out["unique_id"] == "s03"
    assert zero.any() and np.all(out.loc[zero, "naive-hi-95"] <= 2.0 * typical[zero])
