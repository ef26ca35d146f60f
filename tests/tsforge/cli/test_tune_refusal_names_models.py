"""``tsforge tune`` refusing a model without a search space names the models it can tune.

Why: ``tune my.csv --model auto_ets`` was answered "declares no search space; nothing to tune"
alone, and the user tried models one by one to find those ``tune`` searches.
"""

from __future__ import annotations

import pytest

from tsforge.cli.app import main


@pytest.mark.parametrize(("model", "chooses"), [("auto_ets", True), ("naive", False)])
def test_the_refusal_lists_the_tunable_models(model, chooses, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["tune", "--dataset", "synthetic", "--no-progress", "--model", model])
    assert exc.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "nothing to tune: the models with a search space are" in err
    assert "dlinear" in err and "lightgbm" in err and "auto_ets," not in err
    assert ("chooses its own form when `tsforge train` fits it" in err) is chooses
