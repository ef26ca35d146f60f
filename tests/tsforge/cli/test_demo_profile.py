"""The demo's profile table is the profile its recommendation reads.

Why: ``make demo`` printed a profile of 336-step windows (512 of them) and, under it, the
recommendation's reasons, read from the input's last 96 steps (256 windows): the two quoted the
same series' trend as |tau| 0.11 and 0.20, its seasonality as 0.96 and 0.98.
"""

from __future__ import annotations

import io
from importlib import import_module
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from rich.console import Console

import recommender.properties

#: the module (``recommender.properties.profile`` as an attribute is the function it re-exports)
_PROFILE_MODULE = import_module("recommender.properties.profile")


class _Stop(Exception):
    """Raised where the recommender is first asked for a score: everything before it, the
    profiling included, has run as in the demo."""


def _unscored(*args: Any, **kwargs: Any) -> Any:
    def stop(*a: Any, **k: Any) -> Any:
        raise _Stop

    return SimpleNamespace(scores=stop, rank=stop, candidates=[], mode="per_model", meta={})


def test_the_profile_shown_is_the_one_the_recommendation_reads(monkeypatch, tmp_path):
    real = _PROFILE_MODULE.profile
    calls: list[tuple[dict[str, Any], Any]] = []

    def spy(series: Any, **kwargs: Any) -> Any:
        result = real(series, **kwargs)
        calls.append((kwargs, result))
        return result

    shown: list[dict] = []
    render = import_module("tsforge.cli.profile").render_summary

    def render_and_keep(summary: dict, **kwargs: Any) -> Any:
        shown.append(summary)
        return render(summary, **kwargs)

    # the function by both names it is imported under (the package re-exports it)
    monkeypatch.setattr(_PROFILE_MODULE, "profile", spy)
    monkeypatch.setattr(recommender.properties, "profile", spy)
    monkeypatch.setattr(import_module("tsforge.cli.profile"), "render_summary", render_and_keep)
    monkeypatch.setattr(import_module("recommender.api"), "default_recommender", _unscored)
    monkeypatch.setattr(
        import_module("tsforge.tracking"), "configure_tracking", lambda *a, **k: "sqlite:///x.db"
    )
    monkeypatch.chdir(tmp_path)
    demo = import_module("tsforge.cli.demo")
    with pytest.raises(_Stop):
        demo.run_demo(console=Console(file=io.StringIO(), width=120))

    assert len(calls) == 2, [c[0] for c in calls]  # the demo's table, then the recommendation's
    (table_kwargs, table), (read_kwargs, read) = calls
    # the same windows, sample and seed; only the shown one leaves short windows' Hurst unmeasured
    assert {k: v for k, v in table_kwargs.items() if k != "mask_short_hurst"} == {
        k: v for k, v in read_kwargs.items() if k != "mask_short_hurst"
    }
    assert shown and shown[0] is table.summary
    assert (table.summary["window"], table.summary["n_windows"]) == (
        read.summary["window"],
        read.summary["n_windows"],
    )
    # 96-step windows: no Hurst exponent (100 values), which the reasons call "not measured"
    assert table.summary.get("n_windows_without_hurst") == table.summary["n_windows"]
    for name, stats in read.summary["properties"].items():
        if name == "hurst":
            continue
        got = [table.summary["properties"][name][k] for k in ("mean", "q50")]
        np.testing.assert_allclose(got, [stats["mean"], stats["q50"]], equal_nan=True, err_msg=name)


def test_the_profile_shown_says_memorability_unmeasured_as_the_reasons_do():
    """On 96-step windows the Hurst exponent (100 values) is not measured: the recommendation's
    reasons say so, and the table shown must not read the features' 0 as "no memory"."""
    from recommender.api import recommendation_profile
    from recommender.explain import describe_group
    from recommender.properties.memorability import HURST_MIN_LENGTH
    from tsforge.data.load import load

    series = load("synthetic").series
    shown = recommendation_profile(series, 168, seed=2024, shown=True)
    read = recommendation_profile(series, 168, seed=2024)
    assert shown.summary["window"] < HURST_MIN_LENGTH
    assert describe_group(
        "memorability", {"hurst_mean": read.summary["properties"]["hurst"]["mean"]}
    ).startswith("memorability not measured")
    assert shown.summary["n_windows_without_hurst"] == shown.summary["n_windows"]
    assert not np.isfinite(shown.summary["properties"]["hurst"]["mean"])
