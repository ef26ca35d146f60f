"""What a registered model version promises its callers, and whether another version keeps it.

Why a contract: ``@champion`` is what the service serves and what ``tsforge forecast --model
NAME`` uses. A routine training run used to move it to any version with a lower validation MSE,
whatever its horizon, and the service then answered 422 to most live requests (``horizon 24
exceeds 12``). So a version records, as registry tags, what it can serve (:class:`ServingContract`:
frequency, horizon, input length, the series it knows) and how it was validated
(:class:`Validation`: protocol, dataset, data digest, horizon, metric), and the champion moves
only to a version that serves everything the current one serves *and* beats it on the same
validation. The service applies the same :func:`serving_problems` to the predictors it loads
before it swaps one in.

Pure Python, no MLflow: the registry code (:mod:`tsforge.tracking.registry`) turns tags into
these objects, the service builds them from loaded predictors.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ServingContract",
    "Validation",
    "serving_problems",
    "validation_problems",
    "ids_digest",
    "predictor_kind",
    "CONTRACT_TAGS",
]

#: Registry tags (on each model version) that carry the contract; see :meth:`ServingContract.to_tags`.
CONTRACT_TAGS = {
    "kind": "tsforge.kind",
    "freq": "tsforge.freq",
    "horizon": "tsforge.horizon",
    "input_len": "tsforge.input_len",
    "ids": "tsforge.series_ids",
    "ids_digest": "tsforge.series_ids_digest",
    "needs_known_ids": "tsforge.needs_known_ids",
    "protocol": "tsforge.protocol",
    "dataset": "tsforge.dataset",
    "data_digest": "tsforge.data_digest",
    "metric": "tsforge.val_metric",
}

# Series ids are written into a tag when their JSON fits (MLflow caps tag values at a few kB);
# longer lists keep only their digest, and two versions are then compared by digest.
_MAX_IDS_CHARS = 4000


def ids_digest(ids: Sequence[str]) -> str:
    """Order-independent digest of a set of series ids (short: it is shown in the registry)."""
    h = hashlib.sha1("\x1f".join(sorted(map(str, ids))).encode())
    return h.hexdigest()[:16]


def predictor_kind(predictor: Any) -> str:
    """``"panel"`` (a local/global panel model or the routed ensemble: it knows its season) or
    ``"window"`` (a multichannel window model)."""
    return "panel" if hasattr(predictor, "season_length") else "window"


@dataclass(frozen=True)
class ServingContract:
    """What a model version can serve.

    Attributes:
        kind: ``"window"`` (multichannel window model) or ``"panel"`` (local/global panel model).
        freq: the data's frequency alias (``None`` when unknown).
        horizon: longest horizon it forecasts.
        input_len: history values it needs per series (a caller must send at least this many).
        known_ids: series it was trained on (``None`` when only the digest is known).
        ids_digest: digest of ``known_ids``.
        needs_known_ids: it refuses series ids it was not trained on.
    """

    kind: str
    freq: str | None
    horizon: int
    input_len: int
    known_ids: tuple[str, ...] | None = None
    ids_digest: str | None = None
    needs_known_ids: bool = False

    @classmethod
    def from_predictor(cls, predictor: Any) -> ServingContract:
        """The contract of a loaded predictor (``tsforge.inference.Predictor`` or a panel one)."""
        ids = tuple(str(i) for i in (getattr(predictor, "known_ids", ()) or ()))
        forecaster = getattr(predictor, "forecaster", None)
        return cls(
            kind=predictor_kind(predictor),
            freq=getattr(predictor, "freq", None),
            horizon=int(predictor.max_horizon),
            input_len=int(predictor.input_len),
            known_ids=ids,
            ids_digest=ids_digest(ids) if ids else None,
            needs_known_ids=bool(getattr(forecaster, "needs_known_channels", False)),
        )

    def to_tags(self) -> dict[str, str]:
        tags = {
            CONTRACT_TAGS["kind"]: self.kind,
            CONTRACT_TAGS["freq"]: self.freq or "",
            CONTRACT_TAGS["horizon"]: str(self.horizon),
            CONTRACT_TAGS["input_len"]: str(self.input_len),
            CONTRACT_TAGS["needs_known_ids"]: str(self.needs_known_ids).lower(),
        }
        if self.ids_digest:
            tags[CONTRACT_TAGS["ids_digest"]] = self.ids_digest
        if self.known_ids:
            text = json.dumps(list(self.known_ids))
            if len(text) <= _MAX_IDS_CHARS:
                tags[CONTRACT_TAGS["ids"]] = text
        return tags

    @classmethod
    def from_tags(cls, tags: Mapping[str, str]) -> ServingContract | None:
        """Read a contract back from version tags; ``None`` when the version has none."""
        try:
            horizon = int(tags[CONTRACT_TAGS["horizon"]])
            input_len = int(tags[CONTRACT_TAGS["input_len"]])
        except (KeyError, ValueError):
            return None
        raw_ids = tags.get(CONTRACT_TAGS["ids"])
        ids: tuple[str, ...] | None = None
        if raw_ids:
            try:
                ids = tuple(str(i) for i in json.loads(raw_ids))
            except (ValueError, TypeError):
                ids = None
        return cls(
            kind=tags.get(CONTRACT_TAGS["kind"]) or "window",
            freq=tags.get(CONTRACT_TAGS["freq"]) or None,
            horizon=horizon,
            input_len=input_len,
            known_ids=ids,
            ids_digest=tags.get(CONTRACT_TAGS["ids_digest"]) or None,
            needs_known_ids=tags.get(CONTRACT_TAGS["needs_known_ids"]) == "true",
        )


@dataclass(frozen=True)
class Validation:
    """How a version's validation score was obtained: only equal validations are comparable.

    Attributes:
        kind: ``"window"`` or ``"panel"`` (panel models are compared with panel models only).
        protocol: the split (``7:1:2``, ``ett``, ``holdout``, ...).
        dataset: dataset name.
        data_digest: digest of the data the model was validated on (``None`` when unknown; then
            the name stands for the data).
        horizon: validated horizon (scores over different horizons are different quantities).
        metric: name of the score (``val_mse``, ``val_mase``).
        value: the score (lower is better), ``nan`` when the run has none.
    """

    kind: str
    protocol: str | None
    dataset: str | None
    data_digest: str | None
    horizon: int
    metric: str
    value: float = math.nan

    def describe(self) -> str:
        return f"{self.kind} model, protocol {self.protocol}, dataset {self.dataset}, H={self.horizon}"


def serving_problems(candidate: ServingContract, current: ServingContract) -> list[str]:
    """Why ``candidate`` cannot serve every request ``current`` serves (empty list: it can).

    A request that ``current`` answers has at least ``current.input_len`` values per series, a
    horizon up to ``current.horizon``, the current frequency, and (when ``current`` needs known
    ids) ids it was trained on. ``candidate`` must accept all of them.
    """
    out: list[str] = []
    if candidate.horizon < current.horizon:
        out.append(f"horizon {candidate.horizon} < {current.horizon} served now")
    if candidate.input_len > current.input_len:
        out.append(f"needs {candidate.input_len} input values per series; callers send {current.input_len}")
    if candidate.freq and current.freq and candidate.freq != current.freq:
        out.append(f"frequency {candidate.freq!r} != {current.freq!r}")
    if candidate.needs_known_ids:
        if candidate.known_ids is not None and current.known_ids is not None:
            missing = sorted(set(current.known_ids) - set(candidate.known_ids))
            if missing:
                shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
                out.append(f"does not know series {shown}")
        elif candidate.ids_digest != current.ids_digest:
            out.append("trained on other series ids")
    return out


def validation_problems(candidate: Validation, current: Validation) -> list[str]:
    """Why the two validation scores are not comparable (empty list: they are)."""
    out: list[str] = []
    if candidate.kind != current.kind:
        out.append(f"{candidate.kind} model vs {current.kind} model")
    if candidate.metric != current.metric:
        out.append(f"metric {candidate.metric} vs {current.metric}")
    if candidate.protocol != current.protocol:
        out.append(f"protocol {candidate.protocol} vs {current.protocol}")
    if candidate.dataset != current.dataset:
        out.append(f"dataset {candidate.dataset} vs {current.dataset}")
    elif candidate.data_digest and current.data_digest and candidate.data_digest != current.data_digest:
        out.append("same dataset name, different data")
    if candidate.horizon != current.horizon:
        out.append(f"validated at H={candidate.horizon} vs H={current.horizon}")
    return out
