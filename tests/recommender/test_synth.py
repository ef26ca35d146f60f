"""KernelSynth corpus: determinism, kernel bank, Parquet store, and the sampler's statistics."""

import numpy as np
import pytest

from recommender.synth import (
    PERIODS,
    BaseKernel,
    Composite,
    draw_kernel,
    generate_corpus,
    kernel_bank,
    kernel_matrix,
    load_corpus,
    sample_gp,
    sample_gp_cholesky,
)
from tsforge.errors import ConfigError


def test_bank_matches_spec():
    bank = kernel_bank()
    kinds = [k.kind for k in bank]
    assert sorted(k.a for k in bank if k.kind == "periodic") == sorted(PERIODS)
    assert {k.a for k in bank if k.kind == "white"} == {0.1, 1.0, 10.0}
    assert kinds.count("matern") == 6 and kinds.count("constant") == 1 and kinds.count("dot") == 3
    assert BaseKernel("periodic", 52).describe(8192) == "ExpSineSquared(length_scale=1, periodicity=0.00635)"


def test_composites_use_one_to_three_kernels():
    rng = np.random.default_rng(0)
    sizes = [len(draw_kernel(rng).kernels) for _ in range(300)]
    assert set(sizes) == {1, 2, 3}


def test_deterministic_and_recorded():
    a, ka = generate_corpus(6, 256, seed=3)
    b, kb = generate_corpus(6, 256, seed=3)
    c, _ = generate_corpus(6, 256, seed=4)
    assert a.dtype == np.float32 and a.shape == (6, 256)
    np.testing.assert_array_equal(a, b)
    assert ka == kb and all(isinstance(k, str) and k for k in ka)
    assert not np.array_equal(a, c)
    # series i depends only on (seed, i): a longer corpus starts with the same series
    d, _ = generate_corpus(8, 256, seed=3)
    np.testing.assert_array_equal(a, d[:6])


def test_parquet_round_trip(tmp_path):
    v1, k1 = load_corpus(5, 128, seed=1, cache=tmp_path)
    files = list((tmp_path / "corpus").glob("*.parquet"))
    assert len(files) == 1
    v2, k2 = load_corpus(5, 128, seed=1, cache=tmp_path)
    np.testing.assert_array_equal(v1, v2)
    assert k1 == k2


def test_invalid_sizes():
    with pytest.raises(ConfigError):
        generate_corpus(0, 100)


@pytest.mark.parametrize(
    "comp",
    [
        Composite((BaseKernel("periodic", 24.0),), ()),
        Composite((BaseKernel("periodic", 12.0), BaseKernel("periodic", 30.0)), ("*",)),
        Composite((BaseKernel("rbf", 0.1), BaseKernel("dot", 1.0)), ("+",)),
        Composite((BaseKernel("matern", 0.1, 1.5), BaseKernel("periodic", 40.0)), ("*",)),
        Composite((BaseKernel("rq", 1.0), BaseKernel("white", 1.0), BaseKernel("dot", 0.0)), ("+", "*")),
    ],
)
def test_sampler_covariance_matches_kernel(comp):
    n, draws = 64, 2000
    rng = np.random.default_rng(11)
    k = kernel_matrix(comp, n)
    s = np.stack([sample_gp(comp, n, rng) for _ in range(draws)])
    emp = s.T @ s / draws
    scale = np.sqrt(np.outer(np.diag(k), np.diag(k)))
    # marginal variances within Monte-Carlo error; correlations within a few percent
    np.testing.assert_allclose(np.diag(emp), np.diag(k), rtol=0.12)
    assert np.max(np.abs(emp - k) / np.maximum(scale, 1e-12)) < 0.15
    assert np.abs(s.mean(axis=0)).max() < 0.15 * np.sqrt(np.diag(k).max())


def test_exact_sampler_agrees_in_variance():
    comp = Composite((BaseKernel("matern", 1.0, 2.5), BaseKernel("periodic", 24.0)), ("+",))
    rng = np.random.default_rng(0)
    s = np.stack([sample_gp_cholesky(comp, 48, rng) for _ in range(1500)])
    np.testing.assert_allclose(s.var(axis=0), np.diag(kernel_matrix(comp, 48)), rtol=0.12)
