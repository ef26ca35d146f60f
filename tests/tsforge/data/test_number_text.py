"""One answer to "is this text a number?" for the command line and the ``.tsf`` reader
(:func:`tsforge.arguments.reads_as_float`).

Why: the CLI's ``_is_number`` and the ``.tsf`` reader's ``_is_float`` were twin bodies; the one
home is a module that imports nothing heavy, so the command line asks it without importing the
data readers.
"""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from tsforge.arguments import reads_as_float


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80", True),
        ("0.5", True),
        (" 0.5 ", True),
        ("-1e3", True),
        ("1_000", True),
        ("nan", True),
        ("inf", True),
        ("", False),
        ("?", False),
        ("x", False),
        ("80,95", False),
        ("--level", False),
    ],
)
def test_a_number_is_what_float_reads(text, expected):
    assert reads_as_float(text) is expected


def test_the_command_line_and_the_tsf_reader_share_it():
    app = importlib.import_module("tsforge.cli.app")  # tsforge.cli's attribute ``app`` is the Typer app
    tsf = importlib.import_module("tsforge.data.tsf")

    assert app.reads_as_float is reads_as_float
    assert tsf.reads_as_float is reads_as_float
    assert not hasattr(app, "_is_number") and not hasattr(tsf, "_is_float")


def test_its_home_imports_no_data_reader():
    code = (
        "import sys, tsforge.arguments; print(sorted(m for m in sys.modules if m.startswith('tsforge.data')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_spaced_values_hint_and_the_tsf_error_are_unchanged():
    from tsforge.cli.app import spaced_values_hint
    from tsforge.data.tsf import parse_tsf
    from tsforge.errors import DataValidationError

    assert spaced_values_hint(["cv", "--level", "80", "95"]) == (
        "--level takes one value per flag, so '95' was read as another argument: write --level 80 --level 95"
    )
    assert spaced_values_hint(["cv", "--level", "80", "x.csv"]) is None
    text = "@attribute series_name string\n@frequency monthly\n@data\nT1:1,2,?,x,3\n"
    with pytest.raises(DataValidationError, match=r"non-numeric value 'x' in series line"):
        parse_tsf(text)
