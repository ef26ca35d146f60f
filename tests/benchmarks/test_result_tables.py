"""Benchmark bookkeeping that the README quotes: the LTSF table and the selective summary.

Pure functions over result rows; no training runs here.
"""

import pytest
import torch

from benchmarks.ltsf import markdown_table
from benchmarks.selective import summarise, validated_rel_change


def _ltsf_row(dataset, horizon, model, mse, input_len=336, quick=False):
    return {
        "dataset": dataset,
        "horizon": horizon,
        "model": model,
        "test_mse": mse,
        "input_len": input_len,
        "quick": quick,
    }


def test_ltsf_table_bolds_the_best_model_and_reports_its_gap():
    rows = [
        _ltsf_row("etth1", 96, "sparsetsf", 0.3667, 720),
        _ltsf_row("etth1", 96, "timebase", 0.3619, 720),
        _ltsf_row("weather", 96, "cyclenet", 0.1692, 720),
        _ltsf_row("etth1", 96, "rlinear", 0.30, quick=True),  # smoke runs never reach the README
    ]
    lines = markdown_table(rows).splitlines()
    assert lines[0].split(" | ")[2:4] == ["SparseTSF", "TimeBase"] and "RLinear" not in lines[0]
    etth1, weather = lines[2], lines[3]
    assert "| .367 (L 720) | **.362 (L 720)** |" in etth1
    assert etth1.endswith("| .362 | .350 | +3.4% |")  # .3619 / .350 − 1
    assert weather.startswith("| weather | 96 | — | — | **.169 (L 720)** |")
    assert weather.endswith("| .169 | .141 | +20.0% |")  # .1692 / .141 − 1


def test_ltsf_table_names_a_folding_period_validation_chose_over_the_season():
    rows = [
        {**_ltsf_row("weather", 96, "timebase", 0.1500, 720), "period": "4"},
        {**_ltsf_row("weather", 96, "sparsetsf", 0.1600, 336), "period": "season"},
    ]
    line = markdown_table(rows).splitlines()[2]
    assert "| .160 (L 336) | **.150 (L 720, P 4)** |" in line


def test_ltsf_table_and_summary_show_the_model_picked_on_validation():
    """The validation pick is the row with the lowest validation MSE (mean over its seeds), not
    the best on test, and never the validation-weighted ensemble (its weights fitted there)."""
    from benchmarks.ltsf import summarise

    def row(model, test, vals, **extra):
        return {
            **_ltsf_row("etth1", 96, model, test, 720),
            "runs": [{"val_mse": v} for v in vals],
            "published_best_mse": 0.350,
            "gap_to_published": test / 0.350 - 1,
            "train_seconds": 1.0,
            **extra,
        }

    rows = [
        row("sparsetsf", 0.3667, [0.76, 0.74]),  # best on test, not on validation
        row("stpe_mlp", 0.3927, [0.66, 0.65]),
        {**row("ensemble_validation", 0.3613, []), "val_mse": 0.60, "members": [{}, {}]},
    ]
    line = markdown_table(rows).splitlines()[2]
    assert "| .393 STPE-MLP (+12.2%) | .361 | .350 | +3.2% |" in line  # .3927 / .350 − 1
    # a row without a recorded validation MSE (an early ensemble study) cannot be picked
    unscored = {**row("ensemble", 0.3500, []), "val_mse": None, "members": [{}, {}]}
    assert "| .393 STPE-MLP (+12.2%) | .350 |" in markdown_table([*rows, unscored]).splitlines()[2]
    pick = summarise(rows)["validation_pick"]
    assert pick["per_cell"]["etth1/96"]["model"] == "stpe_mlp"
    assert pick["per_cell"]["etth1/96"]["val_mse"] == pytest.approx(0.655)
    assert pick["cells_meeting_published"] == 0
    assert pick["mean_gap_to_published"] == pytest.approx(0.3927 / 0.350 - 1)


def test_the_readme_shows_the_ltsf_table_of_ltsf_json():
    """The README's grid table is generated (``python -m benchmarks.ltsf --table``); a result file
    changed without regenerating it would make the README say what the results do not."""
    import json
    from pathlib import Path

    from benchmarks.common import CHECKED_IN_RESULTS

    table = markdown_table(json.loads((CHECKED_IN_RESULTS / "ltsf.json").read_text())["rows"])
    assert table in (Path(__file__).parents[2] / "README.md").read_text()


def _cell(model, rel, chosen_val, plain_val, ratio=1.1):
    return {
        "model": model,
        "rel_change_mse": rel,
        "rel_change_mae": rel,
        "epoch_time_ratio": ratio,
        "selection": {
            "chosen": {"r_u": 0.3, "r_a": 0.0},
            "val_mse": {"r_u=0.3,r_a=0.0": chosen_val},
            "plain_val_mse_first_seed": plain_val,
        },
    }


def test_validated_choice_keeps_plain_training_where_validation_says_selective_does_not_pay():
    helps = _cell("patchtst", -0.10, chosen_val=0.50, plain_val=0.60)
    hurts_on_val = _cell("itransformer", +0.05, chosen_val=0.70, plain_val=0.60)
    assert validated_rel_change(helps) == -0.10
    assert validated_rel_change(hurts_on_val) == 0.0
    summary = summarise([helps, hurts_on_val, _cell("dlinear", -0.02, 0.4, 0.5, ratio=1.5)])
    heavier = summary["heavier_backbones"]
    assert heavier["n_cells"] == 2 and heavier["frac_cells_mse_lower"] == 0.5
    assert abs(heavier["mean_rel_change_mse"] - (-0.025)) < 1e-12
    assert abs(heavier["validated_choice"]["mean_rel_change_mse"] - (-0.05)) < 1e-12
    assert heavier["max_epoch_time_ratio"] == 1.1 and summary["max_epoch_time_ratio"] == 1.5


def test_ili_input_length_follows_the_papers_backbone_configs():
    from benchmarks.selective import protocol_input_len

    assert protocol_input_len("illness", "patchtst") == 96 == protocol_input_len("illness", "itransformer")
    assert protocol_input_len("illness", "hutformer") == 36 == protocol_input_len("illness", "dlinear")
    assert (
        protocol_input_len("etth1", "patchtst") == 336
        and protocol_input_len("exchange_rate", "patchtst") == 96
    )


def test_ltsf_row_chooses_lookback_and_learning_rate_on_validation_only(monkeypatch):
    """With --lrs every (lookback, lr) pair is tried with the first seed; the pair with the lowest
    *validation* MSE is re-run with the other seeds, whatever the test MSE of the others."""
    import types

    import benchmarks.ltsf as ltsf

    val = {(96, 0.01): 0.50, (96, 0.005): 0.45, (336, 0.01): 0.40, (336, 0.005): 0.42}
    test = {(96, 0.01): 0.30, (96, 0.005): 0.20, (336, 0.01): 0.33, (336, 0.005): 0.25}
    calls = []

    def fake_train(dataset, horizon, model, input_len, seed, args, lr=None, period=None):
        calls.append((input_len, lr, seed))
        m = {"val_mse": val[input_len, lr], "test_mse": test[input_len, lr] + (seed - 2024) * 0.01,
             "test_mae": 0.1, "train_seconds": 1.0, "epochs_run": 3, "n_parameters": 10}  # fmt: skip
        task = types.SimpleNamespace(dataset=lambda name: range(7))
        return types.SimpleNamespace(metrics=m, task=task, run_id="r", params={"train.lr": lr})

    monkeypatch.setattr(ltsf, "train_once", fake_train)
    args = ltsf.parse_args(["--datasets", "etth1", "--lookbacks", "96,336", "--lrs", "0.01,0.005",
                            "--seeds", "2024,2025", "--no-track"])  # fmt: skip
    row = ltsf.run_row("etth1", 96, "cyclenet", args)
    assert (row["input_len"], row["lr"]) == (336, 0.01)  # lowest validation, not lowest test (96 / 0.005)
    assert calls[-1] == (336, 0.01, 2025) and len(calls) == 5
    assert row["test_mse"] == pytest.approx((0.33 + 0.34) / 2)
    assert sorted(row["lookback_search"]) == ["336/lr0.005", "336/lr0.01", "96/lr0.005", "96/lr0.01"]
    assert row["command"].endswith("--lrs 0.01,0.005") and row["lr_searched"] == [0.01, 0.005]


@pytest.mark.parametrize(
    ("argv", "two_stage_epochs"), [([], 10), (["--max-epochs", "3"], 3), (["--quick"], 2)]
)
def test_the_one_stage_hutformer_ablation_trains_as_many_epochs_as_both_stages(
    monkeypatch, argv, two_stage_epochs
):
    """The end-to-end ablation's one stage gets twice the epochs of each of the two stages it is
    compared with, under the model's default budget and under every cap."""
    import benchmarks.ltsf as ltsf
    import tsforge.pipeline as pipeline

    seen = {}

    def fake_train(series, model, **kwargs):
        seen[kwargs["run_name"].split("-")[0]] = (kwargs["model_config"], kwargs["train_config"])

    monkeypatch.setattr(pipeline, "train", fake_train)
    monkeypatch.setitem(ltsf._DATA, "ettm1", (None, "ett"))
    args = ltsf.parse_args(["--no-track", *argv])
    for model in ("hutformer", "hutformer_one_stage_training"):
        ltsf.train_once("ettm1", 336, model, 336, 2024, args)
    two_stage_cfg, two_stage_train = seen["hutformer"]
    one_stage_cfg, _ = seen["hutformer_one_stage_training"]
    from tsforge.models.hutformer import HUTFormer

    per_stage = two_stage_train.get("max_epochs", HUTFormer.default_train_config["max_epochs"])
    assert per_stage == two_stage_epochs and "stage1_epochs" not in two_stage_cfg
    assert one_stage_cfg == {"two_stage": False, "stage1_epochs": 2 * two_stage_epochs}


def test_ltsf_row_searches_the_folding_period_on_validation_only(monkeypatch):
    """With --periods every (lookback, period) pair that fits is tried with the first seed; a
    period longer than the lookback is skipped; the chosen period goes to the other seeds."""
    import types

    import benchmarks.ltsf as ltsf

    val = {(96, None): 0.50, (96, 4): 0.45, (336, None): 0.47, (336, 4): 0.40, (336, 200): 0.41}
    test = {(96, None): 0.30, (96, 4): 0.20, (336, None): 0.10, (336, 4): 0.33, (336, 200): 0.25}
    calls = []

    def fake_train(dataset, horizon, model, input_len, seed, args, lr=None, period=None):
        calls.append((input_len, period, seed))
        m = {"val_mse": val[input_len, period], "test_mse": test[input_len, period], "test_mae": 0.1,
             "train_seconds": 1.0, "epochs_run": 3, "n_parameters": 10}  # fmt: skip
        task = types.SimpleNamespace(dataset=lambda name: range(7))
        return types.SimpleNamespace(metrics=m, task=task, run_id="r", params={"train.lr": 0.02})

    monkeypatch.setattr(ltsf, "train_once", fake_train)
    args = ltsf.parse_args(["--datasets", "weather", "--lookbacks", "96,336", "--periods", "season,4,200",
                            "--seeds", "2024,2025", "--no-track", "--models", "timebase"])  # fmt: skip
    row = ltsf.run_row("weather", 96, "timebase", args)
    assert (row["input_len"], row["period"]) == (336, "4")  # lowest validation, not lowest test
    assert (96, 200, 2024) not in calls and calls[-1] == (336, 4, 2025) and len(calls) == 6
    assert sorted(row["lookback_search"]) == ["336/p200", "336/p4", "336/pseason", "96/p4", "96/pseason"]
    assert row["command"].endswith("--periods season,4,200")
    assert row["period_searched"] == ["season", "4", "200"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--models", "rlinear", "--periods", "4"],  # not a period-folding model
        ["--models", "timebase", "--periods", "0"],
        ["--models", "timebase", "--periods", "daily"],
    ],
)
def test_ltsf_periods_refuses_what_cannot_fold(argv, capsys):
    import benchmarks.ltsf as ltsf

    with pytest.raises(SystemExit):
        ltsf.parse_args(argv)
    assert "period" in capsys.readouterr().err


def test_a_timing_only_run_keeps_the_grid_the_cells_ran_with(tmp_path):
    """Re-timing cells trains no grid, so the file's protocol keeps the cells' (r_u, r_a) grid
    rather than the defaults of the re-timing command; a grid run still records its own."""
    from benchmarks.selective import parse_args, write_results

    path = tmp_path / "selective.json"
    cell = _cell("patchtst", -0.10, chosen_val=0.50, plain_val=0.60)
    cell.update({"dataset": "etth1", "input_len": 336, "horizon": 96})
    grid = parse_args(["--grid-ra", "0,0.3", "--eval-stride", "2"])
    grid.command = "python -m benchmarks.selective --grid-ra 0,0.3 --eval-stride 2"
    write_results([cell], grid, path)
    timing = parse_args(["--timing-only"])
    timing.command = "python -m benchmarks.selective --timing-only"
    doc = write_results([{**cell, "timing": {"median_ratio": 1.1}}], timing, path)
    assert doc["protocol"]["grid_r_a"] == [0.0, 0.3] and doc["protocol"]["eval_stride"] == 2
    assert doc["protocol"]["commands"] == sorted([grid.command, timing.command])
    assert doc["cells"][0]["timing"] == {"median_ratio": 1.1}
    again = parse_args(["--grid-ra", "0,0.9"])
    again.command = "python -m benchmarks.selective --grid-ra 0,0.9"
    assert write_results([cell], again, path)["protocol"]["grid_r_a"] == [0.0, 0.9]


def test_the_timed_strategy_keeps_the_cpu_time_of_the_strategy_hooks_apart():
    """The selective benchmark's timer counts the CPU time spent inside the strategy's own hooks
    (every batch's loss, the epoch-end rebuild) separately: that time is part of the epoch's and
    holds what the hooks spent, batch by batch, even when the epoch's other work dominates."""
    import time

    from benchmarks.selective import TimedStrategy
    from tsforge.training.strategy import LossStrategy

    def spin(seconds: float) -> None:
        end = time.process_time() + seconds
        while time.process_time() < end:
            pass

    class Slow(LossStrategy):
        def __call__(self, pred, batch, state):
            spin(0.01)
            return pred.sum()

        def on_epoch_end(self, state):
            spin(0.02)
            return {}

    timed = TimedStrategy(Slow("mse"))
    for _ in range(2):
        timed.on_epoch_start(None)
        for _ in range(3):
            timed(torch.zeros(2), {}, None)
            spin(0.03)  # the rest of a training step: not the strategy's
        timed.on_epoch_end(None)
    assert len(timed.epoch_hook_cpu_seconds) == 2
    for hooks, total in zip(timed.epoch_hook_cpu_seconds, timed.epoch_cpu_seconds, strict=True):
        assert 0.05 <= hooks < 0.05 + 0.09 <= total
