"""``tsforge recommend DATA --per-series`` refuses bad data before it resolves the default router.

Why: with no router on the machine the CLI announced "building it once ... 15–25 min", built it,
and only then refused a missing column, a horizon of 0, a horizon no series is long enough for,
or (``--train``) series too short for the holdout: a refusal the data alone decide, after the
slowest step there is. Here the build is replaced by a stand-in that records its call; a
refusal must come without it (and without the announcement).
"""

from __future__ import annotations

import numpy as np
import pytest

import recommender.series_recommendation as series_recommendation
from recommender.shipped_router import ROUTER_ENV
from tests.conftest import run_cli


@pytest.fixture
def builds(tmp_path, monkeypatch, no_shipped_router) -> list[str]:
    """No router on this machine (an empty cache, none shipped, none named): the calls of the
    default router's build, which raises instead of building."""
    calls: list[str] = []

    def build(*args: object, **kwargs: object) -> None:
        calls.append("build_default_router")
        raise AssertionError("the default router was built before the data were checked")

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")
    monkeypatch.delenv(ROUTER_ENV, raising=False)
    monkeypatch.setattr(series_recommendation, "build_default_router", build)
    # the build's collections count as present, whatever this machine holds
    monkeypatch.setattr(series_recommendation, "require_collections", lambda collections: None)
    assert series_recommendation.default_router_pending() is not None  # a build would be needed
    return calls


@pytest.fixture
def short_csv(tmp_path) -> str:
    """Daily series 'a' and 'b' of 40 values and 'c' of 5."""
    days = np.datetime64("2020-01-01") + np.arange(40)
    rows = ["unique_id,ds,y"]
    for sid, n in (("a", 40), ("b", 40), ("c", 5)):
        rows += [f"{sid},{days[i]},{(i * 7) % 11}" for i in range(n)]
    path = tmp_path / "short.csv"
    path.write_text("\n".join(rows) + "\n")
    return str(path)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--horizon", "6", "--value-cols", "nope"], "column 'nope'"),
        (["--horizon", "0"], "horizon must be at least 1"),
        (["--horizon", "30"], "none of the 3 series is long enough for horizon 30"),
        (["--horizon", "6", "--train"], "--drop-short"),
        (["--horizon", "30", "--train", "--drop-short"], "no series has the 61 values"),
    ],
    ids=[
        "missing-column",
        "horizon-0",
        "untrainable-horizon",
        "short-series-train",
        "none-long-enough-train",
    ],
)
def test_bad_data_are_refused_without_building_the_router(capsys, builds, short_csv, args, said):
    code, out, err = run_cli(capsys, "recommend", short_csv, "--per-series", *args)
    text = " ".join(err.split())
    assert code != 0, out
    assert said in text, err
    assert builds == [], err
    assert "building it once" not in text, err


def test_bad_data_are_refused_as_such_where_the_build_could_not_run(capsys, builds, short_csv, monkeypatch):
    """Without the development collections the build is refused, and that refusal ("set
    TSFORGE_DATA_DIR ... or ask without --per-series") stood in for the data's own problem."""
    from tsforge.errors import DatasetNotAvailableError

    def unavailable(collections: object) -> None:
        raise DatasetNotAvailableError("the development collections are not available here", field="dataset")

    monkeypatch.setattr(series_recommendation, "require_collections", unavailable)
    code, out, err = run_cli(capsys, "recommend", short_csv, "--per-series", "--value-cols", "nope")
    assert code != 0, out
    assert "column 'nope'" in err and "development collections" not in err, err
    assert builds == [], err


def test_train_routed_refuses_series_too_short_before_building_the_router(builds, short_csv):
    """The library's ``train_routed`` (what ``--train`` runs) resolved the router first too: a
    caller that named none waited for the build before its series too short were refused."""
    from recommender.routed_training import train_routed
    from tsforge.errors import DataValidationError

    with pytest.raises(DataValidationError, match="drop_short|--drop-short"):
        train_routed(short_csv, horizon=6)
    assert builds == []
