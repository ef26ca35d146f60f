"""The command lists of ``tsforge --help`` and ``tsforge recommender --help``."""

import inspect

import pytest
import typer

from tests.conftest import run_cli as _cli


@pytest.mark.parametrize("group", [(), ("recommender",)])
def test_each_command_is_listed_with_its_whole_summary_on_one_line(group, capsys, monkeypatch):
    """Typer keeps a docstring's single line breaks in the list; ours joins the first paragraph."""
    import tsforge.cli  # noqa: F401  (registers the commands)
    from tsforge.cli.app import app
    from tsforge.cli.recommend import recommender_app

    monkeypatch.setenv("COLUMNS", "400")  # no wrapping by the terminal width
    code, out, _ = _cli(capsys, *group, "--help")
    assert code == 0
    commands = typer.main.get_group(recommender_app if group else app).commands
    assert len(commands) >= (1 if group else 10)
    for name, command in commands.items():
        if not command.help:  # a sub-group (recommender) lists its own help= text
            continue
        summary = " ".join(inspect.cleandoc(command.help).split("\n\n")[0].split())
        lines = [ln for ln in out.splitlines() if f" {name} " in ln]
        assert any(summary in ln for ln in lines), (name, summary, lines)
