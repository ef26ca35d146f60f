"""Which code and which command produced a run or a registered version.

A reviewer in the MLflow UI found no code version on any run or version, and the command line
only on registered versions: a tuning trial, a failed run or an unregistered run did not say
what was asked, so a default could not be told from a choice.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import mlflow
import pytest

from tsforge.tracking.provenance import (
    CODE_VERSION_TAG,
    COMMAND_TAG,
    GIT_COMMIT_TAG,
    code_version_tags,
    git_state,
)
from tsforge.tracking.runs import tracked_run

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(root, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True)
    return done.stdout.strip()


@needs_git
def test_git_state_names_the_commit_and_whether_tracked_files_changed(tmp_path):
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.py").write_text("x = 1\n")
    _git(tmp_path, "add", "a.py")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one")
    head = _git(tmp_path, "rev-parse", "HEAD")
    (tmp_path / "notes.txt").write_text("untracked files do not change the code that ran\n")
    assert git_state(tmp_path) == (head, False)
    (tmp_path / "a.py").write_text("x = 2\n")
    assert git_state(tmp_path) == (head, True)


def test_git_state_of_a_folder_that_is_no_checkout_is_none(tmp_path):
    assert git_state(tmp_path) is None


def test_every_tracked_run_names_its_code_version_and_command(tracking_uri, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/opt/venv/bin/tsforge", "train", "my file.csv", "--epochs", "2"])
    with tracked_run(experiment="exp", run_name="r"):
        pass
    with tracked_run(experiment="exp", run_name="parent") as parent:
        with tracked_run(run_name="child", nested=True) as child:
            pass
    client = mlflow.MlflowClient()
    for run_id in (parent.run_id, child.run_id):
        tags = client.get_run(run_id).data.tags
        assert tags[COMMAND_TAG] == "tsforge train 'my file.csv' --epochs 2"
        assert tags[CODE_VERSION_TAG] == code_version_tags()[CODE_VERSION_TAG]
        assert tags[CODE_VERSION_TAG]  # never empty: at least the package version
        if GIT_COMMIT_TAG in code_version_tags():
            assert tags[GIT_COMMIT_TAG] == code_version_tags()[GIT_COMMIT_TAG]


def test_a_failed_run_still_says_what_was_asked(tracking_uri, monkeypatch):
    """The registered version had the command; a run that failed before registering had none."""
    monkeypatch.setattr(sys, "argv", ["tsforge", "train", "data.csv", "--lr", "1e30"])
    with pytest.raises(RuntimeError), tracked_run(experiment="exp", run_name="r") as run:
        raise RuntimeError("diverged")
    got = mlflow.MlflowClient().get_run(run.run_id)
    assert got.info.status == "FAILED"
    assert got.data.tags[COMMAND_TAG] == "tsforge train data.csv --lr 1e30"


def test_a_caller_tag_wins_over_the_default_command(tracking_uri):
    with tracked_run(experiment="exp", run_name="r", tags={COMMAND_TAG: "tsforge demo"}) as run:
        pass
    assert mlflow.MlflowClient().get_run(run.run_id).data.tags[COMMAND_TAG] == "tsforge demo"
