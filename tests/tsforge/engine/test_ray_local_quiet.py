"""``--engine ray`` without a cluster address: the local instance tsforge starts says nothing of
Ray's own default token authentication, and ``profile`` draws its bar once Ray is up.

Ray 2.60 logged ``WARNING authentication_token_setup.py:85 -- Token authentication is enabled
for this Ray cluster. Set RAY_AUTH_MODE=disabled to opt out …`` on every such run, and
``tsforge profile`` drew ``profiling: 0series [00:00, ?series/s]`` before Ray had started.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys

from tests.conftest import random_walks_csv
from tsforge.engine.ray_engine import _TOKEN_SETUP_LOGGER, _default_token_notice_dropped

NOTICE = (
    "Token authentication is enabled for this Ray cluster. Set RAY_AUTH_MODE=disabled to opt out. "
    "For more information, see https://docs.ray.io/en/latest/ray-security/token-auth.html"
)


def test_only_the_default_token_notice_is_dropped_and_only_while_the_instance_starts(caplog):
    logger = logging.getLogger(_TOKEN_SETUP_LOGGER)
    with caplog.at_level(logging.WARNING, logger=_TOKEN_SETUP_LOGGER):
        with _default_token_notice_dropped():
            logger.warning(NOTICE)
            logger.warning("Token authentication is disabled for this Ray cluster. Anyone with …")
        logger.warning(NOTICE)  # e.g. a cluster the user starts: Ray's words are kept
    said = [r.getMessage() for r in caplog.records]
    assert said == ["Token authentication is disabled for this Ray cluster. Anyone with …", NOTICE]


def test_a_profile_on_a_local_ray_instance_has_no_token_notice_and_its_bar_follows_the_start(tmp_path):
    """A real local Ray instance, in a process of its own (as a user runs it)."""
    path = random_walks_csv(tmp_path / "p.csv", 5, 40, freq="MS", start="2020-01-01", level=50.0, seed=1)
    env = {k: v for k, v in os.environ.items() if k not in ("RAY_AUTH_MODE", "RAY_ADDRESS", "TSFORGE_ENGINE")}
    env |= {"TSFORGE_CACHE_DIR": str(tmp_path / "cache"), "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path}/m.db"}
    command = [sys.executable, "-m", "tsforge", "profile", path, "--per-series", "--engine", "ray"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    err = done.stderr
    assert done.returncode == 0, err
    assert "Token authentication is enabled" not in err, err
    started = err.index("ray local x1 started in")
    assert "profiling" not in err[:started], err
    assert "0/5" in err[started:] and "5/5" in err[started:], err
