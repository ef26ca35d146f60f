"""The per-series summary's words agree with each other and call its numbers what they are.

Found by a README walk: under "a clear pick for none of them: their weights are near-even
(nlinear 0.20, lightgbm 0.20, …)" the next line said "nlinear is best"; after ``--train`` the
"expected MASE" was described as "this panel's validation-window errors …, scaled (×1.46)", read
as a measured validation MASE times 1.46, while it is the router's estimate of each series' error
level with the candidates set apart by their validation errors.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from recommender.per_series import CLEAR_PICK_RATIO


def _collection(expected: dict[str, float]) -> dict[str, Any]:
    best = min(expected, key=expected.__getitem__)
    return {"best_single": best, "expected_mase_best_single": expected[best], "expected_mase": expected}


def _pooled_recommendation(expected: dict[str, float]) -> SimpleNamespace:
    """A fully pooled recommendation whose one pick is a near-even blend (what the walk saw)."""
    best = min(expected, key=expected.__getitem__)
    collection = {
        **_collection(expected),
        "pick_distribution": {best: 1.0},
        "clear_pick_share": {best: 0.0},
        "expected_mase_picked": {best: expected[best]},
        "expected_mase_pick": expected[best],
        "expected_gain": 0.0,
        "explanations": {best: f"{best} weighted highest for 20 of 20 series (100%)"},
        "caveats": {},
    }
    return SimpleNamespace(
        dataset="my",
        n_series=20,
        horizon=12,
        collection=collection,
        router={"shrink": 1.0, "temperature": 0.4, "expected_scale": 1.46},
        timings={"total_seconds": 1.0, "profile_seconds": 0.5},
        short_for_holdout=[],
        holdout_length=37,
    )


def _rendered(capsys, rec: SimpleNamespace, *, trained: bool) -> str:
    from tsforge.cli.recommend import render_series_recommendation

    capsys.readouterr()
    render_series_recommendation(rec, "my.csv --horizon 12", trained=trained)
    return " ".join(capsys.readouterr().out.split())


def test_the_summary_does_not_call_a_near_even_candidate_best(capsys):
    said = _rendered(capsys, _pooled_recommendation({"nlinear": 1.718, "lightgbm": 1.720}), trained=False)
    assert "nlinear is best" not in said, said
    assert "none stands out (nlinear 1.718, lightgbm 1.720 expected MASE" in said, said


def test_after_train_the_summary_calls_the_expected_mase_an_estimate(capsys):
    said = _rendered(capsys, _pooled_recommendation({"lightgbm": 0.746, "dlinear": 0.80}), trained=True)
    assert "expected MASE: the router's estimate from other collections (×1.46)" in said, said
    assert "errors (the prior --train pooled towards), scaled" not in said, said
    assert "ordered by this panel's validation-window errors; not a ranking's validation MASE" in said, said


def test_after_train_the_caveat_takes_two_lines_at_80_columns():
    """It took five lines, saying "not measured" three ways."""
    from rich.console import Console

    from tsforge.cli.recommend import expected_mase_caveat

    console = Console(width=80)
    with console.capture() as captured:
        console.print(expected_mase_caveat(1.46, trained=True, measured=True))
    assert len(captured.get().splitlines()) <= 2, captured.get()


def test_a_clear_lead_is_called_best_and_names_the_next():
    from tsforge.cli.recommend import best_single_words

    said = best_single_words(_collection({"a": 1.0, "b": 1.6, "c": 2.0}), 0.4)
    assert said == "one candidate for every series: a is best (expected MASE 1.000), next b 1.600", said


def test_the_margin_is_the_clear_pick_rule_in_expected_mase():
    """A weight ratio of CLEAR_PICK_RATIO at temperature T is an expected-MASE ratio of
    CLEAR_PICK_RATIO ** T: just over it is a lead, just under it is not."""
    from tsforge.cli.recommend import best_single_words

    t = 0.5
    margin = CLEAR_PICK_RATIO**t
    over = best_single_words(_collection({"a": 1.0, "b": margin * 1.001}), t)
    under = best_single_words(_collection({"a": 1.0, "b": margin * 0.999}), t)
    assert "a is best" in over and "none stands out" in under, (over, under)


def test_without_the_held_out_scale_the_trained_caveat_does_not_say_scaled():
    from tsforge.cli.recommend import expected_mase_caveat

    said = expected_mase_caveat(1.0, trained=True)
    assert "scaled" not in said and "×" not in said and "the router's estimate" in said, said
