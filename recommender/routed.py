"""The routed ensemble: one servable model that forecasts each series with the candidate (or the
weighted combination of candidates) the per-series recommender chooses for it.

Why one model: a per-series recommendation is only useful if someone can deploy it. The
ensemble bundles the router (:class:`recommender.per_series.SeriesRouter`) with its member
models (:class:`tsforge.panels.predictor.PanelPredictor`: local models refit on each history,
global models with trained weights) and behaves like any tsforge model: the MLflow pyfunc,
``tsforge forecast`` and ``/v1/forecast`` load it through
:func:`tsforge.panels.predictor.load_predictor_dir` (bundle ``kind = "routed"``).

Routing happens at predict time, from the history each request brings: the series is profiled
(:func:`recommender.series_features.series_features`, about a millisecond per series) and the
router gives its weights. So a series never seen in training is routed exactly like a known
one, and a known series whose behaviour changed is routed by its new history. Only members
with a positive weight for some series of the request are called, each on those series only.

Notes: a member's own note ("1 of 3 series were too short for seasonal_naive …") is said as
the member's of this ensemble, naming the series it forecast (:meth:`RoutedPredictor.member_frame`),
here and so alike behind every door: the CLI, the Python API, the MLflow pyfunc and the service.
Passed on as it was, it named a model the user never asked for, and its count read as one of
the request's. A fact several members say alike of the same series (a constant input window, a
missing value) is said once, naming them (:meth:`RoutedPredictor._say_member_notes`).

Intervals: the ensemble is calibrated as a model of its own (split conformal on the residuals
of its routed forecast — members as served, combined with the served weights — of the
validation window and the window(s) before it, :func:`recommender.routed_training.train_routed`,
:mod:`tsforge.panels.conformal`), not from its members' intervals — a weighted mean of
members' quantiles is not a quantile of the mean.

Bundle layout: ``model.json`` (kind, horizon, frequency, mode, members), ``router/``,
``members/<name>/`` (each a panel-model bundle) and ``calibration.npz``.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from recommender.per_series import SeriesRouter
from recommender.properties.profile import profiling_bar
from recommender.series_features import PROFILE_LADDER, profile_length
from recommender.series_recommendation import MODES, route_panel
from tsforge.data.frequency import check_sampling
from tsforge.data.history import SeriesInput
from tsforge.data.panel import Panel
from tsforge.errors import (
    ConfigError,
    HeldModelNote,
    ModelNotFoundError,
    TsforgeWarning,
    model_notes_held,
    notes_framed,
)
from tsforge.inference import FramePredictor, IntervalRequest, SeriesForecast
from tsforge.panels.conformal import ConformalCalibration
from tsforge.panels.predictor import PanelPredictor, panel_forecasts

__all__ = ["ROUTED_BUNDLE_KIND", "RoutedPredictor", "UnprofiledSeriesWarning", "unprofiled_note"]

ROUTED_BUNDLE_KIND = "routed"
_META = "model.json"
#: series ids a member note's frame names; more are counted
_NAMED_IDS = 5


class UnprofiledSeriesWarning(TsforgeWarning):
    """Series of a routed forecast too short to profile: routed from their length and the
    collection alone (:func:`unprofiled_note`)."""


def unprofiled_note(
    panel: Panel,
    base_w: np.ndarray,
    base: Sequence[str],
    input_lens: Mapping[str, int] | None = None,
) -> str:
    """Which series of ``panel`` were too short to profile and the member(s) each was routed to,
    with their weights (``base_w``: ``[n, M]``, columns ``base``), or ``""`` when none was;
    ``input_lens`` (member → values it reads) adds which of those members read more values
    than the series has (:func:`_padded_words`).

    Why: a series shorter than the first profile window has no properties, so its routing rests
    on its length and the collection as a whole — ``recommend`` says so as a caveat, but the
    forecast of such a series (an 8-value history) said nothing, and its members' answer read
    as one chosen for it.
    """
    plen = profile_length(np.asarray(panel.lengths))
    short = np.flatnonzero(plen == 0)
    if short.size == 0:
        return ""
    parts = []
    for i in short[:_NAMED_IDS].tolist():
        w = base_w[i]
        order = [j for j in np.argsort(-w, kind="stable").tolist() if w[j] >= 0.005]
        went = ", ".join(f"{base[j]} {w[j]:.2f}" for j in order)
        length = int(panel.lengths[i])
        padded = _padded_words([base[j] for j in order], length, input_lens or {})
        parts.append(f"{panel.ids[i]} ({length} values) to {went}" + (f" ({padded})" if padded else ""))
    more = f" and {short.size - _NAMED_IDS} more" if short.size > _NAMED_IDS else ""
    which = "1 series was" if short.size == 1 else f"{short.size} series were"
    return (
        f"{which} too short to profile (the properties need {min(PROFILE_LADDER)} values), so "
        f"routed from the length and the collection as a whole: {'; '.join(parts)}{more}"
    )


def _padded_words(members: Sequence[str], length: int, input_lens: Mapping[str, int]) -> str:
    """``"lightgbm, dlinear read 24 values: 16 of them were its first value repeated"`` for the
    ``members`` a history of ``length`` values was routed to that read more than it has (a global
    member's window, left-padded with the first value: :mod:`tsforge.panels.windows`), ``""``
    when none does.

    Why: an 8-value rising series got a falling routed forecast, 0.84 of it from three global
    members whose 24-value window held 16 copies of its first value — a flat past, then a late
    rise, read through the pattern they learnt on the training panel. The note named the
    members and weights, not that most of what they read was not the series.
    """
    by_len: dict[int, list[str]] = {}
    for name in members:
        k = int(input_lens.get(name, 0))
        if k > length:
            by_len.setdefault(k, []).append(name)
    said = []
    for k, names in sorted(by_len.items()):
        verb = "reads" if len(names) == 1 else "read"
        pad = f"{k - length} of them were" if k - length > 1 else "1 of them was"
        said.append(f"{', '.join(names)} {verb} {k} values: {pad} its first value repeated")
    return "; ".join(said)


class RoutedPredictor(FramePredictor):
    """A routed / weighted ensemble of panel models behind the predictor interface.

    Args:
        router: the per-series recommender.
        members: base model name → its fitted panel predictor (every base model the router's
            usable candidates need; candidates with a missing member are never chosen).
        horizon: longest horizon (the members' trained horizon).
        freq: the training panel's sampling rate; a request whose timestamps follow another is
            refused naming this model (``None``: not checked).
        season_length: the training panel's season, saved with the bundle.
        mode: ``"weights"`` (weighted combination) or ``"pick"`` (each series' pick alone).
        prior: ``[K]`` the collection prior the router pools towards — the one of the training
            panel, so a series is routed the same whatever else a request holds (None: the
            prior of each request's series).
        meta: saved with the bundle (``meta["name"]`` is the model name in messages).
        calibration: the ensemble's own conformal calibration; without one, interval requests
            are refused (bundles trained before it was stored).
    """

    #: a routed ensemble is trained again by ``recommend``, not ``train`` (the refusal of a longer
    #: horizon said "tsforge train … -H 24", which has no routed model)
    retrain_words = "tsforge recommend … --per-series --train --horizon {h}"

    def __init__(
        self,
        router: SeriesRouter,
        members: Mapping[str, PanelPredictor],
        horizon: int,
        *,
        freq: str | None,
        season_length: int,
        mode: str = "weights",
        prior: Sequence[float] | None = None,
        meta: dict[str, Any] | None = None,
        calibration: ConformalCalibration | None = None,
    ) -> None:
        if mode not in MODES:
            raise ConfigError(f"mode must be one of {MODES}, got {mode!r}", field="mode")
        if not members:
            raise ConfigError("a routed model needs at least one member model", field="members")
        router.allowed(list(members))  # raises when no candidate can be built from the members
        self.router = router
        self.members = dict(members)
        self.horizon = int(horizon)
        self.freq_ = freq
        self.season_length = int(season_length)
        self.mode = mode
        self.prior = None if prior is None else np.asarray(prior, dtype=np.float64)
        if self.prior is not None and self.prior.shape != (len(router.candidates),):
            raise ConfigError(
                f"prior has {self.prior.size} values for {len(router.candidates)} candidates", field="prior"
            )
        self.meta = meta or {}
        self.calibration = calibration

    # -- the predictor interface --------------------------------------------------------------
    @property
    def model_name(self) -> str:
        return str(self.meta.get("name", "routed"))

    @property
    def known_as(self) -> str:
        """The ensemble as its user knows it: the registered name where it came from (or went
        to) the registry (``meta["registered_name"]``, set by
        :func:`tsforge.tracking.load_predictor` and by training), else its model name."""
        return str(self.meta.get("registered_name") or self.model_name)

    @property
    def kind(self) -> str:
        return ROUTED_BUNDLE_KIND

    @property
    def input_len(self) -> int:
        """Values the longest member reads (shorter histories are padded by the members)."""
        return max(m.input_len for m in self.members.values())

    @property
    def max_horizon(self) -> int:
        return self.horizon

    @property
    def known_ids(self) -> tuple[str, ...]:
        return ()  # routed from the history: any series id works

    @property
    def freq(self) -> str | None:
        return self.freq_

    @property
    def available(self) -> list[str]:
        return list(self.members)

    def route(self, series: Sequence[SeriesInput]) -> tuple[np.ndarray, Panel]:
        """``([n, K] candidate weights, histories)`` for the request's series (histories trimmed
        exactly as the members trim them).

        The sampling rate is checked here first, as the members check it, so that a refusal
        names this model: left to the first member it read "this naive model forecasts MS
        series" for a request sent to the routed ensemble."""
        if self.freq is not None and all(s.timestamps is not None for s in series):
            for i, s in enumerate(series):
                ts = np.asarray(s.timestamps).astype("datetime64[ns]")
                check_sampling(
                    ts, self.freq, sid=s.id, model=self.model_name, field=f"series[{i}].timestamps"
                )
        panel = next(iter(self.members.values())).histories(series)
        with profiling_bar(self.progress) as bar:  # the CLI's bar; the service's is off
            weights, _, _ = route_panel(
                self.router,
                panel,
                self.horizon,
                mode=self.mode,
                available=self.available,
                prior=self.prior,
                profile_progress=bar,
            )
        return weights, panel

    def _refuse_intervals(self, request: IntervalRequest) -> None:
        if request and self.calibration is None:
            raise ConfigError(
                f"model {self.model_name!r} is a routed ensemble saved without an interval "
                "calibration (trained before tsforge stored one); retrain it to get intervals",
                field="level" if request.levels else "quantiles",
            )

    def _forecast(
        self, series: Sequence[SeriesInput], h: int, request: IntervalRequest
    ) -> list[SeriesForecast]:
        """Forecast every series with its routed member(s): Σ_b w_b · member_b(history); with a
        ``request`` also the ensemble's own conformal bounds (residuals of the routed forecast
        on the validation window, see :func:`recommender.routed_training.train_routed`).

        Progress: where :attr:`progress` is on (``tsforge forecast`` turns it on), the members'
        bars are on too (a local member fits every series routed to it: minutes on a big
        panel, with nothing shown while only the ensemble's own switch was on)."""
        weights, panel = self.route(series)
        base_w, base = self.router.base_weights(weights)
        said = unprofiled_note(panel, base_w, base, {name: m.input_len for name, m in self.members.items()})
        if said:
            warnings.warn(UnprofiledSeriesWarning(f"routed model {self.known_as!r}: {said}"), stacklevel=2)
        values = self._members_forecast(series, base_w, base, h)
        out = panel_forecasts(panel, values, h)
        return self._calibrated_bounds(out, [panel.series(i) for i in range(len(panel))], request)

    def _members_forecast(
        self, series: Sequence[SeriesInput], base_w: np.ndarray, base: Sequence[str], h: int
    ) -> np.ndarray:
        """``[n, h]`` = Σ_b base_w[:, b] · member_b(history), each member called on the series
        weighted into it only; the members' notes said behind their frame, a shared fact once
        (:meth:`_say_member_notes`)."""
        values = np.zeros((len(series), h))
        member_notes: list[tuple[tuple[str, ...], HeldModelNote]] = []  # (the member's series, its note)
        try:
            for j, name in enumerate(base):
                idx = np.flatnonzero(base_w[:, j] > 0)
                if idx.size == 0:
                    continue
                routed = [series[i] for i in idx.tolist()]
                member = self.members[name]
                member.progress = self.progress
                ids = tuple(str(s.id) for s in routed)
                with notes_framed(self.member_frame(name, ids)), model_notes_held() as held:
                    try:
                        fc = member.predict_series(routed, h)
                    finally:
                        member_notes.extend((ids, note) for note in held)
                values[idx] += base_w[idx, j, None] * np.vstack(
                    [np.asarray(f.values, dtype=np.float64) for f in fc]
                )
        finally:  # also those of a member that failed: they may say why
            self._say_member_notes(member_notes)
        return values

    def _say_member_notes(self, said: Sequence[tuple[tuple[str, ...], HeldModelNote]]) -> None:
        """Say the members' held notes (:func:`~tsforge.errors.model_note`), each fact once:
        notes that differ only in the member that made them, of the same series, are one note
        naming those members ("dlinear, nlinear and lightgbm forecast it at that value"), behind
        the frame that names them; the others as each member's.

        Why: a fact about a series (its input window is constant, it has missing values) was
        said once per member weighted into its forecast, three lines for one fact."""
        facts: dict[tuple[tuple[str, ...], object], list[HeldModelNote]] = {}
        for ids, note in said:
            facts.setdefault((ids, note.fact), []).append(note)
        for (ids, _), notes in facts.items():
            names = list(dict.fromkeys(note.model for note in notes))
            with notes_framed(self.member_frame(names, ids)):
                notes[0].say(names)

    def member_frame(self, member: str | Sequence[str], ids: Sequence[str]) -> str:
        """What a member's note is said behind: ``routed model 'my-routed', member seasonal_naive
        (weighted into the forecast of 3 series: a, b, c)`` (``picked for`` in ``pick`` mode);
        of several members, ``members dlinear and nlinear (...)``."""
        shown = ", ".join(ids[:_NAMED_IDS]) + (
            f" and {len(ids) - _NAMED_IDS} more" if len(ids) > _NAMED_IDS else ""
        )
        which = "1 series" if len(ids) == 1 else f"{len(ids)} series"
        role = f"picked for {which}" if self.mode == "pick" else f"weighted into the forecast of {which}"
        names = [member] if isinstance(member, str) else list(member)
        who = f"member {names[0]}" if len(names) == 1 else f"members {', '.join(names[:-1])} and {names[-1]}"
        return f"routed model {self.known_as!r}, {who} ({role}: {shown})"

    # -- persistence ----------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the bundle (``model.json``, ``router/``, ``members/<name>/``)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.router.save(path / "router")
        for name, member in self.members.items():
            member.save(path / "members" / name)
        if self.calibration is not None:
            self.calibration.save(path)
        info = {
            "kind": ROUTED_BUNDLE_KIND,
            "horizon": self.horizon,
            "freq": self.freq,
            "season_length": self.season_length,
            "mode": self.mode,
            "members": list(self.members),
            "prior": None if self.prior is None else [float(v) for v in self.prior],
            **self.meta,
        }
        (path / _META).write_text(
            json.dumps({"format": 1, "model": "routed", "extra": info}, indent=2, default=str)
        )
        return path

    @classmethod
    def from_dir(cls, path: str | Path) -> RoutedPredictor:
        path = Path(path)
        meta_file = path / _META
        if not meta_file.is_file():
            raise ModelNotFoundError(f"no tsforge model at {path} ({_META} missing)", file=str(path))
        info = dict(json.loads(meta_file.read_text()).get("extra", {}))
        if info.get("kind") != ROUTED_BUNDLE_KIND:
            raise ModelNotFoundError(f"{path} is not a routed model bundle", file=str(path))
        members = {name: PanelPredictor.from_dir(path / "members" / name) for name in info.pop("members")}
        return cls(
            SeriesRouter.load(path / "router"),
            members,
            int(info.pop("horizon")),
            freq=info.pop("freq", None),
            season_length=int(info.pop("season_length", 1)),
            mode=str(info.pop("mode", "weights")),
            prior=info.pop("prior", None),
            meta={k: v for k, v in info.items() if k != "kind"},
            calibration=ConformalCalibration.load(path),
        )
