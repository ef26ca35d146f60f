"""Commands the demo (and ``train``) print are spelt as they run when pasted, and the demo's
one total comes at its end.

Why: ``make demo`` runs ``.venv/bin/tsforge`` without activating the virtual environment, and
step 2 printed ``next: tsforge recommend synthetic --train``: "command not found" in a fresh
clone. The demo also printed "Total 207 s" after its multichannel part, with the panel part
still to come.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tsforge.cli import core


def _script(folder: Path) -> Path:
    """An executable ``tsforge`` file in ``folder`` (what pip writes for the console script)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "tsforge"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    return script


def _started_as(monkeypatch, argv0: str, path: Path) -> None:
    """This process started as ``argv0`` with ``PATH`` holding ``path`` alone."""
    monkeypatch.setattr(sys, "argv", [argv0, "demo"])
    monkeypatch.setenv("PATH", str(path))


def test_a_program_off_path_is_named_by_the_path_it_was_started_by(tmp_path, monkeypatch):
    script = _script(tmp_path / "my venv" / "bin")  # a blank in the path: quoted for the shell
    _started_as(monkeypatch, str(script), tmp_path / "empty")
    assert shlex.split(core.tsforge_command()) == [str(script)]


def test_a_relative_start_stays_relative_and_another_tsforge_on_path_is_not_it(tmp_path, monkeypatch):
    """``make demo`` starts ``.venv/bin/tsforge`` from the clone's root, where the user pastes."""
    _script(tmp_path / ".venv" / "bin")
    other = _script(tmp_path / "elsewhere")  # some other install: pasting `tsforge` runs that one
    monkeypatch.chdir(tmp_path)
    _started_as(monkeypatch, ".venv/bin/tsforge", other.parent)
    assert core.tsforge_command() == ".venv/bin/tsforge"


def test_plain_tsforge_where_path_finds_the_program_running(tmp_path, monkeypatch):
    script = _script(tmp_path / "bin")
    _started_as(monkeypatch, str(script), script.parent)
    assert core.tsforge_command() == "tsforge"


def test_the_default_where_no_tsforge_program_runs(tmp_path, monkeypatch):
    _started_as(monkeypatch, str(tmp_path / "pytest"), tmp_path)
    assert core.tsforge_command() == "tsforge"
    assert core.tsforge_command(default=".venv/bin/tsforge") == ".venv/bin/tsforge"


def test_train_next_hint_names_the_program_off_path(tmp_path, monkeypatch, capsys):
    script = _script(tmp_path / "venv" / "bin")
    _started_as(monkeypatch, str(script), tmp_path / "empty")
    data = tmp_path / "sales.csv"
    data.write_text("ds,y\n")
    core.print_forecast_next("sales-model", str(data), {})
    (line,) = [x for x in capsys.readouterr().out.splitlines() if x.startswith("next: ")]
    assert shlex.split(line.removeprefix("next: "))[:3] == [str(script), "forecast", "--model"]


@pytest.mark.parametrize("clone", [True, False])
def test_next_steps_name_the_program_off_path(tracking_uri, tmp_path, monkeypatch, clone):
    """In a clone and as an installed package alike; an installed package's ``mlflow`` lies
    beside its ``tsforge``, off PATH too."""
    import tsforge.paths
    from tsforge.cli.demo import next_steps

    script = _script(tmp_path / "venv" / "bin")
    (script.parent / "mlflow").write_text("#!/bin/sh\n")
    _started_as(monkeypatch, str(script), tmp_path / "empty")
    if not clone:
        monkeypatch.setattr(tsforge.paths, "source_root", lambda *a, **k: None)
    commands = [shlex.split(line.split("→")[0].split("(")[0]) for line in next_steps("tsforge-demo", 24)]
    programs = {words[0] for words in commands if words[0] != "make"}
    assert programs == ({str(script)} if clone else {str(script), str(script.parent / "mlflow")})


def _fake_recommendation() -> Any:
    """What ``recommend`` returns, as far as the demo and ``render_recommendation`` read it."""
    best = SimpleNamespace(
        name="cyclenet", model="cyclenet", strategy=None, train_kwargs={"model": "cyclenet"}
    )
    top = [SimpleNamespace(rank=1, name="cyclenet", expected_relative_error=1.0, recommended=True)]
    return SimpleNamespace(
        dataset="synthetic", input_len=168, horizon=24, top=top, ranking=[best], best=best, rule="",
        explanation="fits", reasons=[], avoid=[], notes={}, recommender={"tier": "full"},
        properties={"n_windows_profiled": 256}, timings={"total_seconds": 1.0},
    )  # fmt: skip


def _fake_training(dataset: str, **kwargs: Any) -> Any:
    metrics = {"val_mse": 1.0, "test_mse": 1.0, "test_mae": 1.0, "test_mase": 1.0, "train_seconds": 0.0}
    return SimpleNamespace(run_id=None, metrics=metrics, version="1", champion_version="1")


def _fake_panel_part(console: Any, **kwargs: Any) -> dict[str, Any]:
    console.print("PANEL PART RAN")
    return {"rows": [], "best": "nlinear", "seconds": 4.0}


#: what the demo imports when it runs, besides the modules faked below
_IMPORTED_BY_THE_DEMO = (
    "tsforge.cli.recommend",
    "tsforge.cli.tables",
    "tsforge.tracking.store",
    "tsforge.paths",
)


def test_the_demo_prints_pasteable_hints_and_its_total_at_the_end(tmp_path, monkeypatch, capsys):
    """The whole multichannel part with its heavy steps replaced (profiling, ranking, training,
    MLflow) and the panel part faked: what the demo itself prints, in order."""
    from importlib import import_module

    from tsforge.cli.app import console

    series = SimpleNamespace(name="synthetic", n_channels=8, n_steps=2000, freq="h", missing_share=0.0)
    fakes = {  # modules by name: `tsforge.data.load` as an attribute is the function, not the module
        ("tsforge.tracking", "configure_tracking"): lambda *a, **k: "sqlite:///fake.db",
        ("tsforge.data.load", "load"): lambda *a, **k: SimpleNamespace(series=series, entry=None),
        ("tsforge.data.protocol", "default_lengths"): lambda *a, **k: (168, 24),
        ("recommender.api", "recommendation_profile"): lambda *a, **k: SimpleNamespace(summary={}),
        ("recommender.properties.profile", "log_profile_to_mlflow"): lambda *a, **k: None,
        ("tsforge.cli.profile", "render_summary"): lambda *a, **k: [],
        ("recommender.api", "recommend"): lambda *a, **k: _fake_recommendation(),
        ("tsforge.pipeline", "train"): _fake_training,
        ("tsforge.pipeline", "register_outcome"): lambda *a, **k: None,
        ("tsforge.cli.demo", "run_panel_demo"): _fake_panel_part,
    }
    # every module first, then the fakes: a module first imported while a fake is in place keeps
    # it (`from tsforge.data.load import load`) for the tests that run after this one
    modules = {name: import_module(name) for name in (*(m for m, _ in fakes), *_IMPORTED_BY_THE_DEMO)}
    for (module, name), fake in fakes.items():
        monkeypatch.setattr(modules[module], name, fake)
    _script(tmp_path / ".venv" / "bin")
    monkeypatch.chdir(tmp_path)
    _started_as(monkeypatch, ".venv/bin/tsforge", tmp_path / "empty")  # a fresh clone: venv not activated
    capsys.readouterr()
    import_module("tsforge.cli.demo").run_demo(console=console)
    said = " ".join(capsys.readouterr().out.split())
    assert "256 windows profiled" in said  # step 2's recommendation was printed
    hints = [part.split("next: ", 1)[1] for part in said.split("; ") if "next: " in part]
    assert all(hint.startswith(".venv/bin/tsforge ") for hint in hints), hints
    assert "tsforge recommend synthetic --train" not in said
    panel_at = said.index("PANEL PART RAN")
    assert "Total" not in said[:panel_at]  # no total before the panel part has run
    assert "Multichannel part:" in said[:panel_at]
    assert "(multichannel part " in said[panel_at:] and "panel part 4 s)" in said[panel_at:]
    assert said.index("Demo done in") < said.index("Next")
