"""``recommend()`` from Python on a fresh cache: the first-use build is said, and shown.

Why: ``recommend("my_wide.csv", horizon=24)`` (the README's first Python example) built the quick
recommender for three minutes in silence: the build was said only to a logger, and the Python
defaults (``announce=None``, ``progress=None``) gave neither the CLI's note nor a bar. The build
itself is replaced here by a stand-in that records what it was given and stops the call.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import recommender.api as api
from tsforge.data.frame import TimeSeriesData
from tsforge.errors import FirstUseBuildWarning


class _Stopped(Exception):
    """Raised by the stand-in build, so no recommender is built."""


def _series() -> TimeSeriesData:
    t = np.arange(512)
    values = np.stack([np.sin(2 * np.pi * t / 24), np.cos(2 * np.pi * t / 24)], axis=1)
    ts = np.datetime64("2020-01-01T00:00", "ns") + t * np.timedelta64(1, "h")
    return TimeSeriesData(values.astype(np.float32), ts, ("a", "b"), freq="h", name="p")


@pytest.fixture
def build(tmp_path, monkeypatch):
    """A fresh cache and a stand-in quick build recording the warnings issued before it and
    the progress callback it was given (after one step of work reported through it)."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    seen: dict = {}

    def stand_in(progress=None):
        seen["progress"] = progress
        seen["warned_before"] = list(seen["caught"])
        if progress is not None:
            progress("benchmarking naive", 1, 3)
        raise _Stopped

    monkeypatch.setattr(api, "build_quick_recommender", stand_in)
    return seen


def test_python_recommend_warns_before_the_first_use_build(build):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build["caught"] = caught
        with pytest.raises(_Stopped):
            api.recommend(_series(), horizon=24)
    said = [w for w in build["warned_before"] if issubclass(w.category, FirstUseBuildWarning)]
    assert len(said) == 1, [str(w.message) for w in caught]
    warning = said[0]
    assert "building the quick one once" in str(warning.message)
    # Python is told the function; the CLI (which prints cli_message) the command
    assert "build_default_recommender()" in str(warning.message)
    assert "`tsforge recommender build`" in warning.message.cli_message
    assert warning.filename == __file__  # points at the caller's line, not at recommend()


def test_python_recommend_shows_a_progress_bar_during_the_build(build, monkeypatch, capsys):
    import tsforge.progress

    monkeypatch.setattr(tsforge.progress, "interactive", lambda: True)  # a bar drawn at once
    with warnings.catch_warnings(record=True) as caught:
        build["caught"] = caught
        with pytest.raises(_Stopped):
            api.recommend(_series(), horizon=24)
    assert callable(build["progress"])
    assert "building the quick recommender" in capsys.readouterr().err


def test_python_recommend_can_be_silenced(build, capsys):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build["caught"] = caught
        with pytest.raises(_Stopped):
            api.recommend(_series(), horizon=24, progress=False, announce=None)
    assert build["progress"] is None
    assert not [w for w in caught if issubclass(w.category, FirstUseBuildWarning)]
    assert capsys.readouterr().err == ""


def test_the_cli_announces_the_build_once(build, capsys):
    """``tsforge recommend`` passes its own announcement: the library's warning is not added."""
    from tsforge.cli.app import print_note

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build["caught"] = caught
        with pytest.raises(_Stopped):
            api.recommend(_series(), horizon=24, progress=None, announce=print_note)
    assert not [w for w in caught if issubclass(w.category, FirstUseBuildWarning)]
    err = " ".join(capsys.readouterr().err.split())
    assert err.count("note: no recommender is saved at") == 1, err


def test_no_bar_or_warning_once_a_recommender_is_saved(build, monkeypatch, capsys):
    """Guard: with a recommender saved nothing is built, so nothing is said or drawn."""
    import tsforge.progress

    monkeypatch.setattr(tsforge.progress, "interactive", lambda: True)
    folder = api.recommender_dir()
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text("{}")
    given: dict = {}

    def saved(*, build_if_missing=True, progress=None):
        given["progress"] = progress
        raise _Stopped

    monkeypatch.setattr(api, "default_recommender", saved)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(_Stopped):
            api.recommend(_series(), horizon=24)
    assert given["progress"] is None
    assert not [w for w in caught if issubclass(w.category, FirstUseBuildWarning)]
    assert "building the quick recommender" not in capsys.readouterr().err
