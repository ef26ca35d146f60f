"""Every reference through one alias gets one answer (user walk, session 72, M3).

After ``champion`` moved to a version the service refused (a shorter horizon), ``m`` kept
version 1 but ``m@champion``, first asked for after the move, got the refused version 2: both
labelled ``champion``. The store remembered each reference text apart and checked none that it
met after the move.
"""

from __future__ import annotations

import pytest

from service.model_store import ModelStore
from tests.service.test_model_store import FakeClient, FakePredictor, ShortPredictor
from tsforge.errors import ModelNotFoundError


def _store(n: int, short: set[str]) -> tuple[ModelStore, FakeClient]:
    """A store over versions 1..n of ``m``; the versions in ``short`` serve a shorter horizon."""
    client = FakeClient("m", n)

    def loader(uri):
        return ShortPredictor(uri) if uri.rsplit("/", 1)[1] in short else FakePredictor(uri)

    return ModelStore(client=client, loader=loader), client


@pytest.mark.parametrize(("first", "later"), [("m", "m@champion"), ("m@champion", "m")])
def test_a_reference_first_asked_for_after_a_refused_move_gets_the_kept_version(first, later) -> None:
    store, client = _store(2, {"2"})
    client.aliases["champion"] = "1"
    assert store.get(first).version == "1"
    client.aliases["champion"] = "2"
    assert store.refresh() == {}  # refused: version 2 cannot serve horizon 2
    assert store.get(later).version == "1"
    assert store.alias_of(first) == store.alias_of(later) == "champion"
    (note,) = store.notes()  # one refusal, one sentence, under both names
    assert "m@champion moved to version 2" in note and "still serving version 1" in note
    assert set(store.refused()) == {first, later}
    assert not store.is_loaded("m", "2")


def test_references_through_one_alias_move_together() -> None:
    store, client = _store(3, {"2"})
    client.aliases["champion"] = "1"
    store.get("m")
    client.aliases["champion"] = "2"
    store.refresh()
    store.get("m@champion")
    client.aliases["champion"] = "3"  # one that can serve horizon 2: followed by both
    moved = {"old": "1", "new": "3"}
    assert store.refresh() == {"m": moved, "m@champion": moved}
    assert store.get("m").version == store.get("m@champion").version == "3"
    assert store.notes() == [] and store.refused() == {}


def test_an_alias_moved_back_to_the_kept_version_drops_the_refusal() -> None:
    """The note said the move was refused for as long as the service ran, although the alias
    pointed at the served version again."""
    store, client = _store(2, {"2"})
    client.aliases["champion"] = "1"
    store.get("m")
    client.aliases["champion"] = "2"
    store.refresh()
    assert store.notes()
    client.aliases["champion"] = "1"
    assert store.refresh() == {}  # nothing moved
    assert store.notes() == [] and store.refused() == {}
    assert store.get("m").version == "1"


def test_a_champion_first_set_on_a_refused_version_holds_for_both_references() -> None:
    """A bare name served by its newest version, then a champion set on one that cannot serve
    what it serves: ``m`` stays, and ``m@champion`` joins it rather than serve the refused one."""
    store, client = _store(1, {"2"})
    assert store.get("m").version == "1" and store.alias_of("m") is None
    client.n, client.aliases["champion"] = 2, "2"
    assert store.refresh() == {}
    assert store.get("m").version == store.get("m@champion").version == "1"
    assert store.alias_of("m") == "champion"
    (note,) = store.notes()
    assert "m@champion moved to version 2" in note


def test_a_deleted_champion_sends_a_bare_name_to_the_newest_version_and_forgets_the_alias() -> None:
    store, client = _store(3, set())
    client.aliases["champion"] = "1"
    store.get("m")
    store.get("m@champion")
    del client.aliases["champion"]
    assert store.refresh() == {"m": {"old": "1", "new": "3"}, "m@champion": {"old": "1", "new": None}}
    assert store.get("m").version == "3" and store.alias_of("m") is None
    with pytest.raises(ModelNotFoundError):
        store.get("m@champion")


def test_a_deleted_champion_after_a_refused_move_moves_the_bare_name_off_the_alias() -> None:
    """Review finding 3 (session 72): the "already refused" shortcut returned before the bare
    name left the deleted alias, so ``m`` kept naming ``champion`` and ``/readyz`` kept naming
    ``m@champion`` (a 404 by then) on every later refresh."""
    client = FakeClient("m", 2)
    loads: list[str] = []

    def loader(uri):
        loads.append(uri)
        return ShortPredictor(uri) if uri.endswith("/2") else FakePredictor(uri)

    store = ModelStore(client=client, loader=loader)
    client.aliases["champion"] = "1"
    store.get("m")
    store.get("m@champion")
    client.aliases["champion"] = "2"
    assert store.refresh() == {}  # refused: version 2 cannot serve horizon 2
    del client.aliases["champion"]  # the bare name now follows the newest version, 2: refused too
    assert store.refresh() == {"m@champion": {"old": "1", "new": None}}
    checks = loads.count("models:/m/2")
    for _ in range(2):  # it holds, and the refusal is not re-checked every poll
        assert store.alias_of("m") is None
        assert store.get("m").version == "1"
        (note,) = store.notes()
        assert note.startswith("m moved to version 2") and "m@champion" not in note
        assert set(store.refused()) == {"m"}
        assert store.refresh() == {}
    assert loads.count("models:/m/2") == checks
    with pytest.raises(ModelNotFoundError):
        store.get("m@champion")


def test_a_deleted_champion_whose_successor_fails_to_load_moves_the_bare_name_off_the_alias() -> None:
    """The failed-load path returned before the re-key too: ``m`` kept naming the deleted
    ``champion`` for as long as the newest version could not be loaded."""
    client = FakeClient("m", 2)
    broken = {"models:/m/2"}

    def loader(uri):
        if uri in broken:
            raise RuntimeError("broken artifact")
        return FakePredictor(uri)

    store = ModelStore(client=client, loader=loader)
    client.aliases["champion"] = "1"
    store.get("m")
    store.get("m@champion")
    del client.aliases["champion"]
    assert store.refresh() == {"m@champion": {"old": "1", "new": None}}
    assert store.alias_of("m") is None and store.get("m").version == "1"
    assert store.refresh() == {} and store.alias_of("m") is None
    broken.clear()  # the artifact is fixed: the next refresh follows the newest version
    assert store.refresh() == {"m": {"old": "1", "new": "2"}}
    assert store.get("m").version == "2" and store.alias_of("m") is None
