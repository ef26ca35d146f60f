"""Batched ARCH-LM against statsmodels.het_arch, GARCH-like vs homoscedastic noise."""

import numpy as np
import pytest
from statsmodels.stats.diagnostic import het_arch

from recommender.properties._batch import linear_detrend
from recommender.properties.scedasticity import arch_lm_batch


def _garch(n, rng, omega=0.1, alpha=0.3, beta=0.6):
    e = np.zeros(n)
    s2 = omega / (1 - alpha - beta)
    for t in range(n):
        e[t] = np.sqrt(s2) * rng.standard_normal()
        s2 = omega + alpha * e[t] ** 2 + beta * s2
    return e


def test_matches_statsmodels():
    rng = np.random.default_rng(0)
    x = np.stack([rng.standard_normal(336), _garch(336, rng), np.cumsum(rng.standard_normal(336))])
    fast = arch_lm_batch(x)
    for i, row in enumerate(x):
        lm, p = het_arch(linear_detrend(row[None])[0], result_object=True)[:2]
        assert fast["lm"][i] == pytest.approx(lm, rel=1e-8)
        assert fast["pvalue"][i] == pytest.approx(p, rel=1e-6, abs=1e-300)


def test_garch_is_heteroscedastic_noise_is_not():
    rng = np.random.default_rng(5)
    garch = np.stack([_garch(336, rng, alpha=0.5, beta=0.45) for _ in range(5)])
    noise = rng.standard_normal((5, 336))
    assert arch_lm_batch(garch)["label"].sum() == 0
    assert arch_lm_batch(noise)["label"].sum() >= 4


def test_perfect_line_is_homoscedastic():
    assert arch_lm_batch(np.linspace(0, 1, 336)[None])["label"][0] == 1
