"""``tsforge recommend`` says in ``--json`` what its table says, in words a forecaster reads, and
refuses a candidate list that names a model twice.

Why: a panel's ``--json`` named no pick (a reader had to know it is ``ranking[0]``) and dropped the
lines printed under the table (``--per-series`` would choose another model; why the pick shows a
higher sMAPE); the long-data reasons were quantified in "log-error", a unit no forecaster reads; a
series without a single zero read "few zeros (0%)"; and ``candidates=("auto_ets", "auto_ets")``
was ranked "about the same as auto_ets".
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli as _cli
from tsforge.errors import ConfigError


def test_panel_json_names_the_pick_and_carries_the_line_under_the_table(
    canned_ranking, capsys, halves_csv, saved_router, monkeypatch
):
    import recommender.panel as panel_mod
    from recommender.series_recommendation import recommend_series

    other = recommend_series(halves_csv, 6, router=saved_router).collection["best_single"]
    best = next(m for m in ("naive", "seasonal_naive") if m != other)
    monkeypatch.setattr(panel_mod, "recommend_panel", canned_ranking(best, other))
    code, table, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6")
    assert code == 0, err
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["best"] == best == payload["ranking"][0]["model"]
    line = payload["notes"]["per_series_disagreement"]
    assert line.startswith(f"--per-series would choose {other}")
    assert " ".join(line.split()) in " ".join(table.split())  # the line the table printed


def test_panel_json_notes_are_empty_where_the_table_prints_none(
    canned_ranking, capsys, halves_csv, saved_router, monkeypatch
):
    import recommender.panel as panel_mod
    from recommender.series_recommendation import recommend_series

    same = recommend_series(halves_csv, 6, router=saved_router).collection["best_single"]
    other = next(m for m in ("naive", "seasonal_naive") if m != same)
    monkeypatch.setattr(panel_mod, "recommend_panel", canned_ranking(same, other))
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--json")
    assert code == 0, err
    assert json.loads(out)["notes"] == {}


def test_the_pick_is_in_the_panel_answers_dict(make_halves):
    from recommender.panel import recommend_panel

    rec = recommend_panel(make_halves(6, seed=63), 6, ("naive", "seasonal_naive"))
    assert rec.to_dict()["best"] == rec.best == rec.ranking[0]["model"]


def test_a_candidate_listed_twice_is_refused_by_name(make_halves):
    from recommender.panel import recommend_panel

    with pytest.raises(ConfigError, match="'naive' more than once") as caught:
        recommend_panel(make_halves(6, seed=63), 6, ("naive", "seasonal_naive", "naive"))
    assert caught.value.where.get("field") == "candidates"


def test_a_long_data_reason_says_its_effect_on_the_expected_error(capsys):
    from recommender.api import RankedModel, Recommendation
    from recommender.explain import Reason
    from tsforge.cli.recommend import render_recommendation

    best = RankedModel(1, "dlinear", "dlinear", None, 1.02, 0.0198, {"model": "dlinear"}, True)
    reasons = [
        Reason("trend", -0.038, "favours", "weak trend (|tau| 0.18)"),
        Reason("seasonality", 0.009, "works against", "strong seasonality (strength 0.91)"),
    ]
    rec = Recommendation(
        "toy", 96, 24, [best], [best], reasons, "weak trend (|tau| 0.18) favours dlinear", [],
        {"n_windows_profiled": 4}, {}, {"total_seconds": 0.1}, {"tier": "full", "candidates": ["dlinear"]},
    )  # fmt: skip
    render_recommendation(rec, "toy")
    out = " ".join(capsys.readouterr().out.split())
    assert "log-error" not in out
    assert "weak trend (|tau| 0.18) favours it (expected error -3.7%)" in out
    assert "strong seasonality (strength 0.91) works against it (expected error +0.9%)" in out
    # what the column's numbers are relative to (1.02× on the first row read as "vs itself")
    assert "expected error ÷ the error of whichever candidate does best on these data" in out


@pytest.mark.parametrize(
    ("share", "words"),
    [(0.0, "no zero values"), (0.003, "few zeros (under 1%)"), (0.04, "few zeros (4%)")],
)
def test_a_series_without_zeros_is_not_said_to_have_few(share, words):
    from recommender.series_explain import describe

    assert describe("intermittency", {"zero_share": share}) == words


def test_the_collection_words_describe_the_series_a_property_favours_the_pick_on():
    """A panel of trending and flat series read "weak trend (tau 0.00) favours naive" (every
    series' median), where the trend favoured naive on the trending series only."""
    import numpy as np
    import pandas as pd

    from recommender.series_explain import collection_properties
    from recommender.series_features import SERIES_FEATURES

    tau = np.array([0.9, 0.9, 0.0, 0.0, 0.0])
    features = pd.DataFrame({"tau": tau})
    contrib = np.zeros((5, len(SERIES_FEATURES)))
    contrib[:, SERIES_FEATURES.index("tau")] = [-0.3, -0.3, 0.02, 0.02, 0.02]  # mean -0.108
    text = collection_properties("naive", contrib, features)
    assert "strong upward trend (tau +0.90) in 2 of 5 series favours naive" in text, text
    assert "weak trend" not in text and "each at the median of the series where it favours naive" in text

    # where it favours the pick on every series, the medians are every series' (and say so)
    contrib[:, SERIES_FEATURES.index("tau")] = -0.2
    everywhere = collection_properties("naive", contrib, pd.DataFrame({"tau": [0.7, 0.8, 0.9, 0.8, 0.8]}))
    assert (
        everywhere
        == "across its series (at their median values), strong upward trend (tau +0.80) favours naive"
    )


def test_near_even_per_series_weights_are_not_called_another_pick(
    canned_ranking, capsys, halves_csv, saved_router, monkeypatch
):
    """CIF 2016: "--per-series would choose auto_ets+auto_theta+dlinear instead … trust the
    measurement", where every series weighed it 0.22 and the ranking's auto_ets 0.21."""
    from types import SimpleNamespace

    import pandas as pd

    import recommender.panel as panel_mod
    import recommender.series_recommendation as series_mod

    view = SimpleNamespace(
        collection={"best_single": "seasonal_naive", "expected_mase_best_single": 0.9},
        weights=pd.DataFrame({"naive": [0.48] * 12, "seasonal_naive": [0.52] * 12}),
    )
    monkeypatch.setattr(series_mod, "recommend_series", lambda *args, **kwargs: view)
    monkeypatch.setattr(panel_mod, "recommend_panel", canned_ranking("naive", "seasonal_naive"))
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6")
    assert code == 0, err
    text = " ".join(out.split())
    assert "would choose" not in text and "trust the measurement" not in text, text
    assert (
        "--per-series weighs seasonal_naive highest, near-even with naive (mean weights 0.52 and 0.48)"
        in text
    )


def test_a_level_shift_under_the_cut_is_not_denied_outright():
    """M1 quarterly's collection read "no recent level shift (1.8× the typical step)"."""
    from recommender.series_explain import describe

    assert (
        describe("level shift", {"level_shift": 1.8}) == "no large recent level shift (1.8× the typical step)"
    )
    assert describe("level shift", {"level_shift": 2.4}) == "a recent level shift (2.4× the typical step)"


def test_the_statistics_a_reason_quotes_are_said_once_in_words(capsys):
    """ "weak trend (|tau| 0.18)" and "mostly heteroscedastic windows" named statistics a
    forecaster who has not read ARIES cannot weigh; the table now says once what they mean."""
    from recommender.api import AvoidModel, RankedModel, Recommendation
    from recommender.explain import Reason
    from tsforge.cli.recommend import render_recommendation

    best = RankedModel(1, "dlinear", "dlinear", None, 1.02, 0.0198, {"model": "dlinear"}, True)
    reasons = [
        Reason("trend", -0.038, "favours", "weak trend (|tau| 0.18)"),
        Reason("scedasticity", -0.02, "favours", "mostly heteroscedastic windows (14% homoscedastic)"),
    ]
    avoid = [
        AvoidModel("naive", 1.9, "expected 1.90× the best error; weak trend (|tau| 0.18) works against it")
    ]
    rec = Recommendation(
        "toy", 96, 24, [best], [best], reasons, "weak trend (|tau| 0.18) favours dlinear", avoid,
        {"n_windows_profiled": 4}, {}, {"total_seconds": 0.1}, {"tier": "full", "candidates": ["dlinear"]},
    )  # fmt: skip
    render_recommendation(rec, "toy")
    out = " ".join(capsys.readouterr().out.split())
    assert out.count("tau: Kendall's trend statistic, from -1 (always falling) through 0 (no trend)") == 1, (
        out
    )
    # the gloss says what the ARCH test on detrended values shows, which a strong season also makes
    assert "heteroscedastic: the squared detrended values are autocorrelated (ARCH test)" in out, out
    assert "a strong season" in out and "its size changes over time" not in out
    assert "Hurst exponent" not in out and "anomaly ratio:" not in out  # only what was said


def test_a_per_series_collection_line_gets_its_terms_too(capsys, halves_csv, saved_router):
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series")
    assert code == 0, err
    text = " ".join(out.split())
    # the table shows 10 of the 12 series, so trending ones ("strong upward trend (tau +1.00)")
    # and seasonal ones ("strong seasonality (0.95)") both
    assert "(tau +" in text and "seasonality (0." in text, text
    assert text.count("tau: Kendall's trend statistic") == 1, text
    assert "seasonality strength: the share of the variation the seasonal pattern explains" in text


def test_a_single_candidate_is_not_the_lowest_of_one(make_halves):
    from recommender.panel import recommend_panel

    rec = recommend_panel(make_halves(6, seed=63), 6, ("naive",))
    assert rec.explanation.startswith("naive is the only candidate ranked, with "), rec.explanation
    assert "lowest" not in rec.explanation
