"""``recommend_series()`` from Python where the default router must be built: the build is said,
and shown, as for ``recommend()`` (``test_python_first_use_build.py``).

Why: the first ``recommend_series(data)`` on a machine without a usable router built it for
minutes in silence (``log.info`` only; ``progress=None`` by default), while ``tsforge recommend
--per-series`` announced it. The build itself is replaced by a stand-in that records what it was
given and stops the call.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import recommender.series_recommendation as sr
from recommender.shipped_router import ROUTER_ENV
from tsforge.errors import FirstUseBuildWarning


class _Stopped(Exception):
    """Raised by the stand-in build, so no router is built."""


def _panel() -> pd.DataFrame:
    """Two monthly series of 48 values (long enough for horizon 6)."""
    ds = pd.date_range("2018-01-01", periods=48, freq="MS")
    t = np.arange(48)
    return pd.concat(
        [
            pd.DataFrame({"unique_id": uid, "ds": ds, "y": 10 + np.sin(2 * np.pi * t / 12) + k * t / 10})
            for k, uid in enumerate(("a", "b"))
        ]
    )


@pytest.fixture
def build(tmp_path, monkeypatch, no_shipped_router):
    """No router on this machine (fresh cache, none shipped, none named) and a stand-in build
    recording the warnings issued before it and the progress callback it was given (after
    one step of work reported through it)."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(ROUTER_ENV, raising=False)
    # the build's collections count as present, whatever this machine holds
    monkeypatch.setattr(sr, "require_collections", lambda collections: None)
    seen: dict = {}

    def stand_in(progress=None, **kwargs):
        seen["progress"] = progress
        seen["warned_before"] = list(seen["caught"])
        if progress is not None:
            progress("cross-validating naive", 1, 3)
        raise _Stopped

    monkeypatch.setattr(sr, "build_default_router", stand_in)
    assert sr.default_router_pending() is not None  # a build would be needed
    return seen


def test_recommend_series_warns_before_the_first_use_build(build):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build["caught"] = caught
        with pytest.raises(_Stopped):
            sr.recommend_series(_panel(), 6)
    said = [w for w in build["warned_before"] if issubclass(w.category, FirstUseBuildWarning)]
    assert len(said) == 1, [str(w.message) for w in caught]
    warning = said[0]
    assert "no per-series recommender is saved" in str(warning.message)
    # Python is told the function; the CLI (which prints cli_message) the command
    assert "build_default_router()" in str(warning.message)
    assert "`tsforge recommender build --per-series`" in warning.message.cli_message
    assert warning.filename == __file__  # points at the caller's line, not into the library


def test_recommend_series_shows_a_progress_bar_during_the_build(build, monkeypatch, capsys):
    import tsforge.progress

    monkeypatch.setattr(tsforge.progress, "interactive", lambda: True)  # a bar drawn at once
    with warnings.catch_warnings(record=True) as caught:
        build["caught"] = caught
        with pytest.raises(_Stopped):
            sr.recommend_series(_panel(), 6)
    assert callable(build["progress"])
    assert "building the per-series recommender" in capsys.readouterr().err


def test_recommend_series_can_be_silenced(build, capsys):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build["caught"] = caught
        with pytest.raises(_Stopped):
            sr.recommend_series(_panel(), 6, progress=False, announce=None)
    assert build["progress"] is None
    assert not [w for w in caught if issubclass(w.category, FirstUseBuildWarning)]
    assert capsys.readouterr().err == ""


def test_the_warning_is_the_one_recommend_issues():
    """One implementation: both entry points warn through :mod:`recommender.first_use`."""
    import recommender.api as api
    import recommender.first_use as first_use

    assert api.warn_first_use is first_use.warn_first_use is sr.warn_first_use
    assert api.first_use_bar is first_use.first_use_bar is sr.first_use_bar
