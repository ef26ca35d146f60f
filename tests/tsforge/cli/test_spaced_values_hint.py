"""``--level 80 95`` and ``--quantiles 0.1 0.5 0.9`` (values spaced, as some CLIs take them) end
in an error that names the option and how to give several values, not only the argument the
second number was taken for."""

from __future__ import annotations

import pytest

from tsforge.cli.app import main, spaced_values_hint


def _history(tmp_path) -> str:
    path = tmp_path / "h.csv"
    rows = [f"a,2020-01-{d:02d},{d}" for d in range(1, 31)]
    path.write_text("unique_id,ds,y\n" + "\n".join(rows) + "\n")
    return str(path)


@pytest.mark.parametrize(
    ("args", "advice"),
    [
        (["--model", "m", "--level", "80", "95", "--input", "{h}"], "write --level 80 --level 95"),
        (["{h}", "--model", "m", "--quantiles", "0.1", "0.5", "0.9"], "write --quantiles 0.1,0.5,0.9"),
    ],
)
def test_spaced_values_are_told_how_to_write_them(tmp_path, capsys, args, advice):
    argv = ["forecast"] + [a.format(h=_history(tmp_path)) for a in args]
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err  # still one line
    assert advice in err


def test_one_value_per_flag_gets_no_advice():
    assert spaced_values_hint(["forecast", "h.csv", "--level", "80", "--level", "95"]) is None
    assert spaced_values_hint(["forecast", "--level", "95", "h.csv"]) is None
    assert spaced_values_hint(["forecast", "--quantiles", "0.1,0.9", "h.csv"]) is None
