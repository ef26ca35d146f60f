"""Fixtures of the integration tests: the services ``make test`` starts (scripts/services.sh).

Each fixture reads the address of one service from the environment and skips, naming the
variable, when it is absent — so ``pytest tests/`` without services still runs every unit test,
while ``make test`` (and so CI) always sets them and these tests run.
"""

from __future__ import annotations

import os
import uuid

import pytest

pytestmark = pytest.mark.integration

SERVICES = "start them with `bash scripts/services.sh up pg ray mlflow` and `. .services/env`"


def _env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        pytest.skip(f"{name} is not set: no such service for this integration test ({SERVICES})")
    return value


@pytest.fixture(scope="session")
def ray_address() -> str:
    """``host:port`` of the Ray cluster (head + one worker node); this process joins it once."""
    address = _env("TSFORGE_RAY_ADDRESS")
    from tsforge.engine import RayEngine

    RayEngine(address).connect()
    return address


@pytest.fixture(scope="session")
def pg_url() -> str:
    """``postgresql://user@127.0.0.1:port`` of the PostgreSQL server (no database part)."""
    return _env("TSFORGE_PG_URL").rstrip("/")


@pytest.fixture(scope="session")
def mlflow_server() -> str:
    """``http://127.0.0.1:port`` of the MLflow server (PostgreSQL backend store)."""
    return _env("TSFORGE_MLFLOW_URI")


@pytest.fixture
def fresh_database(pg_url):
    """A new, empty database for one test (dropped afterwards); yields its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{pg_url}/{name}"
    with psycopg.connect(f"{pg_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
