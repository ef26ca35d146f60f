"""RevIN (the shared reversible instance normalisation) and the period folding helpers."""

from __future__ import annotations

import pytest
import torch

from tsforge.models import ModelContext, build_model
from tsforge.models.base import NeuralForecaster
from tsforge.models.layers import RevIN, fold_periods, n_segments, unfold_periods

#: every neural model with a ``revin`` option, and the options that switch it on
REVIN_MODELS = [
    ("dlinear", {"revin": True}),
    ("nlinear", {"revin": True}),
    ("stpe_mlp", {"revin": True, "dropout": 0.0, "calendar": False}),
    ("hutformer", {"revin": True, "dropout": 0.0, "calendar_terms": "", "stages": 2, "window": 2}),
    ("sparsetsf", {"revin": True}),
    ("timebase", {"revin": True}),
    ("cyclenet", {"revin": True}),
    ("cyclenet_mlp", {"revin": True, "d_model": 32}),
    ("patchtst", {"revin": True, "dropout": 0.0}),
    ("itransformer", {"revin": True, "dropout": 0.0}),
]


def test_revin_round_trip_is_the_identity() -> None:
    g = torch.Generator().manual_seed(0)
    scale, level = torch.tensor([1.0, 10.0, 0.01]), torch.tensor([5.0, -3.0, 100.0])
    x = (torch.randn(4, 50, 3, generator=g) * scale + level).double()
    for scaled in (True, False):
        norm = RevIN(scale=scaled)
        z, stats = norm.normalize(x)
        torch.testing.assert_close(norm.denormalize(z, stats), x)
        torch.testing.assert_close(z.mean(1), torch.zeros(4, 3, dtype=torch.float64), rtol=0, atol=1e-9)
        if scaled:
            # unit spread (up to the epsilon, which matters only for the 0.01-scale channel)
            spread = z[..., :2].std(1, unbiased=False)
            torch.testing.assert_close(spread, torch.ones(4, 2, dtype=torch.float64), rtol=1e-3, atol=1e-3)
        else:
            torch.testing.assert_close(z + stats[0], x)


def test_revin_maps_a_forecast_with_the_input_statistics_and_keeps_constant_windows_finite() -> None:
    norm = RevIN()
    x = torch.full((2, 10, 1), 7.0)
    z, stats = norm.normalize(x)
    assert torch.isfinite(z).all() and float(z.abs().max()) == 0.0
    y = norm.denormalize(torch.ones(2, 5, 1), stats)
    # a normalised forecast of +1 is one (epsilon-sized) spread above the constant level
    torch.testing.assert_close(y, torch.full((2, 5, 1), 7.0 + (1e-5) ** 0.5))


@pytest.mark.parametrize(("model", "options"), REVIN_MODELS)
def test_models_with_revin_follow_affine_changes_of_each_window(model: str, options: dict) -> None:
    """With RevIN, ``f(a·x + b) = a·f(x) + b`` per window: the network only sees shapes."""
    torch.manual_seed(0)
    L, H, C = 96, 24, 2
    ctx = ModelContext(L, H, ("a", "b"), freq="h", season_length=24)
    forecaster = build_model(model, ctx, options)
    assert isinstance(forecaster, NeuralForecaster)
    forecaster.module.eval()
    g = torch.Generator().manual_seed(1)
    x = torch.randn(3, L, C, generator=g)
    batch = {
        "x": x,
        "x_mask": torch.ones_like(x, dtype=torch.bool),
        "channels": torch.arange(C).expand(3, -1),
    }
    a = torch.tensor([2.5, 0.5, 4.0])[:, None, None]
    b = torch.tensor([-1.0, 3.0, 10.0])[:, None, None]
    with torch.no_grad():
        base = forecaster.module(batch)
        moved = forecaster.module({**batch, "x": a * x + b})
    torch.testing.assert_close(moved, a * base + b, rtol=1e-3, atol=2e-3)


@pytest.mark.parametrize("model", ["dlinear", "nlinear", "stpe_mlp"])
def test_revin_is_off_by_default_for_the_existing_models(model: str) -> None:
    """Existing numbers must not change: the default network is not affine-equivariant."""
    torch.manual_seed(0)
    ctx = ModelContext(48, 12, ("a",), freq="h", season_length=24)
    forecaster = build_model(model, ctx, {"calendar": False} if model == "stpe_mlp" else None)
    assert isinstance(forecaster, NeuralForecaster)
    assert forecaster.config.revin is False
    forecaster.module.eval()
    with torch.no_grad():  # away from the mean-of-window initialisation (itself equivariant)
        for param in forecaster.module.parameters():
            param.add_(0.1 * torch.randn_like(param))
    x = torch.randn(2, 48, 1)
    batch = {"x": x, "channels": torch.zeros(2, 1, dtype=torch.long)}
    with torch.no_grad():
        base, moved = forecaster.module(batch), forecaster.module({**batch, "x": 3 * x + 5})
    assert not torch.allclose(moved, 3 * base + 5, atol=1e-3)


def test_fold_and_unfold_periods_lay_segments_out_as_columns_with_left_padding() -> None:
    x = torch.arange(10.0).reshape(1, 10)
    folded = fold_periods(x, 4)  # 3 segments, 2 padded steps (copies of the first value) in front
    assert folded.shape == (1, 4, 3) and n_segments(10, 4) == 3
    torch.testing.assert_close(folded[0, :, 0], torch.tensor([0.0, 0.0, 0.0, 1.0]))
    torch.testing.assert_close(folded[0, :, 2], torch.tensor([6.0, 7.0, 8.0, 9.0]))
    # the last input step is the last phase of the last segment
    assert float(folded[0, -1, -1]) == 9.0
    y = torch.arange(12.0).reshape(1, 3, 4).transpose(1, 2)  # columns = segments
    torch.testing.assert_close(unfold_periods(y, 10), torch.arange(10.0).reshape(1, 10))
