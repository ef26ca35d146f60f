"""``reads_data``: the reader options (``--id-col`` … ``--coords``) declared once for every command
that reads data, at the place of the command's ``load_kwargs`` parameter."""

from typing import Annotated, Any

import pytest
import typer
from typer.testing import CliRunner

from tsforge.cli.data_options import reader_options, reads_data

READER_FLAGS = [
    "--id-col",
    "--time-col",
    "--time-format",
    "--target-col",
    "--freq",
    "--fill-gaps",
    "--value-cols",
    "--coords",
]
DATA_COMMANDS = ["train", "evaluate", "tune", "recommend", "profile", "cv"]


def _probe_app(*, coords: bool = True) -> tuple[typer.Typer, list[dict[str, Any]]]:
    """A one-command app whose command records what it received."""
    received: list[dict[str, Any]] = []
    app = typer.Typer(add_completion=False)

    @app.command()
    @reads_data(coords=coords)
    def probe(
        before: Annotated[int, typer.Option("--before")] = 1,
        *,
        load_kwargs: dict[str, Any],
        after: Annotated[str, typer.Option("--after")] = "a",
    ) -> None:
        received.append({"before": before, "load_kwargs": load_kwargs, "after": after})

    return app, received


def _flags_in_order(command: Any) -> list[str]:
    return [param.opts[0] for param in command.params]


def test_the_reader_options_take_the_place_of_load_kwargs_and_arrive_as_reader_options():
    app, received = _probe_app()
    args = ["--before", "2", "--id-col", "store", "--fill-gaps", "--coords", "c.csv", "--after", "z"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert received == [
        {"before": 2, "load_kwargs": reader_options("store", None, "y", None, True, "c.csv"), "after": "z"}
    ]
    assert _flags_in_order(typer.main.get_command(app)) == ["--before", *READER_FLAGS, "--after"]


def test_without_coords_the_command_has_no_coords_option():
    app, received = _probe_app(coords=False)
    assert "--coords" not in _flags_in_order(typer.main.get_command(app))
    assert CliRunner().invoke(app, ["--coords", "c.csv"]).exit_code != 0
    assert CliRunner().invoke(app, ["--value-cols", "a,b"]).exit_code == 0
    assert received[-1]["load_kwargs"] == reader_options("unique_id", None, "y", value_cols="a,b")
    assert "coords" not in received[-1]["load_kwargs"]


def test_a_command_without_load_kwargs_is_refused_when_decorated():
    with pytest.raises(ValueError):
        reads_data()(lambda x=1: x)


@pytest.mark.parametrize("name", DATA_COMMANDS)
def test_every_command_that_reads_data_offers_the_reader_options_alike(name):
    """Guard: each data command lists the reader options together, with one help and default each."""
    import tsforge.cli  # noqa: F401  (registers the commands)
    from tsforge.cli.app import app

    command = typer.main.get_group(app).commands[name]
    reference = typer.main.get_group(app).commands["train"]
    expected = READER_FLAGS if name not in ("profile", "cv") else READER_FLAGS[:-1]
    flags = _flags_in_order(command)
    start = flags.index("--id-col")
    assert flags[start : start + len(expected)] == expected
    by_flag = {p.opts[0]: p for p in reference.params}
    for param in command.params:
        if param.opts[0] in expected:
            twin = by_flag[param.opts[0]]
            assert (param.help, param.default, param.is_flag) == (twin.help, twin.default, twin.is_flag)
