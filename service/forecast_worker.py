"""The forecast a worker process of :mod:`service.cpu_pool` computes for a large request.

Why a process: a local statistical model (auto_theta, auto_ets, ...) or a routed ensemble costs
0.1–1 ms of CPU per value, so a batch of 1000 monthly series took 20 s to minutes; in the
server's thread pool nothing could stop it, and it kept computing after its client had left.
In a worker it runs within ``forecast_timeout_seconds`` and is killed past it.

The server sends the model as pickled bytes with every request (it holds the loaded version; a
worker has no registry connection and may serve a test's fake); the worker unpickles a model
once and keeps the last few, keyed by a token the server gives each loaded predictor.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from service.notes import Caught, caught_notes
from tsforge.errors import TsforgeWarning

__all__ = ["predict", "CACHED_MODELS"]

#: unpickled models a worker keeps (a routed ensemble is ~6 MB pickled, a local model ~25 kB)
CACHED_MODELS = 4

_models: OrderedDict[str, Any] = OrderedDict()


def _model(token: str, blob: bytes) -> Any:
    """The predictor ``blob`` holds, unpickled once per ``token``."""
    found = _models.get(token)
    if found is None:
        found = _models[token] = pickle.loads(blob)  # noqa: S301 - bytes from our own server
        while len(_models) > CACHED_MODELS:
            _models.popitem(last=False)
    else:
        _models.move_to_end(token)
    return found


def predict(
    token: str, blob: bytes, series: Sequence[Any], horizon: int, bounds: dict[str, list[float]]
) -> tuple[list[Any], list[Caught]]:
    """``predictor.predict_series(series, horizon, **bounds)`` → ``(forecasts, notes)``, the notes
    being the library's warnings raised meanwhile (:class:`service.notes.Caught`, text and class:
    the server adds them to the answer's notes, as it does for a forecast it computes itself)."""
    predictor = _model(token, blob)
    with caught_notes() as caught:  # steps past the dates tsforge holds: the library's own refusal
        forecasts = predictor.predict_series(list(series), horizon, **bounds)
    return list(forecasts), [_sendable(c) for c in caught]


def _sendable(caught: Caught) -> Caught:
    """``caught`` as the pipe can carry it: a warning class that cannot be pickled (one defined
    inside a function) is sent as :class:`~tsforge.errors.TsforgeWarning`, its text kept, rather
    than failing the whole answer."""
    try:
        pickle.dumps(caught.category)
    except (pickle.PicklingError, AttributeError, TypeError):
        return Caught(caught.message, TsforgeWarning)
    return caught
