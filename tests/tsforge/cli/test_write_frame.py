"""``write_frame``: the one rule by which ``forecast --output`` and ``cv --output`` write a table."""

import pandas as pd
import pytest

from tsforge.cli.output_paths import write_frame


@pytest.mark.parametrize(("name", "read"), [("out.parquet", pd.read_parquet), ("out.csv", pd.read_csv)])
def test_a_parquet_name_gets_parquet_and_any_other_csv_without_the_index(tmp_path, name, read):
    frame = pd.DataFrame({"unique_id": ["a", "b"], "y_hat": [1.5, 2.0]}, index=[7, 9])
    write_frame(frame, tmp_path / name)
    back = read(tmp_path / name)
    assert list(back.columns) == ["unique_id", "y_hat"]  # no index column written
    pd.testing.assert_frame_equal(back, frame.reset_index(drop=True))


def test_a_name_without_the_parquet_suffix_is_csv_text(tmp_path):
    write_frame(pd.DataFrame({"y": [1]}), tmp_path / "out.txt")
    assert (tmp_path / "out.txt").read_text().splitlines() == ["y", "1"]
