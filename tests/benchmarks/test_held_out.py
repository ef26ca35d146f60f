"""Panel benchmarks keep collections that are not development ones apart (scored, never chosen on)."""

from __future__ import annotations

import pytest

from benchmarks.common import split_held_out
from tsforge.data.load import source_name


def test_sources_are_named_like_their_panels(tmp_path):
    tsf = tmp_path / "tourism_monthly_dataset.tsf.gz"
    tsf.write_bytes(b"")
    assert source_name(str(tsf)) == "tourism_monthly_dataset"
    assert source_name(tmp_path / "my.sales.csv") == "my.sales"  # only the data-file ending goes
    assert source_name(" M1_Monthly ") == "m1_monthly"  # a catalogue name as the catalogue spells it


def test_collections_outside_the_development_set_are_held_out(tmp_path):
    dev = ("m1_monthly", "hospital")
    got = split_held_out(
        ["hospital", "electricity_weekly", "/data/new_panel.tsf", "m1_monthly", "hospital"], dev
    )
    assert got == (["hospital", "m1_monthly"], ["electricity_weekly", "/data/new_panel.tsf"])


def test_a_file_named_like_a_development_collection_is_refused(tmp_path):
    """Results are keyed by name: the file's rows would overwrite the development collection's."""
    file = str(tmp_path / "hospital.parquet")
    with pytest.raises(ValueError, match="hospital.parquet.*'hospital' is a development collection"):
        split_held_out(["m1_monthly", file], ("m1_monthly", "hospital"))
