"""``cross_validation`` names a global model given by name as one, and suggests a mistyped name.

Found: ``cross_validation(panel, ["dlinear"])`` said "unknown local model 'dlinear'" of a model
``tsforge cv --model dlinear`` runs (the command wraps it in ``RefitGlobalModel``), with no word
on how Python takes it; ``["naiv"]`` got no "did you mean", while ``train_panel`` suggests one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.load import load_panel
from tsforge.errors import ModelNotFoundError
from tsforge.panels.cv import cross_validation
from tsforge.panels.local import resolve_models


@pytest.fixture(scope="module")
def panel():
    ds = pd.date_range("2020-01-01", periods=30, freq="MS")
    frame = pd.DataFrame(
        {"unique_id": ["a"] * 30 + ["b"] * 30, "ds": list(ds) * 2, "y": np.arange(60.0) % 7 + 1}
    )
    return load_panel(frame).panel


def _message(fn, *args, **kwargs) -> str:
    with pytest.raises(ModelNotFoundError) as err:
        fn(*args, **kwargs)
    return err.value.message


def test_a_global_model_by_name_is_said_to_be_one_with_the_way_to_pass_it(panel):
    said = _message(cross_validation, panel, ["dlinear"], h=3)
    assert "'dlinear' is a global model" in said and "unknown" not in said
    assert "RefitGlobalModel('dlinear')" in said


def test_a_mistyped_local_name_gets_the_closest_one(panel):
    assert "unknown local model 'naiv' (did you mean 'naive'?)" in _message(
        cross_validation, panel, ["naiv"], h=3
    )


def test_a_local_name_in_capitals_is_no_global_model():
    assert "(did you mean 'naive'?)" in _message(resolve_models, ["Naive"])


def test_other_callers_say_a_global_model_is_one_without_the_cv_way():
    said = _message(resolve_models, ["dlinear"])
    assert "'dlinear' is a global model, not a local one;" in said and "RefitGlobalModel" not in said


def test_a_name_near_nothing_gets_no_suggestion():
    assert "did you mean" not in _message(resolve_models, ["zzzzqq"])
