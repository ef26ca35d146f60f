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
loaded. ``name`` and ``name@alias`` are *moving* references: the store remembers what each one
resolved to.

**Alias moves are picked up by a background poll** (every ``poll_seconds``, default 5 s; see
:meth:`ModelStore.start_polling`) **and on demand** by :meth:`ModelStore.refresh` (the service's
``POST /v1/admin/reload``). A refresh loads the new version *before* it swaps the pointer (one
dict assignment, atomic under the GIL), so a request never waits for a load it did not ask for.
Requests in flight hold their own reference to the old :class:`LoadedModel` and finish with it;
nothing is torn down under them. Old versions leave the cache oldest-loaded first.

**A move is checked before the swap**: the new version must serve what the current one serves
(:func:`tsforge.tracking.contract.serving_problems`: horizon ≥, input length ≤, same frequency,
the same known series). Otherwise the store keeps serving the current version, logs a warning
and reports the refusal in :meth:`ModelStore.notes` (``/readyz``); the registry's own safe
promotion makes this rare, but an alias moved by hand in the UI gets the same protection.

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
from tsforge.tracking.references import CHAMPION, ModelRef, parse_model_ref
from tsforge.tracking.registry import list_registered, registry_client, resolve_version

__all__ = ["ModelRef", "LoadedModel", "ModelStore", "parse_model_ref", "PredictorLike"]

log = logging.getLogger(__name__)


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
        self._moving: dict[ModelRef, tuple[str, str]] = {}  # moving ref -> (name, version)
        self._bare_alias: dict[str, str | None] = {}  # bare name -> alias it resolved through
        self._loaded: OrderedDict[tuple[str, str], LoadedModel] = OrderedDict()
        self._load_locks: dict[tuple[str, str], threading.Lock] = {}
        self._refused: dict[ModelRef, dict[str, str]] = {}  # moving ref -> refused version, why
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self.last_refresh: float | None = None

    # -- resolution ------------------------------------------------------------------------
    def _resolve_remote(self, ref: ModelRef) -> tuple[str, str, str | None]:
        """Ask the registry which version ``ref`` names → ``(name, version, run_id)``."""
        resolved = resolve_version(ref, self._client, default_alias=self.default_alias)
        if ref.alias is None and ref.version is None:
            self._bare_alias[ref.name] = resolved.alias
        return resolved.name, resolved.version, resolved.run_id

    def resolve(self, ref: str | ModelRef | None) -> tuple[ModelRef, tuple[str, str]]:
        """Reference → ``(parsed ref, (name, version))``; moving refs use the remembered answer."""
        parsed = self._parse(ref)
        if parsed.version is not None:
            return parsed, (parsed.name, parsed.version)
        hit = self._moving.get(parsed)
        if hit is not None:
            return parsed, hit
        name, version, _ = self._resolve_remote(parsed)
        with self._lock:
            self._moving.setdefault(parsed, (name, version))
            return parsed, self._moving[parsed]

    def alias_of(self, ref: str | ModelRef | None) -> str | None:
        """The alias a reference resolves through (``name`` → ``default_alias`` when it exists)."""
        parsed = self._parse(ref)
        if parsed.alias is not None:
            return parsed.alias
        if parsed.version is None:
            return self._bare_alias.get(parsed.name)
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
        key = (parsed.name, parsed.version) if parsed.version is not None else self._moving.get(parsed)
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
            _, _, run_id = self._resolve_remote(parsed)
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
        key = (parsed.name, parsed.version) if parsed.version else self._moving.get(parsed)
        return key is not None and key in self._loaded

    def refresh(self) -> dict[str, dict[str, str | None]]:
        """Re-resolve every moving reference; load new targets, then swap the pointers.

        Returns:
            ``{ref: {"old": version, "new": version}}`` for the references that moved (``new``
            is ``None`` when the alias or model disappeared: the reference is forgotten, so the
            next request for it resolves afresh and gets a 404 if it is still gone).
        """
        changes: dict[str, dict[str, str | None]] = {}
        for ref, old in list(self._moving.items()):
            try:
                name, version, run_id = self._resolve_remote(ref)
            except ModelNotFoundError:
                with self._lock:
                    self._moving.pop(ref, None)
                changes[str(ref)] = {"old": old[1], "new": None}
                continue
            except Exception as exc:  # registry unreachable: keep serving what we have
                log.warning("alias refresh of %s failed: %s", ref, exc)
                continue
            new = (name, version)
            if new == old:
                continue
            if self._refused.get(ref, {}).get("version") == version:
                continue  # already checked and refused: no reload every poll
            try:
                candidate = self._load(new, run_id)  # load first, swap second: no request waits on it
            except Exception as exc:
                log.warning(
                    "could not load %s/%s for %s; keeping version %s: %s", name, version, ref, old[1], exc
                )
                continue
            problems = self._contract_problems(candidate, old)
            if problems:
                reason = (
                    f"{ref} moved to version {version}, which cannot serve what version {old[1]} serves "
                    f"({'; '.join(problems)}); still serving version {old[1]}"
                )
                with self._lock:
                    self._refused[ref] = {"version": version, "kept": old[1], "reason": reason}
                    if new not in set(self._moving.values()):
                        self._loaded.pop(new, None)
                log.warning("%s", reason)
                continue
            with self._lock:
                self._moving[ref] = new
                self._refused.pop(ref, None)
                self._evict()
            changes[str(ref)] = {"old": old[1], "new": version}
            log.info("%s moved from version %s to %s", ref, old[1], version)
        self.last_refresh = time.time()
        return changes

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
        """Alias moves this store refused (for ``/readyz``): one sentence each."""
        return [info["reason"] for info in list(self._refused.values())]

    def refused(self) -> dict[str, dict[str, str]]:
        """``{ref: {version, kept, reason}}`` for the alias moves this store refused."""
        return {str(ref): dict(info) for ref, info in list(self._refused.items())}

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
