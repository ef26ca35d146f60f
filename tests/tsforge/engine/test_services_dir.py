"""``scripts/services.sh`` keeps its state where ``TSFORGE_SERVICES_DIR`` says: a relative folder
under the repository (as ``make test`` uses it), an absolute one as given — never a copy of the
absolute path re-rooted inside the checkout."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "services.sh"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_an_absolute_services_dir_is_used_as_given(tmp_path: Path):
    state = tmp_path / "svc"
    state.mkdir()
    (state / "env").write_text("export TSFORGE_PG_URL='postgresql://tsforge@127.0.0.1:5999'\n")
    stray_top = ROOT / tmp_path.parts[1]  # where the old script re-rooted it: <repo>/tmp/...
    existed = stray_top.exists()
    try:
        got = subprocess.run(
            ["bash", str(SCRIPT), "env"],
            env={"PATH": "/usr/bin:/bin", "TSFORGE_SERVICES_DIR": str(state)},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert "postgresql://tsforge@127.0.0.1:5999" in got.stdout  # read from the folder given
        assert not (ROOT / str(state).lstrip("/")).exists()  # nothing created inside the checkout
    finally:
        if not existed and stray_top.exists():  # clean up after the old behaviour
            shutil.rmtree(stray_top)
