"""Dataset-level ``recommend`` on short data: the defaults it picks (horizon, input length,
profile window) fit the data where some do, and where none does the error says which default
was used and what to pass, in the caller's terms (not the protocol's "val split has 6 rows")."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from recommender.api import recommend
from recommender.knowledge_base import Candidate, KBSettings, build_knowledge_base
from recommender.ranker import RankerConfig, Recommender, train_recommender
from tsforge.errors import DataValidationError, TsforgeWarning

T = 512
POOL = [Candidate("seasonal_naive", "seasonal_naive"), Candidate("naive", "naive")]


@pytest.fixture(scope="module")
def rec(tmp_path_factory) -> Recommender:
    """A tiny recommender (periodic vs trending hourly series, two training-free candidates)."""
    rng = np.random.default_rng(1)
    t = np.arange(T)[None, :]
    periodic = np.sin(2 * np.pi * t / 24 + rng.uniform(0, 6, (10, 1))) + 0.01 * rng.standard_normal((10, T))
    trending = rng.uniform(0.5, 2.0, (10, 1)) * t + 0.3 * rng.standard_normal((10, T))
    kb = build_knowledge_base(
        corpus_values=np.concatenate([periodic, trending]).astype(np.float32),
        pool=POOL,
        settings=KBSettings(input_len=96, horizon=24, eval_stride=12),
        real=(),
        cache=tmp_path_factory.mktemp("cache"),
    )
    return train_recommender(
        kb, RankerConfig(corpus_groups=60, num_boost_round=20, min_data_in_leaf=3, num_leaves=7)
    )


def monthly(n_series: int, length: int) -> pd.DataFrame:
    """``n_series`` noisy monthly series of ``length`` values (a long frame)."""
    rng = np.random.default_rng(0)
    rows = [
        pd.DataFrame(
            {
                "unique_id": f"s{i}",
                "ds": pd.date_range("2000-01-01", periods=length, freq="MS"),
                "y": 10 + i + np.sin(np.arange(length) * 2 * np.pi / 12) + rng.normal(0, 0.3, length),
            }
        )
        for i in range(n_series)
    ]
    return pd.concat(rows, ignore_index=True)


def test_a_given_horizon_on_short_series_is_profiled_without_an_input_length_the_user_never_gave(rec):
    """6 × 48 monthly at horizon 6: the default input (26) is shorter than the profile's 32-step
    windows; it was refused naming ``input_len``."""
    out = recommend(monthly(6, 48), horizon=6, recommender=rec)
    assert out.horizon == 6
    assert out.properties["profile_window"] == 32


def test_the_default_horizon_is_shortened_to_one_the_data_hold_and_a_note_says_so(rec):
    """60 monthly values have room for horizon 6 under 7:1:2, not the default 12 (one season):
    it was refused as "too short for input 29 + horizon 12: the val split has 6 rows"."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = recommend(monthly(6, 60), recommender=rec)
    assert out.horizon == 6
    notes = [w.message for w in caught if issubclass(w.category, TsforgeWarning)]
    # the library's words name the horizon; the command line's its flag
    assert any(
        "default horizon 12" in str(n) and "horizon 6" in str(n) and "ask for a horizon" in str(n)
        for n in notes
    )
    assert any("pass --horizon" in str(getattr(n, "cli_message", "")) for n in notes)


def test_a_given_horizon_too_long_for_the_data_is_refused_with_the_longest_that_fits(rec):
    with pytest.raises(DataValidationError) as exc:
        recommend(monthly(6, 48), horizon=9, recommender=rec)
    message = str(exc.value)
    assert exc.value.where["field"] == "horizon"
    assert "horizon 9" in message and "at most 6" in message
    assert "input 20 +" not in message and "val split" not in message


def test_data_too_short_for_any_default_says_so_in_the_callers_terms(rec):
    """2 values: it was "too short for horizon 12" without saying 12 was a default."""
    with pytest.raises(DataValidationError) as exc:
        recommend(monthly(6, 2), recommender=rec)
    message = str(exc.value)
    assert "has 2 steps, too short for horizon 12 (the default for this data)" in message
    assert "no horizon fits: give a longer history" in message


def test_the_cli_recommends_a_short_file_at_a_horizon_that_fits(rec, tmp_path, monkeypatch, capsys):
    from recommender.ranker import recommender_dir
    from tsforge.cli.app import main

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path))
    rec.save(recommender_dir())
    csv = tmp_path / "m60.csv"
    monthly(6, 60).to_csv(csv, index=False)
    main(["recommend", str(csv), "--split", "7:1:2", "--json"])
    captured = capsys.readouterr()
    assert json.loads(captured.out)["horizon"] == 6
    assert "default horizon 12" in captured.err
