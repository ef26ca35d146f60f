"""A weighted average of window models, trained, saved and served as one model.

Why: the long-horizon grid's small models are of very different kinds (period folding, residual
cycles, linear maps with RevIN, channel attention) and their errors are not the same errors:
averaging their forecasts lowers the MSE where no single one of them gets
(``benchmarks/ltsf_ensemble.py``; the README's long-horizon section has the numbers). Panels have
their own ensemble, routed per series (``recommender/routed.py``); this one combines models of
one multichannel task.

Each member keeps its own input length (it reads the last ``input_len`` steps of the ensemble's
window, which is the longest of them), its own options and its own training options; the one
training loop fits every member (:func:`tsforge.training.fitting.train_forecaster`: in turn, or
side by side on the engine, ``--n-jobs`` / ``--engine ray``), and the weights are then set on the
**validation** windows:

* ``weights="equal"`` (default): every member counts the same. Equal weights are the classic
  robust choice (the "forecast combination puzzle": estimated weights seldom beat them out of
  sample) and they need nothing from validation, whose regime can differ from the test period's
  (on ETTh1 the best model on validation is the worst on test);
* ``weights="validation"``: greedy forward selection with replacement on validation MSE
  (Caruana et al., "Ensemble selection from libraries of models", ICML 2004):
  :func:`greedy_weights` over the exact :class:`GramSums` of the members' forecasts.

Members are written ``"sparsetsf"`` (the ensemble's input length), ``"sparsetsf:336"`` (its own
input length) or ``{"model": "nlinear", "input_len": 336, "config": {"revin": true},
"train": {"lr": 0.005}}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from tsforge.errors import ConfigError, ModelNotFoundError
from tsforge.models.base import Forecaster, ModelContext, WindowTask
from tsforge.models.registry import get_model_spec, register_model

if TYPE_CHECKING:
    from tsforge.data.task import ForecastTask
    from tsforge.data.windows import Batch

__all__ = ["EnsembleConfig", "EnsembleForecaster", "GramSums", "MemberSpec", "gram_update", "greedy_weights"]

#: Small, fast and of four different kinds: what ``--model ensemble`` averages by default.
DEFAULT_MEMBERS: tuple[Any, ...] = (
    "sparsetsf",
    "timebase",
    "cyclenet",
    {"model": "nlinear", "config": {"revin": True}},  # RLinear
)
WEIGHTINGS = ("equal", "validation")
GREEDY_STEPS = 25
#: the batch keys that run along the input window (a member reads their last ``input_len`` steps)
_INPUT_KEYS = ("x", "x_mask", "x_cal")


@dataclass
class GramSums:
    """Masked sums over every (window, step, channel) of a split: ``G[i, j] = Σ m·pᵢ·pⱼ``,
    ``b[i] = Σ m·pᵢ·y``, ``c = Σ m·y²``, ``n = Σ m``: the MSE of any weighted average follows
    exactly as ``(wᵀGw − 2wᵀb + c) / n`` without keeping the forecasts."""

    G: np.ndarray
    b: np.ndarray
    c: float = 0.0
    n: float = 0.0

    @classmethod
    def empty(cls, n_members: int) -> GramSums:
        return cls(np.zeros((n_members, n_members)), np.zeros(n_members))

    @classmethod
    def of(cls, n_members: int, batches: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> GramSums:
        """The sums over ``(preds, y, mask)`` batches (see :func:`gram_update`): one pass, whatever
        produces the forecasts (the ensemble's own members, or separately trained models)."""
        sums = cls.empty(n_members)
        for preds, y, mask in batches:
            gram_update(sums, preds, y, mask)
        return sums

    def mse(self, weights: np.ndarray) -> float:
        """MSE of ``Σ wᵢ pᵢ`` against the targets."""
        w = np.asarray(weights, dtype=np.float64)
        return float((w @ self.G @ w - 2.0 * w @ self.b + self.c) / self.n)


def gram_update(sums: GramSums, preds: np.ndarray, y: np.ndarray, mask: np.ndarray) -> None:
    """Add one batch: ``preds`` ``[M, B, H, C]`` (one forecast per member), ``y`` and ``mask``
    ``[B, H, C]``. Float64 sums, so millions of windows keep the small differences."""
    m = np.asarray(mask, dtype=np.float64).reshape(-1)
    P = preds.reshape(preds.shape[0], -1).astype(np.float64) * m
    t = np.asarray(y, dtype=np.float64).reshape(-1) * m
    sums.G += P @ P.T
    sums.b += P @ t
    sums.c += float(t @ t)
    sums.n += float(m.sum())


def greedy_weights(sums: GramSums, steps: int = GREEDY_STEPS) -> tuple[np.ndarray, list[int]]:
    """Greedy forward selection with replacement: add, ``steps`` times, the member that lowers
    the average's MSE most; return the weights (counts / total) of the best prefix and the order.

    Why greedy and not the exact simplex least squares: the weights are multiples of
    ``1 / steps`` a person can read ("3 parts SparseTSF, 1 part CycleNet"), and with thousands
    of windows both fit validation about equally well.
    """
    M = sums.G.shape[0]
    if not (sums.n > 0 and np.isfinite(sums.G).all() and np.isfinite(sums.b).all() and np.isfinite(sums.c)):
        # every trial would be NaN: argmin picks member 0 and the weights come out 0 / 0
        raise ConfigError(
            "greedy weights need every member's forecasts of at least one observed validation "
            f"target to be finite (sums over {sums.n:g} targets; non-finite members: "
            f"{_non_finite_members(sums) or 'none'})",
            field="weights",
        )
    counts = np.zeros(M)
    best, best_counts, order = np.inf, counts.copy(), []
    for k in range(1, steps + 1):
        trials = [sums.mse((counts + np.eye(M)[j]) / k) for j in range(M)]
        j = int(np.argmin(trials))
        counts[j] += 1
        order.append(j)
        if trials[j] < best - 1e-12:
            best, best_counts = trials[j], counts.copy()
    return best_counts / best_counts.sum(), order


def _non_finite_members(sums: GramSums) -> list[int]:
    """Indices of the members whose own sums (``G[i, i]``, ``b[i]``) are not finite."""
    diag = np.diagonal(sums.G)
    return [int(i) for i in np.flatnonzero(~(np.isfinite(diag) & np.isfinite(sums.b)))]


@dataclass(frozen=True)
class MemberSpec:
    """One member: a registered model, its input length (``None`` = the ensemble's), its model
    options and its training options (over the model's own defaults)."""

    model: str
    input_len: int | None = None
    config: dict[str, Any] = field(default_factory=dict)
    train: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, item: Any, position: int) -> MemberSpec:
        where = f"members[{position}]"
        if isinstance(item, str):
            name, _, length = item.strip().partition(":")
            if length and not length.strip().isdigit():
                raise ConfigError(
                    f"{where}: input length {length!r} of {item!r} is not a whole number", field=where
                )
            item = {"model": name.strip(), **({"input_len": int(length)} if length else {})}
        if not isinstance(item, dict) or "model" not in item:
            raise ConfigError(f"{where}: expected 'model', 'model:input_len' or a dict with 'model', got {item!r}", field=where)  # fmt: skip
        unknown = sorted(set(item) - {"model", "input_len", "config", "train"})
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {unknown}; valid: config, input_len, model, train", field=where)  # fmt: skip
        input_len = item.get("input_len")
        if input_len is not None and (
            isinstance(input_len, bool) or not isinstance(input_len, int) or input_len < 1
        ):
            raise ConfigError(
                f"{where}: input_len must be a whole number >= 1, got {input_len!r}", field=where
            )
        for key in ("config", "train"):
            if not isinstance(item.get(key, {}), dict):
                raise ConfigError(f"{where}: {key!r} must be a dict, got {item[key]!r}", field=where)
        return cls(str(item["model"]), input_len, dict(item.get("config", {})), dict(item.get("train", {})))

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "input_len": self.input_len, "config": self.config, "train": self.train}


@dataclass
class EnsembleConfig:
    """Ensemble options.

    Attributes:
        members: the models averaged (see the module docstring; ``None`` = :data:`DEFAULT_MEMBERS`).
        weights: ``"equal"`` or ``"validation"`` (greedy selection on validation MSE).
        seed: passed to members that take one (LightGBM); set from the training seed.
    """

    members: list[Any] | None = None
    weights: str = "equal"
    seed: int | None = None


@register_model(
    "ensemble",
    kind="ensemble",
    summary="Average of window models (each its own input length): equal weights, or weights=validation.",
    training_options=frozenset({"seed", "progress", "num_threads", "device"}),
)
class EnsembleForecaster(Forecaster):
    """The members' forecasts, averaged with :attr:`weights` (set by :meth:`fit_weights`)."""

    Config = EnsembleConfig

    @classmethod
    def prepare_config(cls, options: dict[str, Any], context: ModelContext, *, seed: int) -> dict[str, Any]:
        return {"seed": seed, **options}

    def __init__(self, context: ModelContext, config: dict[str, Any] | Any | None = None) -> None:
        super().__init__(context, config)  # validate() parses and checks self.specs
        self.members: list[Forecaster] = [self.build_member(i) for i in range(len(self.specs))]
        self.weights = np.full(len(self.members), 1.0 / len(self.members))
        # what the predictor checks per request: every member's needs at once
        self.channel_independent = all(m.channel_independent for m in self.members)
        self.needs_known_channels = any(m.needs_known_channels for m in self.members)
        self.uses_calendar = any(m.uses_calendar for m in self.members)

    def build_member(self, i: int) -> Forecaster:
        """A fresh, untrained member ``i``, built exactly as :func:`~tsforge.training.fitting.fit_model`
        builds a model alone: the trainer rebuilds each member right after seeding, so a member
        of an ensemble is the model one gets by training it alone with the same seed."""
        spec = self.specs[i]
        cls = get_model_spec(spec.model).cls
        ctx = replace(self.context, input_len=self.member_input_len(spec))
        seed = 0 if self.config.seed is None else int(self.config.seed)
        return cls(ctx, cls.prepare_config(dict(spec.config), ctx, seed=seed))

    def member_input_len(self, spec: MemberSpec) -> int:
        return self.context.input_len if spec.input_len is None else spec.input_len

    def validate(self) -> None:
        if self.config.weights not in WEIGHTINGS:
            raise ConfigError(
                f"weights must be one of {list(WEIGHTINGS)}, got {self.config.weights!r}", field="weights"
            )
        members = self.config.members
        if members is not None and (not isinstance(members, list | tuple) or not members):
            raise ConfigError(f"members must be a non-empty list, got {members!r}", field="members")
        self.specs = [MemberSpec.parse(m, i) for i, m in enumerate(members or DEFAULT_MEMBERS)]
        for i, spec in enumerate(self.specs):
            if spec.model == self.name:
                raise ConfigError(
                    f"members[{i}]: an ensemble cannot contain an ensemble", field=f"members[{i}]"
                )
            try:
                kind = get_model_spec(spec.model).kind
            except ModelNotFoundError as err:
                raise ConfigError(f"members[{i}]: {err.message}", field=f"members[{i}]") from err
            if kind not in ("neural", "ml", "baseline"):
                raise ConfigError(
                    f"members[{i}]: {spec.model!r} is a {kind} model; an ensemble averages window "
                    "models (neural, LightGBM, baselines)",
                    field=f"members[{i}]",
                )
            if spec.input_len is not None and spec.input_len > self.context.input_len:
                raise ConfigError(
                    f"members[{i}] ({spec.model}) reads {spec.input_len} steps, more than the ensemble's input "
                    f"length {self.context.input_len}: give the ensemble at least that input length "
                    f"(tsforge train --input {spec.input_len}; input_len={spec.input_len} in Python)",
                    field=f"members[{i}]",
                )

    def config_dict(self) -> dict[str, Any]:
        return {
            "members": [s.to_dict() for s in self.specs],
            "weights": self.config.weights,
            "seed": self.config.seed,
        }

    def member_task(self, task: ForecastTask, i: int) -> ForecastTask:
        """``task`` with member ``i``'s input length: the same targets, its own input windows."""
        return replace(task, input_len=self.members[i].context.input_len)

    def fit(self, task: WindowTask, **kwargs: Any) -> Any:
        """Members are neural models too: the one training loop fits them
        (:func:`tsforge.training.fitting.train_forecaster`), then :meth:`fit_weights`."""
        raise TypeError("train an ensemble with tsforge.training.fitting.train_forecaster")

    def member_batch(self, batch: Batch, i: int) -> Batch:
        L = self.members[i].context.input_len
        return {k: (v[:, -L:] if k in _INPUT_KEYS else v) for k, v in batch.items()}

    @torch.no_grad()
    def member_predictions(self, batch: Batch) -> torch.Tensor:
        """``[M, B, H, C]``: every member's forecast of the batch."""
        return torch.stack(
            [m.predict(self.member_batch(batch, i)).float() for i, m in enumerate(self.members)]
        )

    def validation_sums(self, task: ForecastTask, batch_size: int = 128) -> GramSums:
        """Gram sums of the members' forecasts of every validation window."""
        batches = task.dataset("val").batches(batch_size)
        return GramSums.of(
            len(self.members),
            ((self.member_predictions(b).numpy(), b["y"].numpy(), b["y_mask"].numpy()) for b in batches),
        )

    def fit_weights(self, task: ForecastTask) -> dict[str, Any]:
        """Set :attr:`weights` (equal, or greedy on validation) and say what each member scores."""
        sums = self.validation_sums(task)
        bad = _non_finite_members(sums)
        if bad or not sums.n > 0:
            # NaN weights (greedy) or NaN forecasts (equal) would be stored and served otherwise
            names = ", ".join(f"{self.specs[i].model} (members[{i}])" for i in bad)
            raise ConfigError(
                "the ensemble's members must forecast the validation split: "
                + (
                    f"{names} forecast non-finite values there (a diverged member: lower its learning rate)"
                    if bad
                    else "the validation split has no observed target"
                ),
                field="members",
            )
        eye = np.eye(len(self.members))
        if self.config.weights == "validation":
            self.weights, _ = greedy_weights(sums)
        else:
            self.weights = np.full(len(self.members), 1.0 / len(self.members))
        return {
            "weights": self.weights.tolist(),
            "member_val_mse": [sums.mse(eye[i]) for i in range(len(self.members))],
            "ensemble_val_mse": sums.mse(self.weights),
        }

    @torch.no_grad()
    def predict(self, batch: Batch) -> torch.Tensor:
        out: torch.Tensor | None = None
        for i, (w, m) in enumerate(zip(self.weights, self.members, strict=True)):
            if w > 0:
                p = float(w) * m.predict(self.member_batch(batch, i)).float()
                out = p if out is None else out + p
        if out is None:
            # Weights that are all zero or NaN (greedy weighting on a validation split without a
            # finite MSE) would otherwise hand the caller None instead of a forecast.
            raise ConfigError(
                f"the ensemble has no member with a positive weight (weights {self.weights.tolist()}); "
                "refit with weights='equal'",
                field="weights",
            )
        return out

    def get_state(self) -> dict[str, Any]:
        return {"weights": torch.as_tensor(self.weights), "members": [m.get_state() for m in self.members]}

    def set_state(self, state: dict[str, Any]) -> None:
        for m, s in zip(self.members, state["members"], strict=True):
            m.set_state(s)
        self.weights = np.asarray(state["weights"], dtype=np.float64)

    @property
    def n_parameters(self) -> int:
        return sum(m.n_parameters for m in self.members)
