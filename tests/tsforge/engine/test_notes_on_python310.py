"""Notes on a chunk's error work where exceptions have no ``add_note`` (Python 3.10, which
tsforge supports): the engine used to call ``exc.add_note`` and so raised ``AttributeError``
in place of the chunk's own error."""

from __future__ import annotations

import pickle
from concurrent.futures.process import BrokenProcessPool
from types import SimpleNamespace

import pytest

from tsforge.engine import LocalEngine, name_series
from tsforge.engine.ray_engine import _get


class _Without310AddNote:
    """Hides ``add_note`` as Python 3.10's exceptions lack it (3.11 added the method)."""

    def __getattribute__(self, name: str) -> object:
        if name == "add_note":
            raise AttributeError(f"{type(self).__name__!r} object has no attribute 'add_note'")
        return super().__getattribute__(name)


class Py310Error(_Without310AddNote, RuntimeError):
    """A RuntimeError as Python 3.10 has it."""


class Py310BrokenPool(_Without310AddNote, BrokenProcessPool):
    """A BrokenProcessPool as Python 3.10 has it."""


def test_the_stand_in_has_no_add_note_as_on_python310():
    assert not hasattr(Py310Error("x"), "add_note")


def test_add_note_keeps_earlier_notes_and_survives_pickling():
    from tsforge.errors import add_note  # here: the other tests must run against any version

    exc = Py310Error("boom")
    add_note(exc, "first")
    add_note(exc, "second")
    assert exc.__notes__ == ["first", "second"]
    assert pickle.loads(pickle.dumps(exc)).__notes__ == ["first", "second"]


def test_name_series_notes_the_series_on_an_exception_without_add_note():
    exc = Py310Error("numerical trouble")
    assert name_series(exc, "s07", "seasonal_naive") is exc
    assert exc.__notes__ == ["raised by seasonal_naive on series 's07'"]


def _raise_broken_pool(x: int) -> int:
    if x == 1:
        raise Py310BrokenPool("a worker died")
    return x


def test_a_broken_pool_without_add_note_keeps_its_type_and_gets_the_remedy():
    with pytest.raises(BrokenProcessPool, match="a worker died") as info:
        LocalEngine(2).map(_raise_broken_pool, range(3))
    notes = " ".join(getattr(info.value, "__notes__", []))
    assert "worker process died" in notes and "--n-jobs 1" in notes


class _RayTaskError(Exception):
    def __init__(self, cause: BaseException) -> None:
        super().__init__("task failed\nworker traceback")
        self.cause = cause


def test_a_ray_task_error_without_add_note_is_re_raised_as_its_cause_with_a_note():
    cause = Py310Error("bad series")

    def get(ref: object) -> object:
        raise _RayTaskError(cause)

    ray = SimpleNamespace(get=get, exceptions=SimpleNamespace(RayTaskError=_RayTaskError))
    with pytest.raises(Py310Error, match="bad series") as info:
        _get(ray, object())
    assert info.value is cause
    assert info.value.__notes__ == ["raised in a Ray worker:\ntask failed\nworker traceback"]
