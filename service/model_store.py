"""Registered models, resolved and loaded once, cached, and swapped atomically when an alias moves.

Why a store: loading a model from the MLflow registry costs tens to hundreds of milliseconds
(registry look-ups, artifact download, ``torch.load``); a forecast must cost about one forward
pass. So the store resolves a reference to a concrete ``(name, version)``, loads that version's
:class:`tsforge.inference.Predictor` once, and serves every later request from memory.

References: ``name`` (→ its ``champion`` version when that alias is set, else the newest
version), ``name@alias``, ``name/version``; an optional ``models:/`` prefix is accepted. They are
resolved by :func:`tsforge.tracking.registry.resolve_version`, the same function the CLI uses,
so ``tsforge forecast --model NAME`` and the service always pick the same version (only the
``default_alias`` setting, ``champion`` by default, can change what a bare name goes through).
A version is immutable, so a ``name/version`` reference never needs the registry again once
loaded. ``name`` and ``name@alias`` are *moving* references: the store remembers which alias
each one resolved through (``name`` goes through ``champion`` when it is set) and what that alias
serves, once per alias, so every reference through one alias gets one answer: ``m`` and
``m@champion`` cannot serve two versions, nor a reference first asked for after a refused move
the version that was refused.

**Alias moves are picked up by a background poll** (every ``poll_seconds``, default 5 s; see
:meth:`ModelStore.start_polling`) **and on demand** by :meth:`ModelStore.refresh` (the service's
``POST /v1/admin/reload``). A refresh loads the new version *before* it swaps the pointer (one
dict assignment, atomic under the GIL), so a request never waits for a load it did not ask for.
Requests in flight hold their own reference to the old :class:`LoadedModel` and finish with it;
nothing is torn down under them. Old versions leave the cache oldest-loaded first.

**A move is checked before the swap**: the new version must serve what the current one serves
(:func:`tsforge.tracking.contract.serving_problems`: horizon ≥, input length ≤, same frequency,
the same known series). Otherwise the store keeps serving the current version, logs a warning
and reports the refusal in :meth:`ModelStore.notes` (``/readyz``) until the alias moves to a
version that can, or back; the registry's own safe promotion makes this rare, but an alias moved
by hand in the UI gets the same protection.

No FastAPI imports here: the store is plain Python, testable without HTTP and reusable from
the CLI. MLflow is touched only through ``tsforge.tracking`` (and the client it returns).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from service.errors import ServiceUnavailableError
from tsforge.errors import ConfigError, ModelNotFoundError
from tsforge.tracking.contract import ServingContract, serving_problems
from tsforge.tracking.references import CHAMPION, ModelRef, ResolvedModel, parse_model_ref
from tsforge.tracking.registry import list_registered, registry_client, resolve_version

__all__ = ["ModelRef", "LoadedModel", "ModelStore", "parse_model_ref", "PredictorLike"]

log = logging.getLogger(__name__)

#: What a moving reference resolves through: ``(name, alias)``; the alias is ``None`` for a bare
#: name whose ``default_alias`` is not set (it follows the newest version).
AliasKey = tuple[str, str | None]


class PredictorLike(Protocol):
    """What the service needs from a model (``tsforge.inference.Predictor`` satisfies it)."""

    @property
    def input_len(self) -> int: ...

    @property
    def max_horizon(self) -> int: ...

    def predict_series(
        self, series: Any, horizon: int | None = None, *, level: Any = None, quantiles: Any = None
    ) -> Any: ...

    def interval_shortfall(
        self, level: Any = None, quantiles: Any = None, horizon: int | None = None
    ) -> str | None: ...


@dataclass(frozen=True)
class LoadedModel:
    """One loaded model version. Immutable: a swap replaces the object, never mutates it."""

    name: str
    version: str
    predictor: PredictorLike
    run_id: str | None = None
    loaded_at: float = field(default_factory=time.time)

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.version)


def _alias_text(key: AliasKey) -> str:
    """``name@alias``, or ``name`` for a bare name that follows the newest version."""
    name, alias = key
    return name if alias is None else f"{name}@{alias}"


def _default_loader(model_uri: str) -> PredictorLike:
    from tsforge.tracking import load_predictor

    return load_predictor(model_uri)


class ModelStore:
    """Resolves model references against the MLflow registry and caches loaded predictors.

    Args:
        tracking_uri: MLflow tracking/registry URI (``None`` → ``tsforge.tracking`` default).
        default_model: reference used when a request names no model.
        default_alias: alias a bare model name resolves through when set (else its newest version).
        max_cached_versions: loaded versions kept in memory; the oldest-loaded one that no
            moving reference points at is evicted first.
        loader: ``model_uri -> Predictor`` (default ``tsforge.tracking.load_predictor``).
        client: an ``MlflowClient``-like object (tests may pass a fake).
    """

    def __init__(
        self,
        tracking_uri: str | None = None,
        *,
        default_model: str | None = None,
        default_alias: str = CHAMPION,
        max_cached_versions: int = 8,
        loader: Callable[[str], PredictorLike] | None = None,
        client: Any | None = None,
    ) -> None:
        self.default_model = default_model
        self.default_alias = default_alias
        self.max_cached_versions = max(1, int(max_cached_versions))
        self._loader = loader or _default_loader
        if client is None:
            client, tracking_uri = registry_client(tracking_uri)
        self.tracking_uri = tracking_uri
        self._client = client
        self._lock = threading.RLock()  # guards the dicts below (reads of single keys need no lock)
        self._via: dict[ModelRef, AliasKey] = {}  # moving ref -> the alias it resolved through
        self._moving: dict[AliasKey, tuple[str, str]] = {}  # alias -> (name, version) it serves here
        self._loaded: OrderedDict[tuple[str, str], LoadedModel] = OrderedDict()
        self._load_locks: dict[tuple[str, str], threading.Lock] = {}
        self._refused: dict[AliasKey, dict[str, str]] = {}  # alias -> refused version, kept one, why
        self._refresh_lock = threading.Lock()  # the poller and /v1/admin/reload: one refresh at a time
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self.last_refresh: float | None = None

    # -- resolution ------------------------------------------------------------------------
    def _resolve_remote(self, ref: ModelRef) -> ResolvedModel:
        """Ask the registry which version ``ref`` names now (and through which alias)."""
        return resolve_version(ref, self._client, default_alias=self.default_alias)

    def resolve(self, ref: str | ModelRef | None) -> tuple[ModelRef, tuple[str, str]]:
        """Reference → ``(parsed ref, (name, version))``; moving refs get what their alias serves.

        A moving reference new to the store asks the registry which alias it goes through, then
        joins what this store already serves under that alias, when it serves it: after a
        refused move, ``m@champion`` asked for the first time gets the version ``m`` is kept on,
        not the one refused (it got the refused one, labelled ``champion`` as well).
        """
        parsed = self._parse(ref)
        if parsed.version is not None:
            return parsed, (parsed.name, parsed.version)
        hit = self._served(parsed)
        if hit is not None:
            return parsed, hit
        resolved = self._resolve_remote(parsed)
        key = (resolved.name, resolved.alias)
        with self._lock:
            served = self._moving.setdefault(key, (resolved.name, resolved.version))
            self._via[parsed] = key
            return parsed, served

    def _served(self, parsed: ModelRef) -> tuple[str, str] | None:
        """What a moving reference this store has resolved serves now (``None``: not resolved)."""
        key = self._via.get(parsed)
        return None if key is None else self._moving.get(key)

    def _refs_of(self, key: AliasKey) -> list[ModelRef]:
        """The moving references that go through ``key``."""
        with self._lock:
            return [ref for ref, via in self._via.items() if via == key]

    def alias_of(self, ref: str | ModelRef | None) -> str | None:
        """The alias a reference resolves through (``name`` → ``default_alias`` when it exists)."""
        parsed = self._parse(ref)
        if parsed.alias is not None:
            return parsed.alias
        if parsed.version is None:
            key = self._via.get(parsed)
            return None if key is None else key[1]
        return None

    def _parse(self, ref: str | ModelRef | None) -> ModelRef:
        if isinstance(ref, ModelRef):
            return ref
        if ref is None:  # a blank string names nothing: refused below, never the default
            if not self.default_model:
                raise ModelNotFoundError(
                    "no model given and the service has no default model; pass 'model'", field="model"
                )
            try:
                return parse_model_ref(self.default_model)
            except ConfigError as exc:  # the server's setting, not the request: 503, not 422
                raise ServiceUnavailableError(
                    f"the service's default model (TSFORGE_MODEL) is malformed: {exc.message}; pass 'model' "
                    "or fix the setting"
                ) from None
        return parse_model_ref(ref)

    # -- loading ---------------------------------------------------------------------------
    def peek(self, ref: str | ModelRef | None = None) -> LoadedModel | None:
        """The loaded model ``ref`` points at, if that needs no registry call and no load; else
        ``None`` (never raises: a malformed or unknown reference is :meth:`get`'s to report)."""
        try:
            parsed = self._parse(ref)
        except (ModelNotFoundError, ConfigError, ServiceUnavailableError):  # none, or a malformed one
            return None
        key = (parsed.name, parsed.version) if parsed.version is not None else self._served(parsed)
        return None if key is None else self._loaded.get(key)

    def get(self, ref: str | ModelRef | None = None) -> LoadedModel:
        """The loaded model a reference points at now (loads it on first use); ``None``: the
        service's default model, whose absence from the registry is a 503 (:meth:`_get_default`)."""
        if ref is None and self.default_model:
            return self._get_default()
        return self._get(ref)

    def _get_default(self) -> LoadedModel:
        """The default model, or ``ServiceUnavailableError`` (503) when the registry has no such
        model, alias or version.

        Why not the 404 a request's own ``model`` gets: the request named nothing, so "no
        registered model named 'nope'" (``field: model``) blamed a field the client had not sent
        for the server's setting; like a malformed TSFORGE_MODEL (a 503 already) and ``/readyz``
        (503 until the model is registered), it is the service that cannot answer yet.
        """
        try:
            return self._get(None)
        except ModelNotFoundError as exc:
            raise ServiceUnavailableError(
                f"the service's default model (TSFORGE_MODEL) {self.default_model!r} is not in the "
                f"registry: {exc.message}; pass 'model', or register it (or fix the setting)"
            ) from None

    def _get(self, ref: str | ModelRef | None) -> LoadedModel:
        parsed, key = self.resolve(ref)
        loaded = self._loaded.get(key)
        if loaded is not None:
            return loaded
        if parsed.version is not None:
            # An explicit version: confirm it exists before loading (clean 404 for typos).
            run_id = self._resolve_remote(parsed).run_id
        else:
            run_id = None
        return self._load(key, run_id)

    def _load(self, key: tuple[str, str], run_id: str | None = None) -> LoadedModel:
        with self._lock:
            lock = self._load_locks.setdefault(key, threading.Lock())
        with lock:  # one load per version even under concurrent first requests
            loaded = self._loaded.get(key)
            if loaded is not None:
                return loaded
            name, version = key
            t0 = time.perf_counter()
            predictor = self._loader(f"models:/{name}/{version}")
            if run_id is None:
                run_id = self._run_id(name, version)
            loaded = LoadedModel(name=name, version=version, predictor=predictor, run_id=run_id)
            with self._lock:
                self._loaded[key] = loaded
                self._evict()
            log.info("loaded model %s/%s in %.0f ms", name, version, 1e3 * (time.perf_counter() - t0))
            return loaded

    def _run_id(self, name: str, version: str) -> str | None:
        try:
            return getattr(self._client.get_model_version(name, version), "run_id", None)
        except Exception:  # metadata only; never fail a load over it
            return None

    def _evict(self) -> None:
        pinned = set(self._moving.values())
        while len(self._loaded) > self.max_cached_versions:
            victim = next((k for k in self._loaded if k not in pinned), None)
            if victim is None:
                break
            self._loaded.pop(victim)

    def is_loaded(self, name: str, version: str) -> bool:
        return (name, str(version)) in self._loaded

    def loaded(self) -> list[LoadedModel]:
        """Snapshot of the loaded versions."""
        return list(self._loaded.values())

    # -- readiness, refresh, polling -------------------------------------------------------
    def warm(self) -> LoadedModel | None:
        """Load the default model now (lifespan start-up); ``None`` when none is configured."""
        if not self.default_model:
            return None
        return self.get(None)

    def ready(self) -> bool:
        """True when the default model (if any) is resolved and loaded."""
        if not self.default_model:
            return True
        try:
            parsed = parse_model_ref(self.default_model)
        except ConfigError:  # malformed: never ready (warm() says why)
            return False
        key = (parsed.name, parsed.version) if parsed.version else self._served(parsed)
        return key is not None and key in self._loaded

    def refresh(self) -> dict[str, dict[str, str | None]]:
        """Re-resolve every alias this store serves; load new targets, then swap the pointers.

        Every reference through one alias moves, or stays, with it: one answer per alias.

        Returns:
            ``{ref: {"old": version, "new": version}}`` for the references that moved (``new``
            is ``None`` when the alias or model disappeared: the reference is forgotten, so the
            next request for it resolves afresh and gets a 404 if it is still gone).
        """
        changes: dict[str, dict[str, str | None]] = {}
        with self._refresh_lock:
            for key in list(self._moving):
                self._refresh_alias(key, changes)
            self.last_refresh = time.time()
        return changes

    def _refresh_alias(self, key: AliasKey, changes: dict[str, dict[str, str | None]]) -> None:
        """Follow the alias ``key`` to the version the registry names now, for every reference
        through it; a bare name whose default alias was removed resolves as a bare name does."""
        old = self._moving.get(key)
        if old is None:  # its references joined another alias earlier in this refresh
            return
        name, alias = key
        refs = self._refs_of(key)
        try:
            resolved = self._ask(ModelRef(name, alias=alias))
            if resolved is None and alias is not None:
                self._forget(key, old, [ref for ref in refs if ref.alias is not None], changes)
                refs = [ref for ref in refs if ref.alias is None]
                resolved = self._ask(ModelRef(name)) if refs else None
        except Exception as exc:  # registry unreachable: keep serving what we have
            log.warning("alias refresh of %s failed: %s", _alias_text(key), exc)
            return
        if resolved is None:
            self._forget(key, old, refs, changes)
        else:
            self._follow(key, old, refs, resolved, changes)

    def _ask(self, ref: ModelRef) -> ResolvedModel | None:
        """What ``ref`` resolves to now; ``None`` when its model or alias is gone."""
        try:
            return self._resolve_remote(ref)
        except ModelNotFoundError:
            return None

    def _follow(
        self,
        key: AliasKey,
        old: tuple[str, str],
        refs: list[ModelRef],
        resolved: ResolvedModel,
        changes: dict[str, dict[str, str | None]],
    ) -> None:
        """Move ``refs`` (through ``key``, serving ``old``) to the version ``resolved`` names when
        it can serve what ``old`` serves; else keep ``old`` and say why (:meth:`_refuse`).

        ``resolved`` goes through another alias than ``key`` when a bare name's default alias
        was set or removed; the references then join what the store serves under that alias,
        when it serves it, rather than serve a version of their own beside it. When they keep
        ``old`` (a refused move, a failed load), they still go through that alias from now on
        (``stay``): left under ``key``, a bare name kept naming a deleted ``champion`` for good.
        """
        new_key = (resolved.name, resolved.alias)
        joins = new_key != key and new_key in self._moving
        stay = key if joins else new_key  # the alias ``refs`` go through if they keep ``old``
        target = self._moving[new_key] if joins else (resolved.name, resolved.version)
        if target != old:
            known = self._refused.get(key)
            if stay == key and known is not None and known["version"] == target[1]:
                return  # already checked and refused under this alias: no reload every poll
            try:  # load first, swap second: no request waits on it
                candidate = self._load(target, None if joins else resolved.run_id)
            except Exception as exc:
                log.warning(
                    "could not load %s/%s for %s; keeping version %s: %s",
                    *target,
                    _alias_text(new_key),
                    old[1],
                    exc,
                )
                self._keep(key, stay, refs, old)
                return
            problems = self._contract_problems(candidate, old)
            if problems:
                self._refuse(key, stay, refs, old, target, problems)
                return
        with self._lock:
            self._moving[new_key] = target
            self._rekey(refs, key, new_key)
            if new_key == key:  # followed, or the alias is back on the kept version: no refusal
                self._refused.pop(key, None)
            self._evict()
        if target != old:
            changes.update({str(ref): {"old": old[1], "new": target[1]} for ref in refs})
            log.info("%s moved from version %s to %s", _alias_text(new_key), old[1], target[1])

    def _refuse(
        self,
        key: AliasKey,
        stay: AliasKey,
        refs: list[ModelRef],
        old: tuple[str, str],
        target: tuple[str, str],
        problems: list[str],
    ) -> None:
        """Keep ``refs`` on ``old`` under ``stay`` (the alias they now go through, unless another
        reference serves that alias already), note why, and unload the refused version."""
        reason = (
            f"{_alias_text(stay)} moved to version {target[1]}, which cannot serve what version "
            f"{old[1]} serves ({'; '.join(problems)}); still serving version {old[1]}"
        )
        with self._lock:
            self._keep(key, stay, refs, old)
            self._refused[stay] = {"version": target[1], "kept": old[1], "reason": reason}
            if target not in set(self._moving.values()):
                self._loaded.pop(target, None)
        log.warning("%s", reason)

    def _keep(self, key: AliasKey, stay: AliasKey, refs: list[ModelRef], old: tuple[str, str]) -> None:
        """Keep ``refs`` (through ``key``) on ``old``, now through ``stay``.

        Why re-key even though nothing moved: ``key`` may name an alias that is gone (a deleted
        ``champion``); the references must say the alias they go through now, and the next
        refresh must ask about that one.
        """
        with self._lock:
            self._moving[stay] = old
            self._rekey(refs, key, stay)

    def _forget(
        self,
        key: AliasKey,
        old: tuple[str, str],
        refs: list[ModelRef],
        changes: dict[str, dict[str, str | None]],
    ) -> None:
        """Forget ``refs`` (their alias or model is gone): the next request resolves afresh."""
        with self._lock:
            for ref in refs:
                self._via.pop(ref, None)
                changes[str(ref)] = {"old": old[1], "new": None}
            self._drop_if_unused(key)

    def _rekey(self, refs: list[ModelRef], key: AliasKey, new_key: AliasKey) -> None:
        """Point ``refs`` at ``new_key`` (under the lock); ``key`` goes when nothing uses it."""
        for ref in refs:
            self._via[ref] = new_key
        if new_key != key:
            self._drop_if_unused(key)

    def _drop_if_unused(self, key: AliasKey) -> None:
        """Forget what ``key`` serves and its refusal when no reference goes through it (under
        the lock)."""
        if key not in self._via.values():
            self._moving.pop(key, None)
            self._refused.pop(key, None)

    def _contract_problems(self, candidate: LoadedModel, old: tuple[str, str]) -> list[str]:
        """Why ``candidate`` cannot replace the version a reference serves now (empty: it can)."""
        current = self._loaded.get(old)
        if current is None:  # nothing served yet under this reference: nothing to keep
            return []
        try:
            return serving_problems(
                ServingContract.from_predictor(candidate.predictor),
                ServingContract.from_predictor(current.predictor),
            )
        except Exception as exc:  # noqa: BLE001 - a predictor without the usual attributes
            log.warning("could not compare %s with %s/%s: %s", candidate.key, *old, exc)
            return []

    def notes(self) -> list[str]:
        """Alias moves this store refused (for ``/readyz``): one sentence each, one per alias."""
        return [info["reason"] for info in list(self._refused.values())]

    def refused(self) -> dict[str, dict[str, str]]:
        """``{ref: {version, kept, reason}}`` for the alias moves this store refused, under every
        reference through the alias (a client may know it by ``m`` or ``m@champion``)."""
        with self._lock:
            return {
                str(ref): dict(self._refused[key]) for ref, key in self._via.items() if key in self._refused
            }

    def start_polling(self, interval_s: float) -> None:
        """Refresh moving references every ``interval_s`` seconds in a daemon thread (0 = off)."""
        if interval_s <= 0 or self._poller is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(interval_s):
                try:
                    self.refresh()
                except Exception as exc:  # the poller must never die
                    log.warning("alias poll failed: %s", exc)

        self._poller = threading.Thread(target=loop, name="tsforge-alias-poll", daemon=True)
        self._poller.start()

    def stop(self) -> None:
        """Stop the poller (idempotent)."""
        self._stop.set()
        if self._poller is not None:
            self._poller.join(timeout=5)
            self._poller = None

    # -- registry listing ------------------------------------------------------------------
    def list_models(self, *, max_models: int = 100, max_versions: int = 20) -> list[dict[str, Any]]:
        """Registered models with versions, aliases, key metrics and what is loaded here."""
        out = list_registered(self._client, max_models=max_models, max_versions=max_versions)
        for model in out:
            for row in model["versions"]:
                loaded = self._loaded.get((model["name"], row["version"]))
                row["loaded"] = loaded is not None
                row["input_len"] = getattr(loaded.predictor, "input_len", None) if loaded else None
                row["max_horizon"] = getattr(loaded.predictor, "max_horizon", None) if loaded else None
        return out
