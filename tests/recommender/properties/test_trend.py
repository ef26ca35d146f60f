"""Batched Mann–Kendall against pymannkendall, and the label on lines."""

import numpy as np
import pymannkendall as mk
import pytest

from recommender.properties.trend import mann_kendall_batch


def test_matches_pymannkendall_including_ties():
    rng = np.random.default_rng(0)
    x = np.stack(
        [
            rng.standard_normal(200),
            np.round(rng.standard_normal(200), 1),  # many ties
            np.arange(200) * 0.01 + rng.standard_normal(200),
            np.repeat(rng.standard_normal(20), 10),
        ]
    )
    fast = mann_kendall_batch(x)
    for i, row in enumerate(x):
        ref = mk.original_test(row)
        assert fast["tau"][i] == pytest.approx(ref.Tau, abs=1e-12)
        assert fast["s"][i] == ref.s
        assert fast["z"][i] == pytest.approx(ref.z, rel=1e-10)
        assert fast["label"][i] == {"increasing": 1, "decreasing": -1}.get(ref.trend, 0)


def test_straight_lines_have_tau_one():
    t = np.linspace(-1, 1, 336)
    res = mann_kendall_batch(np.stack([t, -2 * t]))
    assert res["tau"].tolist() == [1.0, -1.0]
    assert res["label"].tolist() == [1, -1]
