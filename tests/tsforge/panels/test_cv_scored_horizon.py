"""The horizon a refused ``cv`` suggests is the longest whose MASE, RMSSE and OWA are finite.

Found by last session's review: ``cv -H 100`` on series of at most 78 values said "pass --horizon
77 or less"; with 77, cv ran with one value before the cutoff, so every MASE, RMSSE and OWA was
NaN (their scale is the change between in-sample values, and one value has none).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from tsforge.data.panel import Panel
from tsforge.errors import DataValidationError
from tsforge.evaluation.panel_metrics import cv_scores
from tsforge.panels.cv import cross_validation
from tsforge.panels.protocol import rolling_origin


def _panel(lengths: dict[str, int]) -> Panel:
    arrays = [10 + np.sin(np.arange(n, dtype=float)) + 0.1 * np.arange(n) for n in lengths.values()]
    starts = np.array(["2020-01-01"] * len(lengths), dtype="datetime64[ns]")
    return Panel.from_arrays(arrays, ids=list(lengths), starts=starts, freq="MS")


def _suggested(panel: Panel, h: int, n_windows: int = 3) -> tuple[int, int | None]:
    """(the horizon the refusal suggests, the one it says fits all windows, if it says one)."""
    with pytest.raises(DataValidationError) as err:
        rolling_origin(panel, h, n_windows)
    found = re.search(r"at most (\d+)(?: \((\d+) or less for all)?", err.value.message)
    assert found, err.value.message
    return int(found[1]), None if found[2] is None else int(found[2])


def _mase(panel: Panel, h: int, n_windows: int = 3) -> tuple[float, int]:
    """(mean MASE of naive, cases left out of it) of a cv at horizon ``h``."""
    frame = cross_validation(panel, ["naive"], h, n_windows=n_windows)
    row = cv_scores(frame, panel).iloc[0]
    return float(row["mase"]), int(row["n_mase_excluded"])


def test_cv_with_the_suggested_horizon_scores_a_finite_mase():
    panel = _panel({"a": 12, "longest": 20, "c": 9})
    one, every = _suggested(panel, 25)
    mase, left_out = _mase(panel, one)
    assert math.isfinite(mase) and left_out == 0, (one, mase, left_out)
    # the longest such horizon: one more leaves one value before the cutoff, and no MASE
    longer, _ = _mase(panel, one + 1)
    assert math.isnan(longer), (one + 1, longer)
    assert every is not None
    mase_all, left_out_all = _mase(_panel({"longest": 20}), every)
    assert math.isfinite(mase_all) and left_out_all == 0, (every, mase_all, left_out_all)


def test_the_refusal_says_what_the_scores_need():
    with pytest.raises(DataValidationError) as err:
        rolling_origin(_panel({"a": 30, "b": 41}), 100, 3)
    cli = err.value.for_cli()
    assert "pass --horizon 39 or less (13 or less for all 3 windows)" in cli, cli
    assert "MASE, RMSSE and OWA need 2 values before a cutoff" in cli, cli


def test_series_too_short_for_any_scored_horizon_are_told_so():
    """Two values: a window with one value before its cutoff is the only one, and it is not scored."""
    with pytest.raises(DataValidationError) as err:
        rolling_origin(_panel({"a": 2, "b": 2}), 5, 1)
    assert "no horizon can be scored" in err.value.message, err.value.message
    assert "at most" not in err.value.message and "--horizon" not in err.value.for_cli()
