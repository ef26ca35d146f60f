"""A refusal of ``tune``'s arguments names the argument for a Python caller (``study_name``) and
the flag on the command line (``--study``), through the error's ``cli_message`` as the rest of
tsforge words its advice; the library's messages named the flags only."""

from __future__ import annotations

import pytest

from tsforge.cli import main
from tsforge.errors import ConfigError
from tsforge.tuning import tune


def _never_called(*args, **kwargs):
    raise AssertionError("no trial should start")


@pytest.mark.parametrize(
    ("options", "python", "flag"),
    [
        ({"study_name": ""}, "study_name must name the study", "--study must name the study"),
        ({"experiment": " "}, "experiment must name the MLflow experiment", "--experiment must name"),
        ({"input_len": 0}, "input_len must be at least 1, got 0", "--input must be at least 1, got 0"),
        ({"n_trials": 0}, "n_trials must be at least 1", "--trials must be at least 1"),
        ({"seed": -5}, "seed must be between 0 and", "--seed must be between 0 and"),
        ({"sampler_seed": -1}, "sampler_seed must be between 0 and", "--sampler-seed must be between 0 and"),
        ({"timeout": 0}, "timeout must be a positive number", "--timeout must be a positive number"),
        (
            {"n_startup_trials": -1},
            "n_startup_trials must be 0 or more",
            "--startup-trials must be 0 or more",
        ),
        ({"eval_stride": 0}, "eval_stride must be at least 1", "--eval-stride must be at least 1"),
        (
            {"drop_short": True, "split": "7:1:2"},
            "drop_short=True applies to the panel",
            "--drop-short applies",
        ),
    ],
)
def test_an_argument_is_named_as_python_and_as_the_command_line_write_it(options, python, flag, tmp_path):
    kwargs = {"n_trials": 1, "input_len": 24, "horizon": 8, "storage": str(tmp_path / "j.journal"), **options}
    with pytest.raises(ConfigError) as err:
        tune("synthetic", "dlinear", train_fn=_never_called, **kwargs)
    assert str(err.value).startswith(python) and "--" not in str(err.value)
    assert err.value.for_cli().startswith(flag)


def test_a_study_resumed_with_other_settings_is_told_the_argument_or_the_flag(store, tmp_path):
    from tsforge.tuning.study import open_study

    journal = tmp_path / "s.journal"
    open_study("set", journal, user_attrs={"horizon": 12})
    with pytest.raises(ConfigError) as err:
        open_study("set", journal, user_attrs={"horizon": 24})
    assert "use another study name" in str(err.value) and "--study" not in str(err.value)
    assert "use another --study name" in err.value.for_cli()


def test_the_command_line_still_names_the_flag(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        main(["tune", "--dataset", "synthetic", "--no-progress", "--study", ""])
    assert capsys.readouterr().err.startswith("error: --study must name the study (it is empty)")
