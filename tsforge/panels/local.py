"""Local statistical models (one fit per series) over a ragged panel, through statsforecast.

Why this layer instead of calling ``StatsForecast`` directly: a panel of many short series
needs per-series decisions that ``StatsForecast`` leaves to the caller —

* **missing values**: statsforecast rejects NaN; series are filled by linear interpolation
  between neighbouring observations (nearest observation at the ends), see
  :func:`tsforge.data.ragged.fill_missing_ragged`. Interpolation, not LOCF, so a gap in a
  trending series does not become a flat step the models then learn as a level shift.
* **short series**: every model has a minimum length (``LocalModelSpec.min_length``) and a
  fallback model. A series below the minimum — or on which statsforecast raises or returns a
  non-finite forecast (e.g. ``SeasonalNaive`` on fewer than ``season_length`` values returns
  NaN, ``AutoETS`` raises on 2–5 values, ``AutoCES`` on some intermittent series) — is
  forecast by the fallback, recursively, ending at ``naive``. Fallbacks are counted in
  ``frame.attrs["fallbacks"]``, the first few such series named in ``frame.attrs["fallback_ids"]``.
* **season length**: every model gets the panel's ``season_length`` (monthly 12, hourly 24...),
  unless the user set one (:class:`~tsforge.models.statistical.LocalOptions`, ``--option``).
* **long series**: the model-selecting models (ETS, Theta, ARIMA, CES, MSTL) are fitted on the
  most recent values only (``LocalModelSpec.history``, :func:`tsforge.models.statistical.recent_history`:
  1,000 values or ten of the longest cycles), since their fit time grows faster than the history;
  ``--option max_history=0`` fits the whole history.

The unit of work is :func:`forecast_chunk` — a pure function of a panel chunk, so the same code
runs in this process, a local process pool or on Ray workers (:mod:`tsforge.engine`; the
engine only schedules chunks and returns their results in order, so it never changes a number).
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from tsforge.arguments import number_list, whole_number
from tsforge.data.panel import Panel, require_panel
from tsforge.engine import Engine, get_engine, name_series
from tsforge.errors import ConfigError, FallbackWarning, ModelNotFoundError
from tsforge.models.statistical import (
    LOCAL_MODELS,
    TSB_ALPHA_D,
    TSB_ALPHA_P,
    LocalModelSpec,
    LocalOptions,
    forecast_series,
    local_options,
    mstl_periods,
)
from tsforge.progress import ProgressBar, bar_options

__all__ = [
    "LocalModelSpec",
    "LOCAL_MODELS",
    "TSB_ALPHA_D",
    "TSB_ALPHA_P",
    "forecast_chunk",
    "forecast_local",
    "warn_fallbacks",
    "fallback_words",
    "NAMED_FALLBACKS",
    "named_series",
    "run_chunks",
    "resolve_models",
    "merge_forecasts",
    "mstl_periods",
    "ConfiguredLocalModel",
    "CHUNK_SERIES",
    "work_chunks",
    "selected_forms",
    "Forms",
]

#: per local model, the forms to keep by series id (:func:`selected_forms`; ``forecast_series``' ``form``)
Forms = Mapping[str, Mapping[str, str]]


def resolve_models(models: Sequence[str], *, global_way: str = "") -> list[LocalModelSpec]:
    """Specs of the named local models; unknown or repeated names raise, naming the culprit.

    ``global_way``: how the caller takes a global model instead (``cross_validation``: wrapped
    as a :class:`~tsforge.panels.cv.PanelForecaster`), said when a name is one; ``{name}`` in it
    is replaced by the model's name.
    """
    if isinstance(models, str):
        models = [models]
    if len(set(models)) != len(models):
        raise ConfigError(f"duplicate model names in {list(models)}", field="models")
    unknown = [m for m in models if m not in LOCAL_MODELS]
    if unknown:
        raise ModelNotFoundError(
            f"{_unknown_local_words(unknown[0], global_way)}; choose from {sorted(LOCAL_MODELS)}",
            field="models",
        )
    return [LOCAL_MODELS[m] for m in models]


def _unknown_local_words(name: str, global_way: str) -> str:
    """Why ``name`` is no local model: a registered global model (and ``global_way``, how this
    caller takes one), else unknown, with the closest local name.

    Why: ``cross_validation(panel, ["dlinear"])`` said "unknown local model 'dlinear'" of a
    model ``tsforge cv --model dlinear`` runs (the command wraps it in ``RefitGlobalModel``),
    and ``"naiv"`` got no suggestion, while ``train_panel`` suggests the closest name.
    """
    from tsforge.data.validation import closest_name
    from tsforge.models.registry import model_names

    key = str(name).strip().lower()
    if key in model_names() and key not in LOCAL_MODELS:
        way = f": {global_way.format(name=key)}" if global_way else ""
        return f"{name!r} is a global model, not a local one{way}"
    guess = closest_name(str(name), sorted(LOCAL_MODELS))
    return f"unknown local model {name!r}" + (f" (did you mean {guess!r}?)" if guess else "")


def _check_h_level(h: int, level: Sequence[float] | None) -> list[int | float]:
    """Validated, sorted, de-duplicated levels; whole numbers as ``int`` so that statsforecast's
    keys and our columns read ``lo-80`` (not ``lo-80.0``), fractional ones (97.5) kept."""
    if whole_number(h, "horizon") < 1:
        raise ConfigError(f"horizon must be at least 1, got {h}", field="horizon")
    level = number_list(level, "level")  # level=80 is [80]; level="80" is refused, not [8, 0]
    values = sorted({float(x) for x in level}) if level else []
    if any(not 0 < x < 100 for x in values):
        raise ConfigError(f"levels must be between 0 and 100, got {list(level or [])}", field="level")
    return [int(x) if x.is_integer() else x for x in values]


#: about this many series per chunk at most (see :func:`work_chunks`)
CHUNK_SERIES = 256


def work_chunks(panel: Panel, min_chunks: int) -> list[Panel]:
    """``panel`` cut into the chunks the engine runs: ``min_chunks`` at least (several per worker,
    so that uneven series balance out) and about :data:`CHUNK_SERIES` series each at most.

    Why the cap: the progress bar moves when a chunk finishes. Chunks of a fixed share of the
    panel (an eighth of it, a quarter of a CV window, or 5,000 series) left the bar at 0 % for
    minutes under AutoETS (tens of milliseconds a series): 2.5 minutes on 5,000 series, far more
    on 50,000. A chunk of 256 series costs about a millisecond of bookkeeping, and each series is
    forecast on its own, so the chunking never changes a number.
    """
    return panel.chunks(max(int(min_chunks), -(-len(panel) // CHUNK_SERIES)))


def forecast_chunk(
    chunk: Panel,
    models: Sequence[str],
    h: int,
    level: Sequence[float] | None = None,
    options: Mapping[str, LocalOptions] | None = None,
    forms: Forms | None = None,
) -> pd.DataFrame:
    """Forecast every series of ``chunk`` ``h`` steps ahead with each local model.

    Returns a Nixtla-style frame ``unique_id, ds, <model>[, <model>-lo-<l>, <model>-hi-<l>]``
    (series in chunk order, ``h`` rows each); interval columns of models without intervals are
    NaN. Pure: no I/O, no globals changed — it is the task both the process pool and Ray run.
    ``frame.attrs["fallbacks"]`` counts, per model, the series forecast by a fallback model;
    ``frame.attrs["fallback_ids"]`` names them all (ids as text: a chunk's frame holds every id of
    its series anyway), so that a cross-validation can count the series that fell back in any of
    its windows once each; :func:`merge_forecasts` keeps the first :data:`NAMED_FALLBACKS`.
    ``options`` (by model name, :class:`~tsforge.models.statistical.LocalOptions`) sets a
    model's season length or history cap; a model without an entry runs with its defaults.
    ``forms`` (by model name, then series id: :func:`selected_forms`) holds a short series' refit to
    the form of its final fit (:func:`~tsforge.models.statistical.forecast_series`' ``form``).
    ``frame.attrs["forms"]`` (the same shape) holds the seasonal form each model that keeps forms
    chose on each series it fitted itself (not held to a form, no fallback asked for): what
    :func:`selected_forms` finds on ``chunk``, read off these fits instead of fitted again. Such a
    model has its entry even where no series chose a season (``{}``): a missing entry would read
    as "not recorded" and have the forms fitted again.
    """
    options = options or {}
    forms = forms or {}
    specs = resolve_models(models)
    levels = _check_h_level(h, level)
    n = len(chunk)
    m = chunk.season_length
    filled = chunk.fill_missing()
    out: dict[str, np.ndarray] = {}
    for spec in specs:
        out[spec.name] = np.full((n, h), np.nan)
        for lv in levels:
            out[f"{spec.name}-lo-{lv}"] = np.full((n, h), np.nan)
            out[f"{spec.name}-hi-{lv}"] = np.full((n, h), np.nan)
    fallbacks: Counter[str] = Counter()
    fell_ids: dict[str, list[str]] = {spec.name: [] for spec in specs}
    caches: dict[str, dict[str, Any]] = {spec.name: {} for spec in specs}  # one per options
    chosen: dict[str, dict[str, str]] = {spec.name: {} for spec in specs}
    for i in range(n):
        y = np.ascontiguousarray(filled.series(i), dtype=np.float64)
        for spec in specs:
            form: list[str | None] = []
            try:
                res, fell_back = forecast_series(
                    spec,
                    y,
                    h,
                    m,
                    levels,
                    caches[spec.name],
                    options=options.get(spec.name),
                    form=forms.get(spec.name, {}).get(str(chunk.ids[i])),
                    chosen=form,
                )
            except Exception as exc:  # statsforecast's own failures fall back; this is anything else
                name_series(exc, chunk.ids[i], spec.name)
                raise
            if form and form[0] is not None:
                chosen[spec.name][str(chunk.ids[i])] = form[0]
            fallbacks[spec.name] += int(fell_back)
            if fell_back:
                fell_ids[spec.name].append(str(chunk.ids[i]))
            out[spec.name][i] = res["mean"]
            for lv in levels:
                for side in ("lo", "hi"):
                    key = f"{side}-{lv}"
                    if key in res:
                        out[f"{spec.name}-{key}"][i] = res[key]
    sid = np.repeat(np.arange(n), h)
    step = chunk.lengths[sid] + np.tile(np.arange(h), n)
    frame = pd.DataFrame(
        {
            "unique_id": chunk.ids[sid],
            "ds": chunk.times_at(sid, step),
            **{k: v.ravel() for k, v in out.items()},
        }
    )
    frame.attrs["fallbacks"] = {s.name: fallbacks[s.name] for s in specs}
    frame.attrs["fallback_ids"] = fell_ids
    from tsforge.models.local_forms import keeps_form  # builds on the statistical models, as this does

    frame.attrs["forms"] = {s.name: chosen[s.name] for s in specs if keeps_form(s.name, m)}
    return frame


def _chunk_task(
    args: tuple[
        Panel,
        list[str],
        int,
        list[float] | None,
        dict[str, LocalOptions] | None,
        dict[str, dict[str, str]] | None,
    ],
) -> pd.DataFrame:
    return forecast_chunk(*args)


def _chunk_forms(chunk: Panel, forms: Forms | None) -> dict[str, dict[str, str]] | None:
    """The part of ``forms`` that concerns ``chunk``'s series (what its task is sent)."""
    if not forms:
        return None
    ids = {str(x) for x in chunk.ids}
    return {model: {k: v for k, v in by_id.items() if k in ids} for model, by_id in forms.items()}


def run_chunks(
    chunks: Sequence[Panel],
    models: Sequence[str],
    h: int,
    level: Sequence[float] | None = None,
    n_jobs: int = 1,
    progress: bool = True,
    desc: str = "local models",
    engine: str | Engine | None = None,
    unit: str = "series",
    options: Mapping[str, LocalOptions] | None = None,
    forms: Forms | None = None,
) -> list[pd.DataFrame]:
    """Run :func:`forecast_chunk` on every chunk and return the frames in chunk order
    (``options``, ``forms``: see there).

    ``unit`` names what a chunk's rows are in the progress bar (cross-validation: windows).

    ``engine`` (see :func:`tsforge.engine.get_engine`; default ``$TSFORGE_ENGINE`` or local)
    schedules the chunks: in-process, a ``fork`` process pool of ``n_jobs`` workers, or Ray
    tasks. The progress bar is advanced in this (the driver) process as chunks finish.
    """
    models = [s.name for s in resolve_models(models)]
    eng = get_engine(engine, n_jobs=n_jobs)
    opts = dict(options) if options else None
    tasks = [
        (c, models, int(h), list(level) if level else None, opts, _chunk_forms(c, forms)) for c in chunks
    ]
    bar = ProgressBar(
        total=sum(len(c) for c in chunks), desc=desc, unit=unit, disable=not progress, **bar_options()
    )
    try:
        return eng.map(_chunk_task, tasks, on_result=lambda i, _: bar.update(len(chunks[i])))
    finally:
        bar.close()


def merge_forecasts(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate chunk results, summing their fallback counts (and keeping the first
    :data:`NAMED_FALLBACKS` ids of series that fell back, in chunk order) and joining the forms
    their fits chose (``attrs["forms"]``, see :func:`forecast_chunk`)."""
    total: Counter[str] = Counter()
    named: dict[str, list[str]] = {}
    forms: dict[str, dict[str, str]] = {}
    for f in frames:
        for model, found in f.attrs.get("forms", {}).items():
            forms.setdefault(model, {}).update(found)
        total.update(f.attrs.get("fallbacks", {}))
        for model, ids in f.attrs.get("fallback_ids", {}).items():
            kept = named.setdefault(model, [])
            kept.extend(ids[: NAMED_FALLBACKS - len(kept)])
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    out.attrs["fallbacks"] = dict(total)
    out.attrs["fallback_ids"] = named
    out.attrs["forms"] = forms
    return out


def forecast_local(
    panel: Panel,
    models: Sequence[str],
    h: int,
    n_jobs: int = 1,
    level: Sequence[float] | None = None,
    progress: bool = True,
    engine: str | Engine | None = None,
    options: Mapping[str, LocalOptions] | None = None,
) -> pd.DataFrame:
    """Forecast every series of ``panel`` ``h`` steps past its own end with local models
    (``options``: see :func:`forecast_chunk`).

    Splits the panel into chunks of about equal work (``Panel.chunks``) and runs
    :func:`forecast_chunk` on them through the engine (in-process, a process pool when
    ``n_jobs > 1``, or Ray). Each series is forecast independently, so the result does not
    depend on the engine, ``n_jobs`` or the chunking; series keep the panel's order.
    ``n_jobs=-1`` uses every CPU. ``frame.attrs["forms"]``: the seasonal form ``auto_ets`` /
    ``auto_arima`` chose on each series (model → series id → form, seasonal ones only), what
    :func:`selected_forms` of ``panel`` finds with the same ``options``, without fitting again.
    """
    require_panel(panel)
    names = [s.name for s in resolve_models(models)]
    _check_h_level(h, level)
    h, level = whole_number(h, "horizon"), number_list(level, "level")
    if options:  # plain dicts become LocalOptions; options of a model not run would do nothing
        unknown = [m for m in options if m not in names]
        if unknown:
            raise ConfigError(
                f"options are given for {unknown[0]!r}, which is not a local model of this run "
                f"(local models: {', '.join(names)})",
                field="options",
            )
        options = {m: local_options(m, config) for m, config in options.items()}
    eng = get_engine(engine, n_jobs=n_jobs)
    chunks = work_chunks(panel, max(8, 4 * eng.workers))
    return merge_forecasts(
        run_chunks(chunks, models, h, level=level, progress=progress, engine=eng, options=options)
    )


def _forms_task(args: tuple[Panel, str, LocalOptions | None]) -> list[str | None]:
    from tsforge.models.local_forms import selected_form

    chunk, model, options = args
    filled = chunk.fill_missing()
    return [selected_form(model, filled.series(i), chunk.season_length, options) for i in range(len(chunk))]


def selected_forms(
    panel: Panel,
    model: str,
    n_jobs: int = 1,
    engine: str | Engine | None = None,
    options: LocalOptions | None = None,
) -> dict[str, str]:
    """The seasonal form ``model`` chooses on each series of ``panel`` (its whole history, as its
    final fit sees it), by series id as text; series whose form has no season are left out
    (:func:`~tsforge.models.local_forms.selected_form`). A pure map over chunks on the engine,
    as the forecasts are, so every engine finds the same forms.
    """
    from tsforge.models.local_forms import keeps_form

    if len(panel) == 0 or not keeps_form(model, (options or LocalOptions()).season(panel.season_length)):
        return {}
    eng = get_engine(engine, n_jobs=n_jobs)
    chunks = work_chunks(panel, max(4, 2 * eng.workers))
    found = eng.map(_forms_task, [(c, model, options) for c in chunks])
    return {
        str(sid): form
        for chunk, forms in zip(chunks, found, strict=True)
        for sid, form in zip(chunk.ids, forms, strict=True)
        if form is not None
    }


@dataclass
class ConfiguredLocalModel:
    """A local model with user options, as a :class:`~tsforge.panels.cv.PanelForecaster`.

    Why: cross-validation and the conformal calibration take local models by name (their
    defaults) and anything else as an object that forecasts a whole panel; a model whose user
    set ``season_length`` or ``max_history`` goes through them as such an object, so one
    window loop serves both (its series still run in chunks on the engine).
    """

    name: str
    options: LocalOptions
    n_jobs: int = 1

    def forecast(self, train: Panel, h: int) -> np.ndarray:
        frame = forecast_local(
            train, [self.name], h, n_jobs=self.n_jobs, progress=False, options={self.name: self.options}
        )
        return frame[self.name].to_numpy(dtype=np.float64).reshape(len(train), h)


#: series named in the fallback note (and kept per model in ``frame.attrs["fallback_ids"]``);
#: more are counted ("and 35 more")
NAMED_FALLBACKS = 5

#: where the fallback note is said: at training (the test window; the season is an option of
#: this run) or when a trained model forecasts (its season was fixed when it was trained)
Stage = Literal["train", "forecast"]


def warn_fallbacks(
    frame: pd.DataFrame,
    model: str,
    n_series: int,
    *,
    season: int | None = None,
    stage: Stage = "train",
) -> int:
    """Say (:class:`~tsforge.errors.FallbackWarning`) how many of ``n_series`` series
    :func:`forecast_local` forecast with ``model``'s fallback instead of ``model``, and which
    (the first :data:`NAMED_FALLBACKS`); returns that count. ``season``: the season ``model`` was
    fitted at (the note then says what "too short" means there; ``None``: it does not).
    ``stage``: ``"train"`` advises the option that sets the season; ``"forecast"`` (a trained
    model forecasting) says the season is the trained model's, so longer histories or training
    it again are the ways out (``tsforge forecast`` has no ``--option``).

    Why at the user-facing forecasts only (a trained model's test window, ``tsforge forecast``),
    not inside :func:`forecast_local`: cross-validation and the knowledge base forecast many
    short windows by design, where a note per call would be noise; a user who asked for seasonal
    naive on a 5-value series should hear that it got naive, and on which series.
    """
    if stage not in ("train", "forecast"):
        raise ConfigError(f"stage must be 'train' or 'forecast', got {stage!r}", field="stage")
    fell = int(frame.attrs.get("fallbacks", {}).get(model, 0))
    if fell:
        why = _too_short_why(LOCAL_MODELS.get(model), season, stage)
        warnings.warn(f"{fallback_words(frame, model, n_series)}{why}", FallbackWarning, stacklevel=2)
    return fell


def fallback_words(frame: pd.DataFrame, model: str, n_series: int) -> str:
    """``5 of 203 series were too short for auto_theta (or it failed on them) and were forecast
    by its fallback (naive, or simpler): T73, …`` from ``frame.attrs`` (:func:`forecast_local`);
    ``""`` when no series fell back.

    Why one place: :func:`warn_fallbacks` says it on the terminal and a cross-validation run
    (:mod:`tsforge.pipeline.cv_run`) records it for a reviewer, in the same words.
    """
    fell = int(frame.attrs.get("fallbacks", {}).get(model, 0))
    if not fell:
        return ""
    spec = LOCAL_MODELS.get(model)
    chain = f" ({spec.fallback}, or simpler)" if spec is not None and spec.fallback else ""
    which = named_series(frame.attrs.get("fallback_ids", {}).get(model, []), fell)
    was = "was" if fell == 1 else "were"
    return (
        f"{fell} of {n_series} series {was} too short for {model} (or it failed on "
        f"{'it' if fell == 1 else 'them'}) and {was} forecast by its fallback{chain}{which}"
    )


def named_series(ids: Sequence[Any], count: int) -> str:
    """``": s03, s04, s05, s06, s07 and 2 more"`` for ``count`` series of which ``ids`` are the
    first (:data:`NAMED_FALLBACKS` named); ``""`` when none is known (a frame not made by
    :func:`forecast_local`).

    Why: "7 of 10 series were too short" left the user to find the seven themselves."""
    shown = [str(x) for x in ids[:NAMED_FALLBACKS]]
    if not shown:
        return ""
    more = count - len(shown)
    return ": " + ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _too_short_why(spec: LocalModelSpec | None, season: int | None, stage: Stage = "train") -> str:
    """What "too short" means for ``spec`` at ``season``, worded from its ``min_length``, with the
    way out when the season is what makes the series short; ``""`` when the length does not
    depend on the season.

    Why: "32 of 40 series were too short for auto_ets" left the user guessing; at season 52
    (weekly data) ETS needs two seasons, 104 values, and a shorter season is one option away —
    at training. A trained model forecasts at the season it was trained at: ``tsforge forecast``
    printed the training option too, which that command does not take.
    """
    if spec is None or not season or season < 2:
        return ""
    needed = int(spec.min_length(season))
    if needed <= int(spec.min_length(1)) or needed >= _NEVER_LENGTH:
        return ""
    seasons = f" ({needed // season} seasons)" if needed % season == 0 and needed > season else ""
    option = "--option season_length=N (Python: model_config={'season_length': N})"
    if stage == "forecast":
        return (
            f"; the model was trained at season {season}, where {spec.name} needs at least {needed} "
            f"values{seasons}: give those series longer histories, or train it again with a shorter "
            f"season: tsforge train ... {option}"
        )
    return (
        f"; at season {season} {spec.name} needs at least {needed} values{seasons}, a shorter season "
        f"fits more series: {option}"
    )


#: ``min_length`` at or above this is a model that never applies at that season (not a length)
_NEVER_LENGTH = 10**9
