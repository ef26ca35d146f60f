"""The words of an explanation agree with the numbers they cite.

Why: a reason reads "weak trend (|tau| 0.30)" next to "moderate trend (|tau| 0.30)" when the
level word is picked from the raw value and the number is shown rounded; an unknown value
(NaN) read as the lowest level ("low memorability (Hurst nan)"); and a Hurst exponent that was
never estimated (windows under 100 values give the lineage's failure value 0) read as a measured
one. Two values that are shown the same must be described the same.
"""

import math

import numpy as np
import pytest

from recommender.explain import describe_group
from recommender.series_explain import describe

#: (group, feature, cut points) of the dataset-level descriptions with a level word.
DATASET_LEVELS = [
    ("trend", "trend_strength_mean", (0.3, 0.6)),
    ("seasonality", "season_strength_q50", (0.3, 0.6)),
    ("volatility", "volatility_mean", (0.4, 0.8)),
    ("memorability", "hurst_mean", (0.5, 0.75)),
    ("anomaly", "anomaly_ratio_mean", (0.05, 0.1)),
    ("stationarity", "share_stationarity_stationary", (0.2, 0.5)),
    ("scedasticity", "share_scedasticity_homoscedastic", (0.5,)),
]
#: the same for one series.
SERIES_LEVELS = [
    ("seasonality", "season_strength", (0.3, 0.6)),
    ("trend", "tau", (0.3, 0.6, -0.3, -0.6)),
    ("volatility", "volatility", (0.4, 0.8)),
    ("anomaly", "anomaly_ratio", (0.05, 0.1)),
    ("intermittency", "zero_share", (0.3,)),
    ("level shift", "level_shift", (2.0,)),
]


def _near(cuts: tuple[float, ...]) -> list[float]:
    return [c + d for c in cuts for d in (-6e-3, -4e-3, -1e-3, -4e-4, -1e-4, 0.0, 1e-4, 4e-4, 1e-3, 4e-3)]


def _numbers(text: str) -> list[str]:
    import re

    return re.findall(r"[-+]?\d+(?:\.\d+)?%?", text)


@pytest.mark.parametrize("group,key,cuts", DATASET_LEVELS)
def test_dataset_words_follow_the_shown_number(group, key, cuts) -> None:
    seen: dict[tuple[str, ...], str] = {}
    for v in _near(cuts):
        text = describe_group(group, {key: v})
        shown = tuple(_numbers(text))
        assert seen.setdefault(shown, text) == text, (v, text, seen[shown])


@pytest.mark.parametrize("group,key,cuts", SERIES_LEVELS)
def test_series_words_follow_the_shown_number(group, key, cuts) -> None:
    seen: dict[tuple[str, ...], str] = {}
    for v in _near(cuts):
        text = describe(group, {key: v})
        shown = tuple(_numbers(text))
        assert seen.setdefault(shown, text) == text, (v, text, seen[shown])


def test_a_shown_cut_gets_the_upper_word():
    assert describe_group("trend", {"trend_strength_mean": 0.2996}) == "moderate trend (|tau| 0.30)"
    assert describe("seasonality", {"season_strength": 0.5996}) == "strong seasonality (0.60)"
    assert describe("level shift", {"level_shift": 1.96}).startswith("a recent level shift (2.0")


def test_half_is_not_mostly():
    text = describe_group("scedasticity", {"share_scedasticity_homoscedastic": 0.4996})
    assert "mostly" not in text and "50%" in text
    text = describe_group("stationarity", {"share_stationarity_stationary": 0.5})
    assert "mostly" not in text and "50%" in text


@pytest.mark.parametrize("group,_key,_cuts", DATASET_LEVELS)
def test_dataset_unknown_value_is_said_unknown(group, _key, _cuts):
    text = describe_group(group, {})
    assert "nan" not in text.lower()
    assert "not measured" in text


@pytest.mark.parametrize(
    "group", ["seasonality", "trend", "volatility", "anomaly", "level shift", "memorability"]
)
def test_series_unknown_value_is_said_unknown(group):
    text = describe(group, {})
    assert "nan" not in text.lower()
    assert "not measured" in text


def test_hurst_of_a_short_profile_is_not_a_measurement():
    """The per-series profile is at most 96 values; Hurst needs 100, so 0 there is a failure code."""
    assert "not measured" in describe("memorability", {"hurst": 0.0, "profile_length": 96.0})
    assert describe("memorability", {"hurst": 0.73, "profile_length": 336.0}) == "memorability (Hurst 0.73)"


def test_data_shape_with_missing_features_does_not_crash():
    text = describe_group("data shape", {"log_n_channels": math.nan, "missing_share": 0.0})
    assert "? channels" in text


def test_shown_values_are_rounded_not_truncated():
    """0.0996 is shown as 0.100 (the level follows it), never as 0.09."""
    text = describe_group("anomaly", {"anomaly_ratio_mean": 0.0996})
    assert text == "many anomalies (ratio 0.100)"
    assert describe("anomaly", {"anomaly_ratio": float(np.float64(0.0996))}) == "many anomalies (0.100)"


def test_a_sentence_with_only_a_reason_against_names_the_model():
    """A lone "… works against it" (no "favours <model>" before it) left "it" naming nothing."""
    import numpy as np

    from recommender.explain import Reason, sentence
    from recommender.series_explain import explain_series
    from recommender.series_features import SERIES_FEATURES

    against = [Reason("trend", 0.2, "works against", "strong trend (|tau| 0.70)")]
    assert sentence("dlinear", against) == "strong trend (|tau| 0.70) works against dlinear"
    contrib = np.zeros(len(SERIES_FEATURES))
    contrib[list(SERIES_FEATURES).index("season_strength")] = 0.5
    ex = explain_series("auto_theta", contrib, 0.0, {"season_strength": 0.9})
    assert ex.text == "strong seasonality (0.90) works against auto_theta"


def test_one_volatility_reads_the_same_for_a_dataset_and_for_a_series():
    """A cv of 0.7 read "high" in the dataset's words and "medium" in a series'."""
    for cv, word in ((0.3, "low"), (0.7, "medium"), (0.85, "high")):
        assert describe_group("volatility", {"volatility_mean": cv}).startswith(word)
        assert describe("volatility", {"volatility": cv}).startswith(word)


def test_the_collection_view_names_a_property_without_asserting_it():
    """Series with no zeros and no level shift, where those groups favour the pick, read "mostly
    for their intermittency and their level shift" — a property they do not have; the series'
    own reasons said "few zeros (0%)"."""
    import pandas as pd

    from recommender.series_explain import explain_collection

    per_series = pd.DataFrame({"unique_id": ["a", "b"], "pick": ["auto_ets", "auto_ets"]})
    groups = ("intermittency", "level shift", "missing values", "level")
    for group in groups:
        contributions = pd.DataFrame({group: [-0.2, -0.2], "trend": [0.0, 0.0]})
        text = explain_collection(per_series, contributions)["auto_ets"]
        assert f"their {group}" not in text, text
    contributions = pd.DataFrame({"intermittency": [-0.3, -0.3], "level shift": [-0.2, -0.2]})
    text = explain_collection(per_series, contributions)["auto_ets"]
    assert text.endswith("mostly for their share of zeros and the size of their recent level shift"), text


def test_the_verb_agrees_with_a_plural_reason():
    """ "mostly heteroscedastic windows (40% homoscedastic) favours it" """
    from recommender.explain import verb_for

    assert verb_for(["mostly stationary windows (61% pass the stationarity tests)"], "favours") == "favour"
    assert verb_for(["few zeros (3%)"], "works against") == "work against"
    assert verb_for(["strong seasonality (0.91)"], "favours") == "favours"
    assert verb_for(["weak trend (|tau| 0.10)"], "works against") == "works against"
    assert verb_for(["strong seasonality (0.91)", "short history (36 values)"], "favours") == "favour"
    assert verb_for(["heteroscedastic noise"], "favours") == "favours"


@pytest.mark.parametrize("sc", [0.1, 0.9])
def test_scedasticity_is_said_as_the_arch_test_not_as_noise(sc):
    """The ARCH test runs on the detrended window, so a strong daily cycle in i.i.d. noise fires
    it: "heteroscedastic noise" stated what the test does not show (a user walk, s71)."""
    words = describe("scedasticity", {"scedasticity": sc})
    assert "noise" not in words and "(ARCH test)" in words, words
    assert words.startswith("heteroscedastic" if sc < 0.5 else "homoscedastic"), words
