"""What a routed run and ``tsforge recommend --per-series --train`` say, and when.

* One routed run said "best single" of two candidates: its ``recommendation/collection.json``
  ``best_single`` (the router's expectation before the test window) and its description's "Best
  single member in hindsight" (the test window's winner, a combination there), while the
  registered version listed ``test_mase_best_single`` without naming any model. Each is named
  apart now (``expected_best_single`` / ``hindsight_best_single``) and beside its number.
* Its combinations were logged as ``member_<combination>_test_mase`` beside a ``members``
  parameter that lists the trained models only: every candidate's is ``candidate_<name>_test_mase``.
* ``--per-series --train`` printed the picks only at the very end, after the calibration, the
  scoring and the logging (13 minutes on cif_2016): they are printed once the routing made them.
* The pick chart's legend covered the 100 % bar, and its share axis was ticked up to 120 %.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli


@pytest.fixture
def halves40_csv(tmp_path, make_halves) -> str:
    path = tmp_path / "halves40.csv"
    make_halves(40, seed=56).to_long().to_csv(path, index=False)
    return str(path)


def test_the_run_names_both_best_singles_and_calls_every_candidate_a_candidate(
    halves_router, tracking_uri, make_halves
):
    import mlflow

    from recommender.routed_training import train_routed
    from tsforge.pipeline import TrackingOptions

    out = train_routed(
        make_halves(20, seed=31),
        6,
        router=halves_router,
        tracking=TrackingOptions(progress=False, registered_name="halves-routed"),
    )
    candidates = list(out.predictor.router.candidates)
    scored = {
        c: out.metrics[f"candidate_{c}_test_mase"]
        for c in candidates
        if f"candidate_{c}_test_mase" in out.metrics
    }
    assert scored and not [k for k in out.metrics if k.startswith("member_")], sorted(out.metrics)
    hindsight = min(scored, key=scored.__getitem__)
    assert out.hindsight_best_single == hindsight
    assert out.metrics["test_mase_best_single"] == scored[hindsight]

    run = mlflow.get_run(out.run_id)
    expected = out.recommendation.collection["best_single"]
    assert run.data.params["expected_best_single"] == expected
    assert run.data.params["hindsight_best_single"] == hindsight
    number = f"{hindsight}, test MASE {scored[hindsight]:.4g} (test_mase_best_single)"
    assert number in run.data.tags["mlflow.note.content"]
    assert f"the router expected {expected} to be best" in run.data.tags["mlflow.note.content"]
    version = mlflow.MlflowClient().get_model_version("halves-routed", out.version)
    assert number in version.description  # the registry page names the model beside its number


def test_the_picks_are_printed_before_the_training_ends(
    capsys, monkeypatch, halves40_csv, saved_router, tracking_uri
):
    """The routing is done before the interval calibration: a failure there (or a Ctrl-C) comes
    after the picks were shown, not before anything was."""
    import recommender.routed_training as routed_training

    class Stop(Exception):
        pass

    def stop(*args, **kwargs):
        raise Stop

    monkeypatch.setattr(routed_training, "_served_calibration", stop)
    capsys.readouterr()
    with pytest.raises(Stop):
        run_cli(capsys, "recommend", halves40_csv, "--horizon", "6", "--per-series", "--train")
    out = capsys.readouterr().out
    assert "Per-series picks for" in out, out


def test_the_trained_answer_prints_the_picks_once_and_json_stays_one_document(
    capsys, halves40_csv, saved_router, tracking_uri
):
    code, out, err = run_cli(capsys, "recommend", halves40_csv, "--horizon", "6", "--per-series", "--train")
    assert code == 0, err
    text = " ".join(out.split())
    assert text.count("Per-series picks for") == 1, text
    # the picks, then the time it took and the routed model's scores at the end
    assert text.index("Per-series picks for") < text.index(" s (profile ") < text.index("routed (weights)")
    assert "best single candidate in hindsight" in text and "member" not in text.split("routed (weights)")[1]

    code, out, err = run_cli(
        capsys, "recommend", halves40_csv, "--horizon", "6", "--per-series", "--train", "--json"
    )
    assert code == 0, err
    training = json.loads(out)["training"]  # one document: no picks printed ahead of it
    best = training["hindsight_best_single"]
    assert training["metrics"][f"candidate_{best}_test_mase"] == training["metrics"]["test_mase_best_single"]
    assert "best_single" not in training  # the recommendation's expected one is collection.best_single


def test_the_pick_chart_keeps_its_legend_off_the_bars_and_ticks_shares_to_100(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    from recommender.routed_training import _pick_plot

    shown = []
    close = plt.close
    monkeypatch.setattr(plt, "close", lambda fig=None: shown.append(fig))
    _pick_plot({"a+b+c": 1.0}, tmp_path / "picks.png", "picks", clear={"a+b+c": 0.0})
    (fig,) = shown
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        legends = [*fig.legends, *[ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]]
        assert legends  # a blend where the clear share is below the share: both bars are explained
        bars = [p.get_window_extent(renderer) for ax in fig.axes for p in ax.patches]
        for legend in legends:
            box = legend.get_window_extent(renderer)
            assert not any(box.overlaps(bar) for bar in bars), "the legend covers a bar"
        ax = fig.axes[0]
        lo, hi = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
        assert max(ticks) == 100, ticks
    finally:
        close(fig)
