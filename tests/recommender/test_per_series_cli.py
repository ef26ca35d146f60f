"""``tsforge recommend DATA --per-series [--train --register-as NAME] [--json]`` on a small CSV."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import run_cli as _cli


def test_per_series_json_lists_every_series_with_its_pick(capsys, halves_csv, saved_router):
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["n_series"] == 12 and len(payload["series"]) == 12
    for s in payload["series"]:
        assert s["pick"] == ("seasonal_naive" if "seas" in s["unique_id"] else "naive")
        assert s["explanation"] and abs(sum(s["weights"].values()) - 1) < 1e-9
    assert set(payload["collection"]["pick_distribution"]) == {"naive", "seasonal_naive"}


def test_per_series_table_names_the_picks(capsys, halves_csv, saved_router):
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series")
    assert code == 0, err
    assert "seasonal_naive" in out and "Per-series picks" in out
    assert (
        "expected MASE: not a measurement but the router's estimate" in out
    )  # the number is not read as a promise
    assert "rebuild it" in " ".join(out.split())  # the fixture's router has no held-out scale


def test_a_scaled_router_says_so_and_reports_scaled_errors(
    capsys, tmp_path, monkeypatch, halves_csv, halves_router
):
    from dataclasses import replace

    from recommender.per_series import router_dir

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    halves_router.save(router_dir())
    code, out, _ = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series", "--json")
    plain = json.loads(out)
    scaled = replace(halves_router, config=halves_router.config.with_selection({"expected_scale": 1.3}))
    scaled.save(router_dir())
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["router"]["expected_scale"] == 1.3
    got, want = payload["collection"]["expected_mase_pick"], plain["collection"]["expected_mase_pick"]
    assert got == pytest.approx(1.3 * want)
    assert [s["pick"] for s in payload["series"]] == [s["pick"] for s in plain["series"]]
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series")
    assert code == 0, err
    assert "scaled (×1.30)" in " ".join(out.split()) and "rebuild it" not in out


@pytest.mark.slow
def test_per_series_train_registers_one_routed_model(capsys, halves_csv, saved_router, tracking_uri):
    code, out, err = _cli(
        capsys, "recommend", halves_csv, "--horizon", "6", "--per-series", "--train", "--register-as", "halves-r",
        "--mode", "pick", "--json",
    )  # fmt: skip
    assert code == 0, err
    training = json.loads(out)["training"]
    assert training["registered_name"] == "halves-r" and training["version"] == "1"
    assert np.isfinite(training["metrics"]["test_mase"])
    assert training["prior"].startswith("validation window")  # what the series were pooled towards
    code, out, err = _cli(capsys, "forecast", "--model", "halves-r", "--input", halves_csv, "--horizon", "6")
    assert code == 0, err
    # scored like any panel model, on every series' holdout (it was taken for a window model)
    code, out, err = _cli(capsys, "evaluate", halves_csv, "--model", "halves-r", "--json")
    assert code == 0, err
    assert json.loads(out)["test_mase"] == pytest.approx(training["metrics"]["test_mase"])


def test_bad_per_series_options_exit_2_with_one_line(capsys, halves_csv, saved_router):
    code, _, err = _cli(capsys, "recommend", halves_csv, "--per-series", "--register-as", "x")
    assert code == 2 and "--train" in err and err.count("\n") == 1
    code, _, err = _cli(capsys, "recommend", halves_csv, "--per-series", "--train", "--mode", "best")
    assert code == 2 and "--mode" in err


def test_per_series_reads_a_file_with_its_own_column_names(capsys, tmp_path, make_halves, saved_router):
    """``--id-col/--time-col/--target-col`` reach the loader, give the same picks as the
    standard names, and the printed next command carries them (a copied command must work)."""
    frame = make_halves(12, seed=51).to_long()
    renamed = tmp_path / "renamed.csv"
    frame.rename(columns={"unique_id": "store", "ds": "day", "y": "units"}).to_csv(renamed, index=False)
    standard = tmp_path / "standard.csv"
    frame.to_csv(standard, index=False)
    cols = ("--id-col", "store", "--time-col", "day", "--target-col", "units")
    code, out, err = _cli(
        capsys, "recommend", str(renamed), "--horizon", "6", "--per-series", "--json", *cols
    )
    assert code == 0, err
    picks = {s["unique_id"]: s["pick"] for s in json.loads(out)["series"]}
    code, out, err = _cli(capsys, "recommend", str(standard), "--horizon", "6", "--per-series", "--json")
    assert code == 0, err
    assert picks == {s["unique_id"]: s["pick"] for s in json.loads(out)["series"]}
    code, out, err = _cli(capsys, "recommend", str(renamed), "--horizon", "6", "--per-series", *cols)
    assert code == 0, err
    hint = "".join(out.split())  # the console wraps long lines, a long path even inside the path
    assert "--per-series--train" in hint and "--id-colstore--time-colday--target-colunits" in hint


def test_a_long_file_read_as_wide_says_how_to_name_its_columns(capsys, tmp_path, make_halves, saved_router):
    path = tmp_path / "renamed.csv"
    long = make_halves(4, seed=51).to_long()
    # a second number beside the id (store, day, units alone is read as long, with a note)
    long = long.rename(columns={"unique_id": "store", "ds": "day", "y": "units"}).assign(price=1.0)
    long.to_csv(path, index=False)
    code, _, err = _cli(capsys, "recommend", str(path), "--horizon", "6", "--per-series")
    assert code == 2 and err.count("\n") == 1, err
    assert "non-numeric value" in err and "--id-col store" in err


def test_a_fully_pooling_router_says_so_instead_of_a_per_series_table(
    capsys, tmp_path, monkeypatch, halves_router, halves_csv
):
    """With ``shrink = 1`` every series gets the collection's weights: the table of series "with
    the largest gain" would repeat one row; the CLI says why and what routes series apart."""
    import copy
    from dataclasses import replace

    from recommender.per_series import router_dir

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    pooled = copy.copy(halves_router)
    pooled.config = replace(halves_router.config, shrink=1.0)
    pooled.save(router_dir())
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series")
    assert code == 0, err
    text = " ".join(out.split())
    assert "every series gets the collection's weights" in text and "--train --adapt" in text
    # the sentence the service's per-series answer gives as its ``pooling`` (one function says
    # it), with the command as the CLI prints it: no Markdown backticks left in a terminal
    from recommender.series_recommendation import pooling_words

    said = pooling_words({"shrink": 1.0}, command="tsforge recommend --per-series --train --adapt")
    assert said is not None and said in text and "`tsforge recommend --per-series" not in text, text
    assert "largest expected gain" not in text
    # the per-series picks are the collection's: their "0.0% better" said nothing
    assert "one candidate for every series:" in text and "per-series picks:" not in text, text
