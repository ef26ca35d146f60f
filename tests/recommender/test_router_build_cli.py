"""``tsforge recommender build --per-series`` says which router is used afterwards: the one it
built (instead of the shipped one), or the one ``$TSFORGE_SERIES_ROUTER`` names while it is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def built_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, halves_router: Any) -> Path:
    """The build replaced by saving the small halves router where a build saves it."""
    import recommender.series_recommendation as sr
    from recommender.per_series import router_dir

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TSFORGE_SERIES_ROUTER", raising=False)
    monkeypatch.setattr(
        sr, "build_default_router", lambda **kw: halves_router.save(router_dir()) and halves_router
    )
    return router_dir()


def test_the_built_router_is_said_to_replace_the_shipped_one(built_here: Path, capsys: Any) -> None:
    from tests.conftest import run_cli

    code, out, err = run_cli(capsys, "recommender", "build", "--per-series", "--no-track")
    assert code == 0, err
    assert f"savedto{built_here}" in "".join(out.split())  # rich wraps long paths anywhere
    assert "instead of the router shipped with tsforge" in " ".join(out.split())


def test_a_router_named_in_the_environment_is_said_to_come_first(
    built_here: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from tests.conftest import run_cli

    monkeypatch.setenv("TSFORGE_SERIES_ROUTER", str(tmp_path / "team-router"))
    code, out, err = run_cli(capsys, "recommender", "build", "--per-series", "--no-track")
    assert code == 0, err
    text = " ".join(out.split())
    assert "TSFORGE_SERIES_ROUTER names" in text and "instead of this one" in text
