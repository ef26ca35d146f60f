"""Benchmark bookkeeping that the README quotes: the LTSF table and the selective summary.

Pure functions over result rows; no training runs here.
"""

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
