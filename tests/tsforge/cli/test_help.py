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


def test_help_paragraphs_join_lines_and_drop_rest_quotes():
    from tsforge.cli.app import help_paragraphs

    doc = """Summary of the command
    on two lines.

    Writes ``unique_id, ds``
    and more.
    """
    assert help_paragraphs(doc) == [
        "Summary of the command on two lines.",
        "Writes `unique_id, ds` and more.",
    ]


@pytest.mark.parametrize("command", ["forecast", "cv", "serve", "recommend"])
def test_a_commands_help_page_prints_each_paragraph_whole(command, capsys, monkeypatch):
    """Each docstring paragraph reaches the terminal as one line (no source-width breaks, no ``)."""
    import tsforge.cli  # noqa: F401
    from tsforge.cli.app import app, help_paragraphs

    monkeypatch.setenv("COLUMNS", "400")
    code, out, _ = _cli(capsys, command, "--help")
    assert code == 0
    doc = typer.main.get_group(app).commands[command].callback.__doc__
    paragraphs = help_paragraphs(doc)
    assert len(paragraphs) >= 2
    for paragraph in paragraphs:
        assert any(paragraph in ln for ln in out.splitlines()), paragraph
    assert "``" not in out


def test_the_cli_starts_without_importing_pytorch_or_scipy():
    """``tsforge --help`` took 5-8 s, most of it importing PyTorch and SciPy through
    ``tsforge.data`` for commands that were never run: the package now imports them on first use;
    likewise LightGBM, which every ``tsforge forecast`` imported with the model registry."""
    import subprocess
    import sys

    def loaded(module: str, heavy: str) -> str:
        code = f"import sys, {module}; print(sorted({heavy} & {{m.split('.')[0] for m in sys.modules}}))"
        return subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()

    assert loaded("tsforge.cli", "{'torch', 'scipy'}") == "[]"
    # every model registers on import; only LightGBM needs lightgbm (2.4 s through scikit-learn)
    assert loaded("tsforge.models", "{'lightgbm', 'sklearn'}") == "[]"
