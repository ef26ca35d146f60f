"""Recommend a model for a panel by validation: each candidate forecasts every series' validation
window (the ``H`` values before the test window) and the lowest mean MASE wins.

Why validation and not the property-based ranker: the dataset-level ranker was trained on long
multichannel data and does not transfer to panels of short series (it ranked DLinear first on
a monthly panel where seasonal naive was 50 % better). Scoring the candidates on the data's own
validation window is slower but honest. The per-series, property-based recommender
(:mod:`recommender.series_recommendation`, ``tsforge recommend DATA --per-series``) builds on it:
its routed ensemble pools each series towards the candidates' validation errors, and its
leave-one-collection-out benchmark keeps this validation pick as the baseline it has to beat
(``benchmarks/results/recommender_per_series.json``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from tsforge.data.panel import Panel
from tsforge.errors import ConfigError, TsforgeError

__all__ = ["PANEL_CANDIDATES", "PanelRecommendation", "recommend_panel"]

#: Fast, strong-on-panels candidates: two benchmarks, two statistical models, two global models.
PANEL_CANDIDATES = ("seasonal_naive", "naive", "auto_theta", "auto_ets", "nlinear", "dlinear")


@dataclass
class PanelRecommendation:
    """Candidates ranked by validation MASE (best first), with the reason in words."""

    dataset: str
    horizon: int
    ranking: list[dict[str, Any]]
    explanation: str
    n_series: int
    seconds: dict[str, float] = field(default_factory=dict)
    #: candidates that could not be trained on this panel → why (e.g. a global model whose
    #: training windows the series are too short for); they are not ranked
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def best(self) -> str:
        return str(self.ranking[0]["model"])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def recommend_panel(
    panel: Panel,
    horizon: int,
    candidates: Sequence[str] = PANEL_CANDIDATES,
    *,
    n_jobs: int = 1,
    seed: int = 2024,
    progress: Callable[[str, int, int], None] | None = None,
) -> PanelRecommendation:
    """Rank ``candidates`` by mean validation MASE on ``panel`` (test windows are never looked at)."""
    import time

    from tsforge.pipeline import TrackingOptions, train_panel

    if not candidates:
        raise ConfigError("no candidate models to compare", field="candidates")
    from tsforge.panels.protocol import holdout_split

    holdout_split(panel, horizon)  # a panel the protocol refuses is refused once, not per candidate
    rows, seconds, skipped = [], {}, {}
    quiet = TrackingOptions(track=False, progress=False)
    for i, model in enumerate(candidates):
        t0 = time.perf_counter()
        try:
            out = train_panel(
                panel, model, horizon=horizon, seed=seed, n_jobs=n_jobs, tracking=quiet, intervals=False
            )
        except TsforgeError as exc:
            # one candidate the data cannot train (a global model's windows on series this short)
            # must not sink the ranking of the others; the answer says which and why
            skipped[model] = exc.message
            continue
        finally:
            seconds[model] = time.perf_counter() - t0
            if progress:
                progress(f"validating {model}", i + 1, len(candidates))
        rows.append(
            {"model": model, "val_mase": out.metrics["val_mase"], "val_smape": out.metrics["val_smape"]}
        )
    if not rows:
        first = next(iter(skipped.items()))
        raise ConfigError(
            f"no candidate can be trained on this panel: {first[0]}: {first[1]}", field="horizon"
        )
    rows.sort(key=lambda r: (r["val_mase"], candidates.index(r["model"])))
    best, runner = rows[0], rows[1] if len(rows) > 1 else None
    text = f"{best['model']} has the lowest validation MASE ({best['val_mase']:.3f}) on every series' last {horizon} values before the test window"
    if runner is not None:
        gap = 100 * (1 - best["val_mase"] / runner["val_mase"])
        text += f", {gap:.{0 if gap >= 1 else 1}f}% below {runner['model']} ({runner['val_mase']:.3f})"
    if skipped:
        text += f"; not ranked: {', '.join(skipped)} ({next(iter(skipped.values()))})"
    return PanelRecommendation(panel.name, int(horizon), rows, text, len(panel), seconds, skipped)
