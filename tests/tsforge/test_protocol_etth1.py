"""Acceptance: DLinear on ETTh1 (L=336, H=96, ETT borders, all 7 channels, normalised metrics)
reproduces the DLinear paper's test MSE 0.375 within ±0.01."""

import pytest

from tsforge.data.catalog import get_entry


@pytest.mark.slow
def test_dlinear_etth1_reproduces_the_published_mse():
    if not get_entry("etth1").available:
        pytest.skip("ETTh1 not available: ../shared/datasets is not beside this checkout")
    from tsforge.pipeline import train

    out = train("etth1", "dlinear", input_len=336, horizon=96, track=False, progress=False)
    assert out.task.split == "ett" and out.task.data.n_channels == 7
    assert out.test.n_windows == 2880 - 96 + 1
    assert out.metrics["test_mse"] == pytest.approx(0.375, abs=0.01)
