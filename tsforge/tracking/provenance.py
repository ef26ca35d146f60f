"""Which code and which command produced a run: tags every tracked run carries.

Why: a reviewer comparing two runs in the MLflow UI could not tell whether they came from the
same code (no version, no commit anywhere) nor what was asked on the command line (only a
registered version carried its command; tuning trials, failed and unregistered runs did not),
so a default could not be told from a choice. :func:`provenance_tags` answers both, once per
process (the git lookup runs two quick ``git`` commands, never per run).

No MLflow import: :func:`tsforge.tracking.runs.tracked_run` adds these to its start tags.
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

__all__ = [
    "CODE_VERSION_TAG",
    "COMMAND_TAG",
    "GIT_COMMIT_TAG",
    "code_version_tags",
    "git_state",
    "provenance_tags",
]

#: ``<package version>`` or ``<package version>+g<commit>[.dirty]`` from a git checkout.
CODE_VERSION_TAG = "tsforge.code_version"
#: The command line that opened the run (``tsforge train ...`` or ``python ...``).
COMMAND_TAG = "tsforge.command"
#: MLflow's own tag for the commit: the UI shows it with the run's source.
GIT_COMMIT_TAG = "mlflow.source.git.commit"

#: Longest command kept (MLflow refuses tag values above 8,000 characters).
MAX_COMMAND_CHARS = 5000

_GIT_TIMEOUT_S = 5.0


def _package_version() -> str:
    try:
        return metadata.version("tsforge")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _git(root: Path, *args: str) -> str | None:
    """``git -C root args`` stdout, or ``None`` when git is missing, slow or says no."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_state(root: Path) -> tuple[str, bool] | None:
    """``(commit, dirty)`` of the git checkout at ``root``, or ``None`` when ``root`` is not one
    (an installed package) or git cannot answer. ``dirty``: tracked files differ from the commit,
    so the commit alone does not say which code ran."""
    if not (root / ".git").exists():
        return None
    head = _git(root, "rev-parse", "HEAD")
    if not head or not head.strip():
        return None
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    return head.strip(), bool(status and status.strip())


@functools.lru_cache(maxsize=1)
def code_version_tags() -> dict[str, str]:
    """The code version tags of this process: ``tsforge.code_version`` and, from a git checkout
    of tsforge, MLflow's ``mlflow.source.git.commit``."""
    version = _package_version()
    state = git_state(Path(__file__).resolve().parents[2])
    if state is None:
        return {CODE_VERSION_TAG: version}
    commit, dirty = state
    return {
        CODE_VERSION_TAG: f"{version}+g{commit[:12]}{'.dirty' if dirty else ''}",
        GIT_COMMIT_TAG: commit,
    }


def provenance_tags(argv: Sequence[str] | None = None) -> dict[str, str]:
    """Code version tags and the command (``argv``, default ``sys.argv``) as a run's tags."""
    from tsforge.tracking.trained_model import training_command

    return {**code_version_tags(), COMMAND_TAG: training_command(argv)[:MAX_COMMAND_CHARS]}
