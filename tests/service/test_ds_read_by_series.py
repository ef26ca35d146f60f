"""``/invocations``' ``ds`` read series by series through the library's loop
(:func:`tsforge.data.timeaxis.read_times_by_series`): the service's parser, its words.

Found: the service restated a series' refusal with ``str.replace("row 1", ...)``, which also
matched the ``row 1`` that ``row 12`` begins with; and it read every series before the one whose
bad ``ds`` the whole column had already stumbled on.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

import service.convert as convert
from tsforge.errors import DataValidationError

_parse_ds = convert._parse_ds


def _months(start: str, n: int, fmt: str) -> list[str]:
    return [d.strftime(fmt) for d in pd.date_range(start, periods=n, freq="MS")]


def _count_frame_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the per-series readings of more than one ``ds`` (one alone is a probe)."""
    sizes: list[int] = []

    def counted(ds_raw: list[Any], **kwargs: Any) -> np.ndarray:
        if len(ds_raw) > 1:
            sizes.append(len(ds_raw))
        return _parse_ds(ds_raw, **kwargs)

    monkeypatch.setattr(convert, "_parse_ds", counted)
    return sizes


@pytest.mark.parametrize("written", ["row 1", "row 12"])
def test_a_refused_ds_is_named_at_its_row_in_the_frame(written):
    """Series ``a``'s own refusal names its row 1 (frame row 12); a ``ds`` written ``row 1`` or
    ``row 12`` is quoted as sent, and the message names row 12."""
    b = _months("2015-01-01", 11, "%Y-%m-%d")
    a = ["2015Q1", written, "2015Q3"]
    ids = np.array(["b"] * len(b) + ["a"] * len(a))
    with pytest.raises(DataValidationError) as err:
        _parse_ds(b + a, field="dataframe_records", ids=ids)
    message = err.value.message
    assert err.value.where["row"] == 12 and err.value.where["unique_id"] == "a", err.value.where
    assert f"{written!r}" in message and message.endswith("for series 'a' at row 12"), message
    assert re.search(r"at row 1\b", message) is None, message


def test_a_bad_ds_is_refused_reading_its_series_first(monkeypatch):
    n = 12
    ds = [v for _ in range(30) for v in _months("2015-01-01", n, "%Y-%m-%d")]
    ds[-3] = "2015-13-01"
    ids = np.repeat([f"s{i:02d}" for i in range(30)], n)
    sizes = _count_frame_reads(monkeypatch)
    with pytest.raises(DataValidationError, match="'2015-13-01'") as err:
        _parse_ds(ds, field="dataframe_records", ids=ids)
    assert err.value.where["row"] == len(ds) - 3 and err.value.where["unique_id"] == "s29"
    assert sizes == [n]  # the refused series alone


def test_series_written_alike_are_read_in_one_call_each_way(monkeypatch):
    """Half the series write quarters ``2015Q1``, half dates: two readings (and the series of the
    row the column stumbled on), each series' ``ds`` as it reads alone."""
    quarters = [f"{p.year}Q{p.quarter}" for p in pd.period_range("2015Q1", periods=6, freq="Q")]
    dates = [str(p.start_time.date()) for p in pd.period_range("2015Q1", periods=6, freq="Q")]
    ways = [quarters, dates] * 10
    ds = [v for w in ways for v in w]
    ids = np.repeat([f"s{i:02d}" for i in range(len(ways))], 6)
    sizes = _count_frame_reads(monkeypatch)
    got = _parse_ds(ds, field="dataframe_records", ids=ids)
    assert len(sizes) <= 3 and sum(sizes) == len(ds), sizes
    for k, w in enumerate(ways):
        np.testing.assert_array_equal(got[6 * k : 6 * k + 6], _parse_ds(w, field="dataframe_records"))


def test_a_series_mixing_forms_names_the_frames_rows_of_both():
    """The reader's "read like '2021-W05' at row 0" counted within series 'b': said of the frame,
    that is row 2 (row 0 is series 'a''s), and the advice is per series, not per column."""
    ids = np.array(["a", "a", "b", "b", "b"], dtype=object)
    ds = ["2021-01-01", "2021-01-02", "2021-W05", "2021-W06", "05/01/2021"]
    with pytest.raises(DataValidationError) as err:
        _parse_ds(ds, field="dataframe_split", ids=ids)
    said = err.value.message
    assert "'2021-W05' (row 2)" in said and "'05/01/2021' (row 4)" in said, said
    assert "of the column" not in said and err.value.where["unique_id"] == "b", said
