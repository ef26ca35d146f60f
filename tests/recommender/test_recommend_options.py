"""``tsforge recommend`` options that only apply to one path, and what each path passes on.

Why these tests: options that silently do nothing mislead (``--per-series --adapt`` printed the
non-adapted answer, ``--n-jobs 4`` ranked a panel in one process), and a typo in a candidate
name read as "this panel cannot train it".
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import run_cli as _cli
from tsforge.errors import ConfigError


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (("--per-series", "--adapt"), "--adapt"),
        (("--adapt",), "--adapt"),
        (("--per-series", "--mode", "pick"), "--mode"),
        (("--mode", "pick"), "--mode"),
        (("--per-series", "--split", "7:1:2"), "--split"),
        (("--per-series", "--top", "5"), "--top"),
        (("--per-series", "--max-series", "5"), "--max-series"),
    ],
)
def test_options_of_another_path_are_refused_not_ignored(capsys, halves_csv, saved_router, extra, named):
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", *extra)
    assert code == 2, out
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(" ".join(lines).split("error:")) == 2 and named in err  # one error, naming the option
    assert "Per-series picks" not in out and "Models for the panel" not in out  # refused before any work


def test_panel_ranking_and_training_get_the_n_jobs_given(capsys, halves_csv, monkeypatch) -> None:
    import recommender.panel as panel_mod
    import tsforge.pipeline as pipeline

    seen: dict[str, Any] = {}

    def spy(panel, horizon, *args, **kwargs):
        seen["rank"] = kwargs.get("n_jobs")
        row = {"model": "naive", "val_mase": 1.0, "val_smape": 10.0, "phase_mase": None, "score": 1.0}
        return panel_mod.PanelRecommendation(panel.name, horizon, [row], "naive: the only one", len(panel))

    class Stop(Exception):
        pass

    def train_spy(*args, **kwargs):
        seen["train"] = kwargs.get("n_jobs")
        raise Stop

    monkeypatch.setattr(panel_mod, "recommend_panel", spy)
    monkeypatch.setattr(pipeline, "train_panel", train_spy)
    with pytest.raises(Stop):
        _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--n-jobs", "2", "--json", "--train")
    assert seen == {"rank": 2, "train": 2}


def test_an_unknown_candidate_is_refused_not_skipped(make_halves):
    from recommender.panel import recommend_panel
    from tsforge.errors import ModelNotFoundError

    panel = make_halves(6, seed=54)
    with pytest.raises(ModelNotFoundError, match="naiv"):
        recommend_panel(panel, 6, ("naive", "naiv"))  # a typo is not "cannot train on this panel"


def test_collection_table_shows_the_expected_error_where_each_candidate_is_picked(
    capsys, halves_csv, saved_router
):
    """With picks split between candidates, the row of a pick gives its expected MASE over the
    series it is picked for; the mean over every series (what the JSON's ``expected_mase`` holds
    for every candidate) read as the error where it is chosen."""
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series", "--json")
    assert code == 0, err
    payload = json.loads(out)
    picked = payload["collection"]["expected_mase_picked"]
    assert set(picked) == set(payload["collection"]["pick_distribution"]) == {"naive", "seasonal_naive"}
    everywhere = payload["collection"]["expected_mase"]
    assert all(abs(picked[c] - everywhere[c]) > 5e-4 for c in picked)  # the two numbers differ here
    for cand, value in picked.items():
        mine = [s["expected_mase"] for s in payload["series"] if s["pick"] == cand]
        assert value == pytest.approx(sum(mine) / len(mine))
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series")
    assert code == 0, err
    cells = [[c.strip() for c in line.split("│")] for line in out.splitlines() if line.count("│") >= 4]
    rows = {c[1]: c[3] for c in cells if c[2].endswith("%")}  # pick │ share │ expected MASE
    for cand, value in picked.items():
        assert rows[cand] == f"{value:.3f}"


@pytest.mark.parametrize(("prior", "says"), [("validation", "validation-window"), ("router", "collection")])
def test_the_prior_a_trained_recommendation_pooled_towards_is_named_in_its_reasons(
    halves_router, make_halves, prior, says
):
    """``--per-series --train`` pools every series towards this panel's validation-window errors:
    its reasons said "the rest of the collection favours …" (the words of the router's own
    prior), and the collection view "mostly for the collection's record"."""
    from dataclasses import replace

    from recommender.routed_training import train_routed
    from tsforge.pipeline import TrackingOptions

    pooled = replace(halves_router, config=halves_router.config.with_selection({"shrink": 1.0}))
    out = train_routed(
        make_halves(40, seed=55),
        6,
        router=pooled,
        prior=prior,
        tracking=TrackingOptions(track=False, progress=False),
    )
    rec = out.recommendation
    texts = list(rec.per_series["explanation"])
    assert all(says in t for t in texts), texts[:2]
    assert all(says in t for t in rec.collection["explanations"].values()), rec.collection["explanations"]
    if prior == "validation":
        assert not any("rest of the collection" in t for t in texts)
        reasons = [r for e in rec.explanations for r in e["reasons"] if r["group"] == "collection"]
        assert reasons and all("validation-window" in r["description"] for r in reasons)


def test_the_trained_summary_says_which_scores_are_in_hindsight(
    capsys, tmp_path, make_halves, saved_router, tracking_uri
):
    """The best single candidate and the per-series oracle are chosen on the test window itself:
    beside the routed model's test MASE they are references, not alternatives one could have
    picked (the README's table says "(hindsight)"; the summary line did not)."""
    path = tmp_path / "halves40.csv"
    make_halves(40, seed=56).to_long().to_csv(path, index=False)
    code, out, err = _cli(capsys, "recommend", str(path), "--horizon", "6", "--per-series", "--train")
    assert code == 0, err
    text = " ".join(out.split())
    assert "best single candidate in hindsight" in text and "per-series oracle (hindsight)" in text
    assert "Against Naive2 (M4's benchmark: naive on the seasonally adjusted series): test MASE" in text


def test_the_next_command_after_a_panel_with_short_series_runs_when_pasted(
    capsys, tmp_path, make_halves, saved_router, tracking_uri
):
    """A series too short for the holdout (here 8 values, horizon 6) is recommended for (no fit
    needs it), but the printed ``--per-series --train`` refused the panel and asked for
    ``--drop-short``: the next command carries it, and says why."""
    import shlex

    import pandas as pd

    frame = make_halves(12, seed=57).to_long()
    tiny = pd.DataFrame(
        {"unique_id": "tiny", "ds": pd.date_range("2009-01-01", periods=8, freq="MS"), "y": 1.0}
    )
    path = tmp_path / "with_tiny.csv"
    pd.concat([frame, tiny]).to_csv(path, index=False)
    code, out, err = _cli(capsys, "recommend", str(path), "--horizon", "6", "--per-series")
    assert code == 0, err
    text = " ".join(out.split())
    assert "1 of 13 series" in text and "--drop-short" in text
    words = shlex.split(out.split("next: ")[1].splitlines()[0])  # printed unwrapped (SOFT_WRAP)
    assert words[:3] == ["tsforge", "recommend", str(path)] and {"--drop-short", "--train"} <= set(words)
    args = words[2:]
    code, out, err = _cli(capsys, "recommend", *args)
    assert code == 0, err
    assert "registered" in out


def test_a_horizon_no_series_can_be_trained_at_is_refused_not_answered(capsys, tmp_path, saved_router):
    """It was answered (picks, weights, expected MASE) with a closing line saying no series was
    long enough to train: now one error line naming the horizon, the longest series' length and
    the length needed, and no table (tests/recommender/test_untrainable_horizon.py has the rest)."""
    import pandas as pd

    path = tmp_path / "three.csv"
    pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2009-01-01", periods=3, freq="MS"), "y": [1.0, 2.0, 3.0]}
    ).to_csv(path, index=False)
    code, out, err = _cli(capsys, "recommend", str(path), "--horizon", "6", "--per-series")
    assert code == 2 and "Per-series picks" not in out, out
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: "), err
    assert "horizon 6" in err and "it has 3 values" in err and "needs 13" in err, err
    assert "--horizon 1 or less" in err, err


def test_a_panel_without_a_mase_scale_is_refused_not_ranked_by_nan(make_halves):
    """Every series constant: MASE has no scale on any series, every candidate's validation MASE
    was NaN, and the ranking (sorted on NaN) read "seasonal_naive has the lowest validation MASE
    (nan) …, nan% below naive"."""
    from dataclasses import replace

    from recommender.panel import recommend_panel
    from tsforge.errors import DataValidationError

    panel = make_halves(4, seed=58)
    flat = replace(panel, values=panel.values * 0.0 + 5.0)
    with pytest.raises(DataValidationError, match="MASE"):
        recommend_panel(flat, 6, ("naive", "seasonal_naive"))


def test_panel_json_is_strict_json_even_with_an_undefined_score(capsys, halves_csv, monkeypatch):
    """``--json`` printed ``NaN`` (Python's extension, which ``jq`` and JSON parsers refuse) for a
    score that is not defined; the per-series JSON already wrote ``null``."""
    import recommender.panel as panel_mod

    def canned(panel, horizon, *args, **kwargs):
        rows = [
            {"model": "naive", "val_mase": 1.0, "val_smape": 10.0, "phase_mase": None, "score": 1.0},
            {
                "model": "auto_ets",
                "val_mase": float("nan"),
                "val_smape": 9.0,
                "phase_mase": None,
                "score": float("nan"),
            },
        ]
        return panel_mod.PanelRecommendation(panel.name, horizon, rows, "naive: the only score", len(panel))

    monkeypatch.setattr(panel_mod, "recommend_panel", canned)
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--json")
    assert code == 0, err

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in --json output")

    payload = json.loads(out, parse_constant=refuse)
    assert payload["ranking"][1]["val_mase"] is None


def test_a_routed_model_names_itself_when_a_series_has_another_sampling_rate(halves_router, make_halves):
    """A daily series sent to a monthly routed model was refused as "this naive model forecasts
    MS series": the first member's words, for a model the user knows as the routed ensemble."""
    import numpy as np

    from recommender.routed_training import train_routed
    from tsforge.data.history import SeriesInput
    from tsforge.errors import DataValidationError
    from tsforge.pipeline import TrackingOptions

    out = train_routed(
        make_halves(40, seed=59),
        6,
        router=halves_router,
        tracking=TrackingOptions(track=False, progress=False),
    )
    days = np.arange("2020-01-01", "2020-03-01", dtype="datetime64[D]").astype("datetime64[ns]")
    daily = SeriesInput("d1", np.linspace(1.0, 2.0, days.size), days)
    with pytest.raises(DataValidationError, match=r"sampled daily \(D\)") as err:
        out.predictor.predict_series([daily], 6)
    assert "routed" in err.value.message and "naive" not in err.value.message


def test_the_panel_ranking_progress_covers_the_same_phase_window(make_halves) -> None:
    """Monthly series at horizon 6 get a same-phase window (every candidate refit on the history
    a season earlier, as long again as the ranking): the bar stood full at "validating … 2/2"
    while it ran."""
    from recommender.panel import recommend_panel

    calls: list[tuple[str, int, int]] = []
    rec = recommend_panel(
        make_halves(6, seed=60), 6, ("naive", "seasonal_naive"), progress=lambda *a: calls.append(a)
    )
    assert rec.ranking[0]["phase_mase"] is not None  # the window was used
    phase = [i for i, (d, _, _) in enumerate(calls) if "same-phase" in d]
    assert phase, calls
    assert all(done < total for _, done, total in calls[: phase[0] + 1])  # not full before it runs
    assert calls[-1][1] == calls[-1][2]


def test_the_routed_training_progress_covers_the_calibration(halves_router, make_halves) -> None:
    """On a few series the routed model's calibration refits every member on rolling-origin
    windows (as long as the training again): the bar stood full at "routing 2/2" while it ran."""
    from recommender.routed_training import train_routed
    from tsforge.pipeline import TrackingOptions

    calls: list[tuple[str, int, int]] = []
    train_routed(
        make_halves(6, seed=61),
        6,
        router=halves_router,
        tracking=TrackingOptions(track=False, progress=False),
        progress=lambda *a: calls.append(a),
    )
    calib = [i for i, (d, _, _) in enumerate(calls) if "calibrat" in d]
    assert calib, calls
    assert all(done < total for _, done, total in calls[: calib[0] + 1])
    assert calls[-1][1] == calls[-1][2]
    assert [done for _, done, _ in calls] == sorted(done for _, done, _ in calls)


def test_reasons_whose_effect_rounds_to_nothing_are_not_listed(capsys):
    """``tsforge recommend synthetic`` listed "mostly stationary windows (61% pass the
    stationarity tests) works against it (+0.000 log-error)": a reason with no visible effect."""
    from recommender.api import RankedModel, Recommendation
    from recommender.explain import Reason
    from tsforge.cli.recommend import render_recommendation

    best = RankedModel(1, "dlinear", "dlinear", None, 1.0, 0.0, {"model": "dlinear"}, True)
    reasons = [
        Reason("trend", -0.04, "favours", "weak trend (|tau| 0.21)"),
        Reason(
            "stationarity",
            0.00026,
            "works against",
            "mostly stationary windows (61% pass the stationarity tests)",
        ),
    ]
    rec = Recommendation(
        "toy", 96, 24, [best], [best], reasons, "weak trend (|tau| 0.21) favours dlinear", [],
        {"n_windows_profiled": 4}, {}, {"total_seconds": 0.1}, {"tier": "full", "candidates": ["dlinear"]},
    )  # fmt: skip
    render_recommendation(rec, "toy")
    out = " ".join(capsys.readouterr().out.split())
    assert "weak trend (|tau| 0.21) favours it (expected error -3.9%)" in out
    assert "+0.0%" not in out and "stationary" not in out


def test_the_panel_ranking_progress_names_the_candidate_being_fitted(make_halves) -> None:
    """The bar said "validating auto_theta 3/7" through auto_ets's fit (the slowest): it named the
    candidate just finished; the routed training's bar names the one starting."""
    from recommender.panel import recommend_panel

    calls: list[tuple[str, int, int]] = []
    cands = ("naive", "seasonal_naive")
    recommend_panel(make_halves(6, seed=62), 12, cands, progress=lambda *a: calls.append(a))
    starts = [c for c in calls if c[0].startswith("validating")]
    assert [(d, done) for d, done, _ in starts[:2]] == [
        ("validating naive", 0),
        ("validating seasonal_naive", 1),
    ]
    assert calls[-1][1] == calls[-1][2]


def test_after_train_the_expected_mase_caveat_names_the_validation_prior():
    """After --train, fully pooled scores are this panel's validation errors, yet the caveat still
    called them "the router's estimate from the series' properties"."""
    from tsforge.cli.recommend import expected_mase_caveat

    trained = expected_mase_caveat(1.44, trained=True)
    assert "validation-window errors" in trained and "properties" not in trained and "×1.44" in trained
    assert "properties" in expected_mase_caveat(1.44)


def test_a_panel_ranking_on_a_seeded_sample_says_so(make_halves):
    """--max-series: a ranking that fits every candidate on 20,000 series ran past ten minutes;
    on a seeded sample it ranks that many series, the same ones for the same seed, and says so."""
    from recommender.panel import recommend_panel

    panel = make_halves(12, seed=51)
    full = recommend_panel(panel, 6, ["naive", "seasonal_naive"], max_series=50)
    assert full.n_series == 12 and full.sampled_from is None and "sample" not in full.explanation
    a = recommend_panel(panel, 6, ["naive", "seasonal_naive"], max_series=5, seed=3)
    b = recommend_panel(panel, 6, ["naive", "seasonal_naive"], max_series=5, seed=3)
    assert a.n_series == 5 and a.sampled_from == 12
    assert "ranked on a seeded random sample of 5 of the 12 series" in a.explanation
    assert a.ranking == b.ranking
    with pytest.raises(ConfigError) as err:
        recommend_panel(panel, 6, ["naive"], max_series=0)
    assert err.value.where["field"] == "max_series"


def test_a_large_panel_is_noted_before_its_ranking_and_the_sample_is_passed_on(
    capsys, halves_csv, monkeypatch
) -> None:
    import recommender.panel as panel_mod
    import tsforge.cli.recommend as cli_recommend

    seen: list = []

    def spy(panel, horizon, *args, **kwargs):
        seen.append(kwargs.get("max_series"))
        row = {"model": "naive", "val_mase": 1.0, "val_smape": 10.0, "phase_mase": None, "score": 1.0}
        return panel_mod.PanelRecommendation(panel.name, horizon, [row], "naive: the only one", len(panel))

    monkeypatch.setattr(panel_mod, "recommend_panel", spy)
    monkeypatch.setattr(cli_recommend, "LARGE_PANEL_SERIES", 10)  # the 12-series panel is "large"
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6")
    assert code == 0 and "each of the 12 series" in err and "--max-series 5 " in err
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--max-series", "4")
    assert code == 0 and "each of the" not in err and "--max-series 4 --train" in out
    assert seen == [None, 4]
