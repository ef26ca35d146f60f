"""Synthetic pattern corpus: KernelSynth-style Gaussian-process composites (ARIES spec §2).

Each series is one draw from GP(0, k) on ``x = linspace(0, 1, L)`` where k joins 1-3 base kernels
drawn with replacement from the ARIES kernel bank with random ``+`` or ``*`` (each with prob. ½,
reduced left to right). The kernel of each series is recorded as a sklearn-style string.

Sampling: a composite kernel is expanded into a sum of terms ``c * (x x')^m * K_stat(x - x')``
(DotProduct(σ0) = σ0² + x x' is the only non-stationary base kernel; products of stationary
kernels are stationary). Independent terms add, so a draw is ``sum sqrt(c) x^m f_term`` with
``f_term ~ GP(0, K_stat)``, and each ``f_term`` is drawn from the spectral side of ``K_stat``:

- white-noise factor: the whole term is white noise (every other base kernel has k(0) = 1);
- only periodic factors: exact. ExpSineSquared(l=1, P) = e^-1 exp(cos(2π d / P)) =
  sum_k e^-1 I_|k|(1) cos(2π k d / P) (modified Bessel weights, truncated at |k| <= 6, error
  < 1e-7), so the term is a finite random Fourier series with those weights;
- with RBF / RationalQuadratic / Matern factors: random Fourier features (Rahimi & Recht), D=1024
  frequencies, each the sum of one draw per factor from its spectral law (normal; normal with a
  Gamma(α, α) precision; Student-t with 2ν dof; the discrete Bessel law for periodic factors).
  Given the frequencies the draw is Gaussian with marginal variance exactly 1; covariances carry
  an O(D^-1/2) Monte-Carlo error. This is the documented approximation; it costs O(D L).

:func:`sample_gp_cholesky` is the dense exact sampler (eigh), used in the tests to check the
marginal statistics of :func:`sample_gp`, and selectable with ``method="exact"`` for short series.

Periodic kernels use ``periodicity = p / L`` so that a period is p steps for every length (for
L = 8192 these are exactly the spec's values, e.g. 0.00635 for p = 52).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tsforge.errors import ConfigError
from tsforge.paths import cache_root

__all__ = [
    "PERIODS",
    "BaseKernel",
    "Composite",
    "kernel_bank",
    "draw_kernel",
    "kernel_matrix",
    "sample_gp",
    "sample_gp_cholesky",
    "generate_corpus",
    "corpus_path",
    "load_corpus",
    "save_corpus",
    "DEFAULT_CORPUS",
    "PAPER_CORPUS",
]

log = logging.getLogger(__name__)

#: Periods (in steps) of the ExpSineSquared kernels of the ARIES bank.
PERIODS: tuple[int, ...] = (4, 6, 7, 10, 12, 14, 24, 26, 30, 40, 48, 52, 60, 96, 168, 336, 365, 672, 730)
MAX_KERNELS = 3
#: Quick default and the paper's size (n_series, length).
DEFAULT_CORPUS = (1000, 2048)
PAPER_CORPUS = (1500, 8192)


@dataclass(frozen=True)
class BaseKernel:
    """One kernel of the bank: ``kind`` and its parameters."""

    kind: str  # periodic | dot | rbf | rq | white | constant | matern
    a: float = (
        0.0  # periodic: period in steps; dot: sigma_0; rbf/matern: length scale; rq: alpha; white: level
    )
    b: float = 0.0  # matern: nu

    def describe(self, length: int) -> str:
        if self.kind == "periodic":
            return f"ExpSineSquared(length_scale=1, periodicity={self.a / length:.3g})"
        if self.kind == "dot":
            return f"DotProduct(sigma_0={self.a:g})"
        if self.kind == "rbf":
            return f"RBF(length_scale={self.a:g})"
        if self.kind == "rq":
            return f"RationalQuadratic(alpha={self.a:g}, length_scale=1)"
        if self.kind == "white":
            return f"WhiteKernel(noise_level={self.a:g})"
        if self.kind == "constant":
            return "1**2"
        return f"Matern(length_scale={self.a:g}, nu={self.b:g})"

    def stationary(self, lag: np.ndarray, length: int) -> np.ndarray:
        """k(d) for the stationary kinds, ``d = |x - x'|`` in [0, 1] units."""
        d = np.abs(lag)
        if self.kind == "periodic":
            return np.exp(-2.0 * np.sin(np.pi * d / (self.a / length)) ** 2)
        if self.kind == "rbf":
            return np.exp(-0.5 * (d / self.a) ** 2)
        if self.kind == "rq":
            return (1.0 + d**2 / (2.0 * self.a)) ** (-self.a)
        if self.kind == "white":
            return np.where(d < 0.5 / max(length - 1, 1), self.a, 0.0)
        if self.kind == "constant":
            return np.ones_like(d)
        if self.kind == "matern":
            r = d / self.a
            if self.b == 1.5:
                return (1.0 + np.sqrt(3) * r) * np.exp(-np.sqrt(3) * r)
            return (1.0 + np.sqrt(5) * r + 5.0 * r**2 / 3.0) * np.exp(-np.sqrt(5) * r)
        raise ValueError(f"{self.kind} is not stationary")


def kernel_bank() -> list[BaseKernel]:
    """The ARIES bank (spec §2): periodic, DotProduct, RBF, RationalQuadratic, White, Constant, Matern."""
    bank = [BaseKernel("periodic", float(p)) for p in PERIODS]
    bank += [BaseKernel("dot", s) for s in (0.0, 1.0, 10.0)]
    bank += [BaseKernel("rbf", s) for s in (0.1, 1.0, 10.0)]
    bank += [BaseKernel("rq", a) for a in (0.1, 1.0, 10.0)]
    bank += [BaseKernel("white", s) for s in (0.1, 1.0, 10.0)]
    bank += [BaseKernel("constant")]
    bank += [BaseKernel("matern", s, nu) for s in (0.1, 1.0, 10.0) for nu in (1.5, 2.5)]
    return bank


@dataclass(frozen=True)
class Composite:
    """Base kernels joined left to right by ``ops`` (``"+"`` or ``"*"``)."""

    kernels: tuple[BaseKernel, ...]
    ops: tuple[str, ...]

    def describe(self, length: int) -> str:
        text = self.kernels[0].describe(length)
        for op, k in zip(self.ops, self.kernels[1:], strict=True):
            if op == "*" and "+" in text:
                text = f"({text})"
            text = f"{text} {op} {k.describe(length)}"
        return text

    def terms(self) -> list[tuple[float, int, tuple[BaseKernel, ...]]]:
        """Expansion into ``(coef, power m of x x', stationary factors)`` terms."""

        def base_terms(k: BaseKernel) -> list[tuple[float, int, tuple[BaseKernel, ...]]]:
            if k.kind == "dot":
                return [(k.a**2, 0, ()), (1.0, 1, ())]
            return [(1.0, 0, (k,))]

        acc = base_terms(self.kernels[0])
        for op, k in zip(self.ops, self.kernels[1:], strict=True):
            nxt = base_terms(k)
            if op == "+":
                acc = acc + nxt
            else:
                acc = [(c1 * c2, m1 + m2, f1 + f2) for c1, m1, f1 in acc for c2, m2, f2 in nxt]
        return [t for t in acc if t[0] > 0]


def draw_kernel(
    rng: np.random.Generator, bank: list[BaseKernel] | None = None, max_kernels: int = MAX_KERNELS
) -> Composite:
    """j ~ U{1..max_kernels} kernels with replacement, each join ``+`` or ``*`` with prob. ½."""
    bank = bank or kernel_bank()
    j = int(rng.integers(1, max_kernels + 1))
    picks = tuple(bank[int(i)] for i in rng.integers(0, len(bank), size=j))
    ops = tuple("+" if rng.random() < 0.5 else "*" for _ in range(j - 1))
    return Composite(picks, ops)


def kernel_matrix(comp: Composite, length: int) -> np.ndarray:
    """Dense ``[L, L]`` covariance of the composite on the grid (for checks and the exact sampler)."""
    x = np.linspace(0.0, 1.0, length)
    lag = x[:, None] - x[None, :]
    total = np.zeros((length, length))
    for coef, m, factors in comp.terms():
        block = np.full((length, length), coef) * np.outer(x**m, x**m)
        for f in factors:
            block = block * f.stationary(lag, length)
        total += block
    return total


N_HARMONICS = 6
N_FEATURES = 1024


def _bessel_weights() -> tuple[np.ndarray, np.ndarray]:
    from scipy.special import iv

    k = np.arange(-N_HARMONICS, N_HARMONICS + 1)
    w = np.exp(-1.0) * iv(np.abs(k), 1.0)
    return k, w / w.sum()


def _periodic_spectrum(periods: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies and weights of a product of ExpSineSquared(l=1) kernels (x in [0, 1] units)."""
    k, w = _bessel_weights()
    freqs, weights = np.zeros(1), np.ones(1)
    for p in periods:
        freqs = (freqs[:, None] + 2 * np.pi * k[None, :] / p).ravel()
        weights = (weights[:, None] * w[None, :]).ravel()
        keep = weights > 1e-9
        freqs, weights = freqs[keep], weights[keep]
    # cos is even: merge +w and -w (and exact duplicates) into one frequency.
    uniq, inv = np.unique(np.round(np.abs(freqs), 9), return_inverse=True)
    merged = np.bincount(inv, weights=weights)
    return uniq, merged / merged.sum()


def _spectral_draws(f: BaseKernel, size: int, rng: np.random.Generator, length: int) -> np.ndarray:
    """Draws from the spectral law of one stationary factor (angular frequency, x in [0, 1])."""
    if f.kind == "rbf":
        return rng.standard_normal(size) / f.a
    if f.kind == "rq":
        tau = rng.gamma(shape=f.a, scale=1.0 / f.a, size=size)
        return rng.standard_normal(size) * np.sqrt(tau)
    if f.kind == "matern":
        return rng.standard_t(2 * f.b, size=size) / f.a
    if f.kind == "periodic":
        k, w = _bessel_weights()
        return 2 * np.pi * rng.choice(k, size=size, p=w) / (f.a / length)
    raise ValueError(f"no spectral law for {f.kind}")


def _fourier_series(
    x: np.ndarray, freqs: np.ndarray, weights: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """``sum_j sqrt(w_j) (a_j cos(ω_j x) + b_j sin(ω_j x))`` on the regular grid ``x``.

    Why not ``cos(outer(ω, x))``: that is D x L transcendental calls. On a grid x_t = t h, with
    t = r B + s, ``exp(i ω x_t) = exp(i ω h B r) exp(i ω h s)``, so the whole series is one complex
    matrix product ``[L/B, D] @ [D, B]`` (BLAS) plus D (L/B + B) exponentials.
    """
    n = x.shape[0]
    coef = (rng.standard_normal(freqs.shape[0]) - 1j * rng.standard_normal(freqs.shape[0])) * np.sqrt(weights)
    if n == 1:
        return np.array([coef.real.sum()])
    h = x[1] - x[0]
    block = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / block))
    inner = np.exp(1j * np.outer(freqs * h, np.arange(block)))  # [D, B]
    outer = coef[None, :] * np.exp(1j * np.outer(np.arange(rows) * block * h, freqs))  # [R, D]
    return (outer @ inner).real.ravel()[:n]  # the grid starts at x_0 = 0


def _stationary_draw(factors: tuple[BaseKernel, ...], x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw of GP(0, prod(factors)) on the grid ``x``."""
    length = x.shape[0]
    white = [f for f in factors if f.kind == "white"]
    if white:
        return np.sqrt(np.prod([f.a for f in white])) * rng.standard_normal(length)
    factors = tuple(f for f in factors if f.kind != "constant")
    if not factors:
        return np.full(length, rng.standard_normal())
    if all(f.kind == "periodic" for f in factors):
        freqs, weights = _periodic_spectrum([f.a / length for f in factors])
        return _fourier_series(x, freqs, weights, rng)
    freqs = np.zeros(N_FEATURES)
    for f in factors:
        freqs = freqs + _spectral_draws(f, N_FEATURES, rng, length)
    return _fourier_series(x, freqs, np.full(N_FEATURES, 1.0 / N_FEATURES), rng)


def sample_gp(comp: Composite, length: int, rng: np.random.Generator) -> np.ndarray:
    """One draw from GP(0, comp) on ``linspace(0, 1, length)`` (spectral sampler, see module doc)."""
    x = np.linspace(0.0, 1.0, length)
    out = np.zeros(length)
    for coef, m, factors in comp.terms():
        out += np.sqrt(coef) * x**m * _stationary_draw(factors, x, rng)
    return out


def sample_gp_cholesky(
    comp: Composite, length: int, rng: np.random.Generator, jitter: float = 1e-8
) -> np.ndarray:
    """Dense exact sampler via eigh (moderate lengths only; used to validate :func:`sample_gp`)."""
    k = kernel_matrix(comp, length)
    w, v = np.linalg.eigh(k + jitter * np.eye(length))
    return v @ (np.sqrt(np.clip(w, 0.0, None)) * rng.standard_normal(length))


def generate_corpus(
    n_series: int = DEFAULT_CORPUS[0],
    length: int = DEFAULT_CORPUS[1],
    seed: int = 0,
    method: str = "spectral",
) -> tuple[np.ndarray, list[str]]:
    """``(values [n_series, length] float32, kernel strings)``; series i depends only on (seed, i).

    Args:
        method: ``"spectral"`` (default, O(L) per series) or ``"exact"`` (dense eigh, O(L^3);
            only for short series).
    """
    if n_series < 1 or length < 2:
        raise ConfigError("a corpus needs n_series >= 1 and length >= 2", field="n_series/length")
    if method not in ("spectral", "exact"):
        raise ConfigError(f"unknown sampling method {method!r}; choose 'spectral' or 'exact'", field="method")
    sampler = sample_gp if method == "spectral" else sample_gp_cholesky
    bank = kernel_bank()
    values = np.empty((n_series, length), dtype=np.float32)
    kernels: list[str] = []
    for i, ss in enumerate(np.random.SeedSequence(seed).spawn(n_series)):
        rng = np.random.default_rng(ss)
        comp = draw_kernel(rng, bank)
        values[i] = sampler(comp, length, rng)
        kernels.append(comp.describe(length))
    return values, kernels


def corpus_path(n_series: int, length: int, seed: int, cache: str | os.PathLike[str] | None = None) -> Path:
    """``<cache>/corpus/kernelsynth_n{n}_L{L}_s{seed}.parquet`` (default cache: :func:`tsforge.paths.cache_root`)."""
    if cache is None:
        cache = cache_root()
    return Path(cache) / "corpus" / f"kernelsynth_n{n_series}_L{length}_s{seed}.parquet"


def save_corpus(values: np.ndarray, kernels: list[str], path: str | os.PathLike[str], seed: int) -> Path:
    """Write a corpus as Parquet: one row per series (``unique_id``, ``kernel``, ``values`` list<float32>)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    length = values.shape[1]
    flat = pa.array(np.ascontiguousarray(values, dtype=np.float32).ravel())
    col = pa.FixedSizeListArray.from_arrays(flat, length)
    table = pa.table(
        {
            "unique_id": pa.array([f"synth_{i:05d}" for i in range(values.shape[0])]),
            "kernel": pa.array(kernels),
            "values": col,
        }
    ).replace_schema_metadata({"generator": "kernelsynth", "seed": str(seed), "length": str(length)})
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)
    return path


def load_corpus(
    n_series: int = DEFAULT_CORPUS[0],
    length: int = DEFAULT_CORPUS[1],
    seed: int = 0,
    *,
    cache: str | os.PathLike[str] | None = None,
    regenerate: bool = False,
) -> tuple[np.ndarray, list[str]]:
    """The corpus for (n_series, length, seed): read from the Parquet cache or generated and stored."""
    import pyarrow.parquet as pq

    path = corpus_path(n_series, length, seed, cache)
    if path.exists() and not regenerate:
        try:
            table = pq.read_table(path)
            vals = table.column("values").combine_chunks().flatten().to_numpy().reshape(-1, length)
            return vals.astype(np.float32), table.column("kernel").to_pylist()
        except (OSError, ValueError) as exc:
            log.warning("unreadable corpus cache %s (%s); regenerating", path, exc)
    values, kernels = generate_corpus(n_series, length, seed)
    try:
        save_corpus(values, kernels, path, seed)
    except OSError as exc:
        log.warning("could not cache corpus at %s: %s", path, exc)
    return values, kernels
