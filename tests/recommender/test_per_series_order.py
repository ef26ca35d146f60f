"""Per-series recommendations do not depend on the order of the series in the input: the
collection prior every series is pooled towards is a mean over series, and it used to differ in
the last digits (and with it every series' weights and expected MASE) when the rows came in
another order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.per_series import SeriesRouter, validation_prior
from recommender.series_recommendation import recommend_series


def _scores(n: int = 997, k: int = 5, seed: int = 8) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rel = rng.normal(0.0, 1.0, (n, k)) * 10.0 ** rng.integers(-3, 4, (n, k))
    rel[rng.random((n, k)) < 0.05] = np.nan
    return rel


def test_the_collection_prior_is_the_same_to_the_last_bit_in_any_series_order():
    rel = _scores()
    expected = SeriesRouter.collection_prior(rel)
    np.testing.assert_allclose(expected, np.nanmean(rel, axis=0), rtol=1e-12)  # still the mean
    rng = np.random.default_rng(0)
    for _ in range(5):
        perm = rng.permutation(len(rel))
        np.testing.assert_array_equal(SeriesRouter.collection_prior(rel[perm]), expected)


def test_the_validation_prior_is_the_same_to_the_last_bit_in_any_series_order():
    rng = np.random.default_rng(9)
    errors = np.exp(rng.normal(0.0, 1.0, (997, 5)))
    errors /= errors.mean(axis=0)  # mean MASEs near 1: their logs keep the last bits
    expected = validation_prior(errors, clip=50.0)
    rng = np.random.default_rng(1)
    for _ in range(5):
        perm = rng.permutation(len(errors))
        np.testing.assert_array_equal(validation_prior(errors[perm], clip=50.0), expected)


def test_order_free_mean_of_an_all_missing_column_is_missing():
    from recommender.per_series import order_free_mean

    out = order_free_mean(np.array([[1.0, np.nan], [3.0, np.nan]]))
    assert out[0] == 2.0 and np.isnan(out[1])


def test_per_series_recommendations_do_not_depend_on_the_order_of_the_series(halves_router, make_halves):
    panel = make_halves(40, seed=21)
    forward = recommend_series(panel, 6, router=halves_router).per_series
    backward = recommend_series(panel.take(np.arange(len(panel))[::-1]), 6, router=halves_router).per_series
    assert backward["unique_id"].tolist() == forward["unique_id"].tolist()[::-1]  # the input's order
    by_id = backward.set_index("unique_id").loc[forward["unique_id"]].reset_index()
    pd.testing.assert_frame_equal(by_id, forward, check_exact=True)
