"""Choosing the engine: argument → current engine (``using``) → ``TSFORGE_ENGINE`` → local."""

from __future__ import annotations

import os

import pytest

from tsforge.engine import ENGINE_ENV, RAY_ADDRESS_ENV, LocalEngine, RayEngine, get_engine, using
from tsforge.errors import ConfigError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    monkeypatch.delenv(ENGINE_ENV, raising=False)
    monkeypatch.delenv(RAY_ADDRESS_ENV, raising=False)


def test_default_is_local_with_the_requested_workers():
    eng = get_engine(n_jobs=3)
    assert isinstance(eng, LocalEngine) and eng.workers == 3 and eng.describe() == "local x3"
    assert get_engine().describe() == "local"
    assert get_engine(n_jobs=-1).workers == (os.cpu_count() or 1)


def test_environment_selects_ray_and_its_address_without_connecting(monkeypatch):
    monkeypatch.setenv(ENGINE_ENV, " Ray ")
    monkeypatch.setenv(RAY_ADDRESS_ENV, "10.1.2.3:6379")
    eng = get_engine(n_jobs=2)
    assert isinstance(eng, RayEngine)
    assert eng.address == "10.1.2.3:6379" and eng.describe() == "ray 10.1.2.3:6379"
    assert get_engine("ray", address="head:6379").address == "head:6379"  # the option beats the variable
    monkeypatch.delenv(RAY_ADDRESS_ENV)
    assert get_engine("ray", n_jobs=2).describe() == "ray local x2"  # no address: a local instance


def test_an_explicit_name_beats_the_environment(monkeypatch):
    monkeypatch.setenv(ENGINE_ENV, "ray")
    assert isinstance(get_engine("local"), LocalEngine)


@pytest.mark.parametrize(
    ("kwargs", "env", "field", "text"),
    [
        ({"engine": "spark"}, None, "engine", "unknown engine 'spark'; choose one of local, ray"),
        ({}, "dask", ENGINE_ENV, "unknown engine 'dask'"),
        ({"n_jobs": 0}, None, "n_jobs", "n_jobs must be >= 1"),
        ({"engine": "local", "address": "head:6379"}, None, "ray_address", "needs the ray engine"),
    ],
)
def test_bad_choices_name_the_value_to_change(monkeypatch, kwargs, env, field, text):
    if env:
        monkeypatch.setenv(ENGINE_ENV, env)
    with pytest.raises(ConfigError, match=text) as info:
        get_engine(**kwargs)
    assert info.value.where["field"] == field


def test_using_makes_an_engine_current_for_the_block_only(monkeypatch):
    monkeypatch.setenv(ENGINE_ENV, "ray")
    chosen = LocalEngine(2)
    with using(chosen):
        assert get_engine() is chosen
        assert get_engine(n_jobs=5) is chosen  # the front end's choice wins over library defaults
        assert isinstance(get_engine("local"), LocalEngine) and get_engine("local") is not chosen
    assert isinstance(get_engine(), RayEngine)


def test_an_engine_object_is_returned_as_is():
    eng = LocalEngine(2)
    assert get_engine(eng, n_jobs=7) is eng
