"""A global LightGBM forecaster on lags and calendar features.

Multi-step strategy: **direct**, with one global model for all channels and all horizon steps;
the horizon step ``h`` is a feature. Each training row is one (window, channel, step) triple,
sampled at random up to ``max_train_rows``, so the model never feeds its own predictions back
(no error accumulation as in recursive forecasting) and one booster serves every horizon.

Features of a row (all on the normalised scale): the last ``n_lags`` inputs; two *seasonal
analogues* (the input value at the same phase of the target step one and two seasons back);
the last-season mean and the window std; ``h``; and the calendar indices of the target step
when the series has timestamps.

Native quantiles: with ``quantiles=(0.1, 0.9)`` one more booster per quantile is trained on the
same rows with LightGBM's ``quantile`` objective; :meth:`LightGBMForecaster.predict_quantiles`
returns them (the point booster is unchanged).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from tsforge.errors import ConfigError
from tsforge.models.base import FitReport, Forecaster, ModelContext, check_at_least_one
from tsforge.models.registry import register_model
from tsforge.progress import CallbackBar, callback_bar

if TYPE_CHECKING:
    import lightgbm as lgb

__all__ = ["LightGBMForecaster", "LightGBMConfig"]


def _rounds_shown(bar: CallbackBar | None, description: str) -> list[Callable[[Any], None]]:
    """A LightGBM callback moving ``bar`` on by each boosting round under ``description`` (none
    without a bar: no progress asked).

    Why: ``tsforge train <panel> -m lightgbm`` printed nothing for minutes (2½ on 203 series),
    where a network shows its epochs and a local model its series; a booster's rounds are its
    epochs. Each booster (the point one, one per quantile) counts its own rounds: a new phase.
    """
    if bar is None:
        return []

    def show(env: Any) -> None:
        total = env.end_iteration - env.begin_iteration
        bar(env.iteration + 1 - env.begin_iteration, total, description)

    return [show]


@dataclass
class LightGBMConfig:
    """Options of ``lightgbm``: features (``n_lags``), booster settings, and the row budget.

    ``max_train_rows``/``max_val_rows`` cap the sampled (window, channel, step) rows, which
    bounds memory and time on long multichannel data; ``quantiles`` adds one booster each
    (sorted and deduplicated here, so their forecasts are in order).
    """

    n_lags: int = 48
    n_estimators: int = 300
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_child_samples: int = 50
    feature_fraction: float = 0.9
    max_train_rows: int = 200_000
    max_val_rows: int = 50_000
    early_stopping_rounds: int = 30
    seed: int = 2024
    quantiles: tuple[float, ...] = ()  # extra quantile boosters (LightGBM "quantile" objective)

    def __post_init__(self) -> None:
        self.quantiles = tuple(sorted({float(q) for q in self.quantiles}))
        if any(not 0 < q < 1 for q in self.quantiles):
            raise ConfigError(f"quantiles must lie in (0, 1), got {list(self.quantiles)}", field="quantiles")


#: Lag counts a tuning run tries (each at most the input window: see :func:`_space`).
LAG_CHOICES = (24, 48, 96)


def lags_used(n_lags: int, input_len: int) -> int:
    """The lags a model with ``n_lags`` reads from an ``input_len``-step window: at most the window."""
    return max(1, min(int(n_lags), int(input_len)))


def _space(trial: Any, context: ModelContext | None = None) -> dict[str, dict[str, Any]]:
    """Tuning space; ``n_lags`` offers each lag count the input window can tell apart once.

    Why: the model reads at most ``input_len`` lags (:func:`lags_used`), so on a panel of
    monthly series with a 24-step window the choices 24, 48 and 96 trained one model three
    ways while the study (its best-trial table, ``best.json``, the parameter importances)
    reported 48 or 96. Without a ``context`` (no data known) every choice is offered.
    """
    lags = LAG_CHOICES if context is None else sorted({lags_used(n, context.input_len) for n in LAG_CHOICES})
    return {
        "model": {
            "n_lags": trial.suggest_categorical("n_lags", list(lags)),
            "num_leaves": trial.suggest_int("num_leaves", 15, 127, log=True),
            "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.2, log=True),
            "min_child_samples": trial.suggest_int("min_child_samples", 10, 200, log=True),
        },
        "train": {},
    }


def _objective(loss: str | None) -> tuple[str, str]:
    """LightGBM's objective and the name of its validation metric for the run's training loss:
    ``mae`` → ``l1``, anything else → squared error (``regression`` / ``l2``).

    Why follow the loss: panels train every global model on MAE (their scaled targets are heavy
    -tailed: a short, nearly flat input window turns an ordinary future value into tens of
    standard deviations). Under squared error a few such rows set whole leaves, and the booster
    then forecasts far off for *other* series (seen on M1 yearly: a constant 10× the level).
    """
    return ("l1", "l1") if str(loss or "mse").lower() == "mae" else ("regression", "l2")


@register_model(
    "lightgbm",
    kind="ml",
    summary="Global gradient-boosted trees on lags + calendar, direct multi-step.",
    search_space=_space,
    training_options=frozenset({"loss"}),  # the objective follows the loss (see _objective)
)
class LightGBMForecaster(Forecaster):
    """One global, direct multi-step booster for every channel and horizon step (see the module).

    Not a neural model: the training loop's options are ignored except ``loss``, which picks the
    objective (:func:`_objective`); ``seed`` defaults to the run's seed (:meth:`prepare_config`).
    """

    Config = LightGBMConfig
    budget_config = {
        "n_estimators": 80,
        "max_train_rows": 40_000,
        "max_val_rows": 10_000,
        "early_stopping_rounds": 10,
    }

    @classmethod
    def prepare_config(cls, options: dict[str, Any], context: ModelContext, *, seed: int) -> dict[str, Any]:
        """The run's seed drives LightGBM's own sampling unless the user set ``seed``."""
        return {"seed": int(seed), **options}

    def validate(self) -> None:
        """Refuse values LightGBM would reject mid-fit with a C++ check message (and traceback).

        Why here: ``num_leaves=1`` or a negative learning rate once failed inside the booster,
        after the data was prepared and an MLflow run had opened.
        """
        c = self.config
        check_at_least_one(
            c, ("n_lags", "n_estimators", "max_train_rows", "max_val_rows", "early_stopping_rounds")
        )
        if int(c.num_leaves) < 2:
            raise ConfigError(f"num_leaves must be at least 2, got {c.num_leaves}", field="num_leaves")
        if int(c.min_child_samples) < 0:
            raise ConfigError(
                f"min_child_samples must be at least 0, got {c.min_child_samples}", field="min_child_samples"
            )
        if not float(c.learning_rate) > 0:  # also refuses NaN
            raise ConfigError(f"learning_rate must be above 0, got {c.learning_rate}", field="learning_rate")
        if not 0 < float(c.feature_fraction) <= 1:
            raise ConfigError(
                f"feature_fraction must be in (0, 1], got {c.feature_fraction}", field="feature_fraction"
            )

    def __init__(self, context, config=None) -> None:
        super().__init__(context, config)
        self.booster_: lgb.Booster | None = None
        self.quantile_boosters_: dict[float, lgb.Booster] = {}

    # -- features ---------------------------------------------------------------------------
    @property
    def _n_lags(self) -> int:
        return lags_used(self.config.n_lags, self.context.input_len)

    def _features(
        self, batch: dict[str, torch.Tensor], b: np.ndarray, c: np.ndarray, h: np.ndarray
    ) -> np.ndarray:
        """Feature rows for (window ``b``, channel ``c``, 0-based step ``h``) index arrays."""
        x = batch["x"].numpy()  # [B, L, C]
        L = x.shape[1]
        m = max(1, min(self.context.season_length, L))
        lags = x[b[:, None], L - 1 - np.arange(self._n_lags)[None, :], c[:, None]]  # [R, n_lags]
        k1 = (h // m) + 1
        idx1 = L - 1 + (h + 1) - m * k1
        idx2 = idx1 - m
        seas1 = x[b, np.clip(idx1, 0, L - 1), c]
        seas2 = np.where(idx2 >= 0, x[b, np.clip(idx2, 0, L - 1), c], np.nan)
        season_mean = x[:, L - m :, :].mean(axis=1)[b, c]
        window_std = x.std(axis=1)[b, c]
        cols = [
            lags,
            seas1[:, None],
            seas2[:, None],
            season_mean[:, None],
            window_std[:, None],
            h[:, None] + 1.0,
        ]
        if self.context.calendar_terms:
            # always the same columns: NaN (LightGBM's "missing") when a request has no timestamps
            if "y_cal" in batch:
                cols.append(batch["y_cal"].numpy()[b, h].astype(np.float32))  # [R, 4]
            else:
                cols.append(np.full((len(b), 4), np.nan, dtype=np.float32))
        return np.concatenate(cols, axis=1).astype(np.float32)

    def _sample_rows(self, data, n_rows: int, rng: np.random.Generator):
        n = len(data)
        C, H = self.context.n_channels, self.context.horizon
        total = n * C * H
        pick = (
            rng.choice(total, size=min(n_rows, total), replace=False) if total > n_rows else np.arange(total)
        )
        w, rest = np.divmod(pick, C * H)
        c, h = np.divmod(rest, H)
        order = np.argsort(w, kind="stable")
        w, c, h = w[order], c[order], h[order]
        uniq, inv = np.unique(w, return_inverse=True)
        feats, targets = [], []
        for lo in range(0, len(uniq), 512):
            sel = (inv >= lo) & (inv < lo + 512)
            batch = data.get_batch(torch.as_tensor(uniq[lo : lo + 512]))
            bb = inv[sel] - lo
            X = self._features(batch, bb, c[sel], h[sel])
            y = batch["y"].numpy()[bb, h[sel], c[sel]]
            ok = batch["y_mask"].numpy()[bb, h[sel], c[sel]]
            feats.append(X[ok])
            targets.append(y[ok])
        return np.concatenate(feats), np.concatenate(targets)

    # -- Forecaster API ------------------------------------------------------------------------
    def fit(self, task, *, train_config=None, loss=None, callbacks: Sequence = ()) -> FitReport:
        t0 = time.perf_counter()
        cfg = self.config
        rng = np.random.default_rng(cfg.seed)
        X_tr, y_tr = self._sample_rows(task.dataset("train"), cfg.max_train_rows, rng)
        X_va, y_va = self._sample_rows(task.dataset("val"), cfg.max_val_rows, rng)
        if not len(y_tr):
            # a panel of series that are nothing but zeros so far: no window has a unit to learn in
            raise ConfigError(
                "LightGBM has no training window to learn from (every target follows a history of "
                "only missing values or zeros); use a local model such as naive or croston",
                field="model",
            )
        objective, metric = _objective(getattr(train_config, "loss", "mse"))
        params = {
            "objective": objective,
            "learning_rate": cfg.learning_rate,
            "num_leaves": cfg.num_leaves,
            "min_child_samples": cfg.min_child_samples,
            "feature_fraction": cfg.feature_fraction,
            "seed": cfg.seed,
            "deterministic": True,
            "force_row_wise": True,
            "verbosity": -1,
        }
        import lightgbm as lgb  # imported here: 2.4 s (scikit-learn) that no other model needs

        evals: dict[str, Any] = {}
        # no validation target (every validation window follows only zeros): all rounds, no stopping
        validate = bool(len(y_va))

        def valid(extra: Sequence = ()) -> dict[str, Any]:
            if not validate:
                return {"callbacks": list(extra)}
            return {
                "valid_sets": [lgb.Dataset(X_va, y_va)],
                "valid_names": ["val"],
                "callbacks": [lgb.early_stopping(cfg.early_stopping_rounds, verbose=False), *extra],
            }

        progress = bool(getattr(train_config, "progress", False))
        # lazy: opened by the first round, its total known ("LightGBM: 0round" in a log before)
        with callback_bar("LightGBM", unit="round", leave=False, enabled=progress, lazy=True) as bar:
            booster = lgb.train(
                params,
                lgb.Dataset(X_tr, y_tr),
                num_boost_round=cfg.n_estimators,
                **valid([lgb.record_evaluation(evals), *_rounds_shown(bar, "LightGBM boosting rounds")]),
            )
            self.booster_ = booster
            self.quantile_boosters_ = {}
            for q in cfg.quantiles:
                self.quantile_boosters_[q] = lgb.train(
                    {**params, "objective": "quantile", "alpha": q},
                    lgb.Dataset(X_tr, y_tr),
                    num_boost_round=cfg.n_estimators,
                    **valid(_rounds_shown(bar, f"LightGBM boosting rounds, quantile {q:g}")),
                )
        val_curve = evals.get("val", {}).get(metric, [])
        history = [{"epoch": float(i), "val_loss": float(v)} for i, v in enumerate(val_curve)]
        best = booster.best_iteration or len(val_curve)
        return FitReport(
            history=history,
            best_epoch=best - 1 if best else None,
            best_val_loss=float(val_curve[best - 1]) if val_curve else None,
            train_seconds=time.perf_counter() - t0,
            extra={"train_rows": int(len(y_tr)), "n_features": int(X_tr.shape[1])},
        )

    def predict(self, batch) -> torch.Tensor:
        if self.booster_ is None:
            raise RuntimeError("LightGBM model is not fitted")
        return self._predict_with(self.booster_, batch)

    def _predict_with(self, booster: lgb.Booster, batch) -> torch.Tensor:
        B, _, C = batch["x"].shape
        H = self.context.horizon
        b, c, h = (a.ravel() for a in np.meshgrid(np.arange(B), np.arange(C), np.arange(H), indexing="ij"))
        out = np.empty(B * C * H, dtype=np.float32)
        chunk = 400_000
        for lo in range(0, out.size, chunk):
            sl = slice(lo, lo + chunk)
            out[sl] = booster.predict(
                self._features(batch, b[sl], c[sl], h[sl]), num_iteration=booster.best_iteration or None
            )
        return torch.from_numpy(out.reshape(B, C, H).transpose(0, 2, 1).copy())

    def predict_quantiles(self, batch) -> torch.Tensor:
        """``[B, H, C, Q]`` forecasts of the trained ``config.quantiles`` (sorted, so never crossing)."""
        if not self.quantile_boosters_:
            raise ConfigError("this LightGBM model was trained without quantiles", field="quantiles")
        qs = sorted(self.quantile_boosters_)
        out = torch.stack([self._predict_with(self.quantile_boosters_[q], batch) for q in qs], dim=-1)
        return torch.sort(out, dim=-1).values

    def get_state(self) -> dict[str, Any]:
        return {
            "booster": self.booster_.model_to_string() if self.booster_ is not None else None,
            "quantile_boosters": {str(q): b.model_to_string() for q, b in self.quantile_boosters_.items()},
        }

    def set_state(self, state: dict[str, Any]) -> None:
        import lightgbm as lgb

        self.booster_ = lgb.Booster(model_str=state["booster"]) if state.get("booster") else None
        self.quantile_boosters_ = {
            float(q): lgb.Booster(model_str=s) for q, s in (state.get("quantile_boosters") or {}).items()
        }

    @property
    def n_parameters(self) -> int:
        if self.booster_ is None:
            return 0
        return int(sum(t["num_leaves"] for t in self.booster_.dump_model()["tree_info"]))
