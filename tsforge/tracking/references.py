"""Model references: ``name``, ``name@alias``, ``name/version`` (optionally ``models:/``-prefixed).

One parser for every front end (CLI, Python API, REST service); no MLflow import, so a malformed
reference is refused before anything talks to the registry.

**The rule** (applied by :func:`tsforge.tracking.registry.resolve_version`, the one resolver of
the CLI, the Python API and the service):

* ``name`` → the version the ``champion`` alias points at when it is set, else the newest
  (highest) version. So a freshly registered model is usable by name before anything is
  promoted, and promoting a champion never needs the clients to change their reference.
* ``name@alias`` → that alias's version; an error (listing the aliases) when it is not set.
* ``name/version`` → that version; an error (listing the versions) when it does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tsforge.errors import ConfigError

__all__ = [
    "CHAMPION",
    "ModelRef",
    "ResolvedModel",
    "check_registry_name",
    "default_registry_name",
    "parse_model_ref",
]

#: The alias a bare model name resolves through (when set).
CHAMPION = "champion"

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\- ]{0,254}$")
_ALIAS_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,254}$")
_NAME_CHARS = "letters, digits, '_', '.', '-' and spaces, starting with a letter or digit"


@dataclass(frozen=True)
class ModelRef:
    """A parsed model reference: exactly one of ``alias`` / ``version`` is set, or neither (bare name)."""

    name: str
    alias: str | None = None
    version: str | None = None

    @property
    def moving(self) -> bool:
        """True when what the reference points at can change (bare names and aliases)."""
        return self.version is None

    def __str__(self) -> str:
        if self.version is not None:
            return f"{self.name}/{self.version}"
        if self.alias is not None:
            return f"{self.name}@{self.alias}"
        return self.name


@dataclass(frozen=True)
class ResolvedModel:
    """What a reference points at now: a concrete, immutable registry version.

    ``alias`` is the alias it was resolved through (``champion`` for a bare name whose champion
    is set, ``None`` when a bare name fell back to the newest version or named a version).
    """

    name: str
    version: str
    alias: str | None = None
    run_id: str | None = None

    @property
    def model_uri(self) -> str:
        """The ``models:/name/version`` URI: pinned, so loading it cannot race an alias move."""
        return f"models:/{self.name}/{self.version}"


def parse_model_ref(ref: str, *, field: str = "model") -> ModelRef:
    """Parse ``name``, ``name@alias``, ``name/version`` (optionally prefixed ``models:/``).

    Raises:
        ConfigError: the reference is malformed (names ``field``), so a typo gets a message that
            says what shape was expected rather than a registry error. A malformed reference is
            the caller's input error, not a missing model: the service answers it 422 like any
            invalid field (it was a :class:`ModelNotFoundError`, 404, before), the CLI exits 2
            with the message as for any tsforge error.
    """
    if not isinstance(ref, str):
        raise ConfigError("model reference must be a string", field=field)
    text = ref.strip()
    if text.startswith("models:/"):
        text = text[len("models:/") :]
    expected = "expected 'name', 'name@alias' or 'name/version'"
    if "@" in text:
        name, _, alias = text.partition("@")
        if not _NAME_RE.match(name) or not _ALIAS_RE.match(alias):
            raise ConfigError(f"malformed model reference {ref!r}: {expected}", field=field)
        return ModelRef(name=name, alias=alias)
    if "/" in text:
        name, _, version = text.rpartition("/")
        if not _NAME_RE.match(name) or not version.isdigit() or int(version) < 1:
            raise ConfigError(f"malformed model reference {ref!r}: {expected}", field=field)
        return ModelRef(name=name, version=str(int(version)))
    if not _NAME_RE.match(text):
        raise ConfigError(f"malformed model reference {ref!r}: {expected}", field=field)
    return ModelRef(name=text)


def check_registry_name(name: str, *, field: str = "registered_name") -> str:
    """``name`` when :func:`parse_model_ref` can read it back as a bare name, else a
    :class:`ConfigError` — raised before any training, not after it.

    Why: MLflow registers ``x@y`` and refuses ``a/b`` only once the model is logged; ``x@y`` then
    reads as alias ``y`` of a model ``x`` and can never be loaded, and ``a/b`` failed with a
    traceback after the whole training.
    """
    if not isinstance(name, str) or not _NAME_RE.match(name) or name != name.strip():
        raise ConfigError(
            f"cannot register a model as {name!r}: a registered name is {_NAME_CHARS} "
            "('/', '@' and ':' would read as a version or an alias)",
            field=field,
        )
    return name


def default_registry_name(dataset: str, model: str) -> str:
    """``<dataset>-<model>`` with every character a registered name should not hold made ``_``.

    A file's stem names its dataset (``sales (2024)@eu.csv``), and the registry name made from it
    must load back by the reference rules above and be typed without quotes
    (``sales__2024__eu-auto_ets``)."""
    text = re.sub(r"[^A-Za-z0-9_.\-]", "_", f"{dataset}-{model}")
    text = re.sub(r"^[^A-Za-z0-9]+", "", text)[:255]
    return text or "tsforge-model"
