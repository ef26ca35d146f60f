"""The LTSF ensemble study scores members only on the same target windows (the combination
numerics are tested with the model: ``tests/tsforge/models/test_ensemble.py``)."""

from types import SimpleNamespace

import numpy as np
import pytest

from benchmarks.ltsf_ensemble import aligned_targets


def _task(starts, input_len):
    ds = SimpleNamespace(starts=SimpleNamespace(numpy=lambda: np.asarray(starts)), input_len=input_len)
    return SimpleNamespace(dataset=lambda split: ds)


def test_members_must_score_the_same_target_windows():
    # lookbacks 96 and 336 over the same targets: input starts differ by the lookback difference
    same = [_task(np.arange(336, 346), 96), _task(np.arange(96, 106), 336)]
    assert aligned_targets(same, "test") == 10
    shifted = [_task(np.arange(336, 346), 96), _task(np.arange(97, 107), 336)]
    with pytest.raises(ValueError, match="not the same targets"):
        aligned_targets(shifted, "test")
    shorter = [_task(np.arange(336, 346), 96), _task(np.arange(96, 105), 336)]
    with pytest.raises(ValueError, match="test windows"):
        aligned_targets(shorter, "test")


def _study_row():
    members = [
        {"model": "sparsetsf", "input_len": 720, "grid_test_mse": 0.3667, "grid_params": 145},
        {"model": "cyclenet", "input_len": 336, "grid_test_mse": 0.3740, "grid_params": 9480},
    ]

    def weighting(mse, weights):
        return {
            "weights": weights,
            "test_mse": mse,
            "test_mse_std": 0.001,
            "test_mae": 0.39,
            "gap_to_published": mse / 0.35 - 1,
        }

    return {
        "dataset": "etth1",
        "horizon": 96,
        "members": members,
        "equal": weighting(0.3512, {"sparsetsf": 0.5, "cyclenet": 0.5}),
        "validation": weighting(0.3613, {"cyclenet": 1.0}),
        "published_best_mse": 0.35,
        "seeds": [2024, 2025, 2026],
        "seconds": 300.0,
        "command": "python -m benchmarks.ltsf_ensemble --datasets etth1 --horizons 96",
        "model_commands": {"equal": "tsforge train etth1 --model ensemble ...", "validation": "..."},
    }


def test_the_study_becomes_one_grid_row_per_weighting_and_a_table_column():
    from benchmarks.ltsf import markdown_table, summarise
    from benchmarks.ltsf_ensemble import grid_rows

    rows = grid_rows(_study_row())
    assert [(r["model"], r["test_mse"]) for r in rows] == [
        ("ensemble", 0.3512),
        ("ensemble_validation", 0.3613),
    ]
    assert all(
        r["input_len"] == 720 and r["params"] == 145 + 9480 and r["train_seconds"] == 100.0 for r in rows
    )
    assert rows[0]["model_command"].startswith("tsforge train etth1 --model ensemble")
    single = {"dataset": "etth1", "horizon": 96, "model": "sparsetsf", "test_mse": 0.3667, "input_len": 720}
    lines = markdown_table([single, *rows]).splitlines()
    assert lines[0].split(" | ")[2:5] == ["SparseTSF", "Ensemble", "Ensemble (val. weights)"]
    assert "**.351 (2 models)**" in lines[2] and "| .361 (2 models) |" in lines[2] and "+0.3%" in lines[2]
    best = summarise(
        [{**single, "published_best_mse": 0.35, "gap_to_published": 0.048, "train_seconds": 1}, *rows]
    )
    assert best["best_per_cell"]["etth1/96"]["best_model"] == "ensemble"


def test_the_study_scores_members_exactly_as_the_ensemble_model_does():
    """The study holds separately trained members (each its own task); the registered
    ``ensemble`` model slices one window per member. Both must give the same sums and errors."""
    import torch

    from benchmarks.ltsf_ensemble import Member, ensemble_mae, split_sums
    from tests.conftest import make_series
    from tsforge.data.task import prepare_task
    from tsforge.evaluation import evaluate
    from tsforge.training.fitting import fit_model
    from tsforge.training.spec import TrainingSpec

    task = prepare_task(make_series(900, 2), 72, 12)
    quick = {"max_epochs": 1, "batch_size": 64}
    members = [{"model": "nlinear", "train": quick}, {"model": "sparsetsf", "input_len": 48, "train": quick}]
    spec = TrainingSpec("ensemble", model_config={"members": members, "weights": "validation"}, seed=3)
    ens = fit_model(spec, task).forecaster
    held = [
        Member(label=m.name, input_len=m.context.input_len, lr=None, period=None, row_test_mse=0.0,
               forecaster=m, task=ens.member_task(task, i))
        for i, m in enumerate(ens.members)
    ]  # fmt: skip
    ours, model = split_sums(held, "val", batch_size=50), ens.validation_sums(task)
    np.testing.assert_allclose(ours.G, model.G, rtol=1e-10)
    np.testing.assert_allclose(ours.b, model.b, rtol=1e-10)
    assert (ours.c, ours.n) == pytest.approx((model.c, model.n), rel=1e-10)
    mae = ensemble_mae(held, {"fitted": ens.weights}, "test", batch_size=50)["fitted"]
    with torch.no_grad():
        assert mae == pytest.approx(evaluate(ens, task, "test").normalized["mae"], rel=1e-5)


def test_the_stored_sums_score_any_weighting_as_the_live_ones_do():
    import json

    from benchmarks.ltsf_ensemble import _sums_record
    from tsforge.models.ensemble import GramSums, gram_update

    rng = np.random.default_rng(0)
    live = GramSums.empty(3)
    for _ in range(4):
        y = rng.normal(size=(8, 12, 2))
        gram_update(live, y + rng.normal(scale=[[[[0.1]]], [[[0.5]]], [[[1.0]]]], size=(3, 8, 12, 2)), y,
                    rng.random((8, 12, 2)) > 0.1)  # fmt: skip
    record = json.loads(json.dumps(_sums_record(live)))  # as ltsf_ensemble.json holds it
    stored = GramSums(np.array(record["G"]), np.array(record["b"]), record["c"], record["n"])
    for w in ([1 / 3] * 3, [1.0, 0.0, 0.0], [0.6, 0.3, 0.1]):
        assert stored.mse(np.array(w)) == pytest.approx(live.mse(np.array(w)), rel=1e-12)
    assert stored.mse(np.array([1.0, 0, 0])) < stored.mse(np.array([0, 0, 1.0]))  # the least noisy member


def test_a_cell_without_seeds_stops_with_a_message_before_weighing(tmp_path):
    """``--seeds ""`` (or ``,``) parses to no seeds: nothing is trained, so there are no weights;
    the cell stops with a message instead of a TypeError from zipping the names with None."""
    import argparse
    import json

    from benchmarks.ltsf_ensemble import run_cell

    grid = tmp_path / "ltsf.json"
    rows = [
        {"dataset": "etth1", "horizon": 96, "model": m, "input_len": 336, "test_mse": 0.4}
        for m in ("sparsetsf", "cyclenet")
    ]
    grid.write_text(json.dumps({"rows": rows}))
    args = argparse.Namespace(models=["sparsetsf", "cyclenet"], grid=grid, seeds=[])
    with pytest.raises(SystemExit, match="no seeds"):
        run_cell("etth1", 96, args)
