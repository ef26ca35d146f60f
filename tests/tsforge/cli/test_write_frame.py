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


@pytest.mark.parametrize("name", ["out.csv", "out.parquet"])
def test_a_write_stopped_half_way_leaves_the_previous_file_whole_and_no_partial_file(
    tmp_path, monkeypatch, name
):
    """Ctrl-C (or a full disk) while the table is being written must not leave a truncated
    table at the ``--output`` path: a later step would read it as the whole answer."""
    path = tmp_path / name
    before = pd.DataFrame({"unique_id": ["old"], "y_hat": [0.5]})
    write_frame(before, path)
    previous = path.read_bytes()
    method = "to_parquet" if name.endswith(".parquet") else "to_csv"

    def half_then_ctrl_c(self, target, *args, **kwargs):
        with open(target, "w") as handle:
            handle.write("unique_id,y_hat\na,")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, method, half_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        write_frame(pd.DataFrame({"unique_id": ["a", "b"], "y_hat": [1.0, 2.0]}), path)
    assert path.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_device_or_pipe_is_written_into_not_replaced(tmp_path):
    """``-o /dev/null`` renamed the table over the device: run as root, /dev/null became a
    regular file, and every later ``> /dev/null`` of another user failed (PostgreSQL's initdb
    did). A named pipe stands in for the device here: it must stay a pipe and get the table."""
    import os
    import stat

    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader first: the write does not block
    try:
        write_frame(pd.DataFrame({"y": [1, 2]}), fifo)
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)
        assert os.read(reader, 1000).decode() == "y\n1\n2\n"
    finally:
        os.close(reader)
