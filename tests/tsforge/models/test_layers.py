"""Tests of the shared position-embedding layers (SpatialEmbedding, CalendarEmbedding, blocks)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tsforge.data.calendar import calendar_indices, resolvable_terms
from tsforge.errors import ConfigError, DataValidationError
from tsforge.models.layers import CalendarEmbedding, ResidualMLPBlock, SpatialEmbedding, resolve_spatial_mode

COORDS = np.array([[47.5, 7.6, 316.0], [52.1, 5.2, 2.0], [51.1, 13.7, 246.0], [45.0, 9.0, 100.0]])


def _channels(b: int, n: int) -> torch.Tensor:
    return torch.arange(n).expand(b, -1)


def test_coordinate_embedding_standardises_with_training_coordinates() -> None:
    torch.manual_seed(0)
    emb = SpatialEmbedding(8, "coords", 4, COORDS)
    assert emb.coord_dim == 3
    np.testing.assert_allclose(emb.coord_mean.numpy(), COORDS.mean(0), rtol=1e-5)
    np.testing.assert_allclose(emb.coord_std.numpy(), COORDS.std(0), rtol=1e-5)
    # buffers travel with the state dict (saved with the model)
    assert {"coord_mean", "coord_std", "train_coords"} <= set(emb.state_dict())
    out = emb(_channels(2, 4))
    assert out.shape == (2, 4, 8)
    z = (torch.tensor(COORDS, dtype=torch.float32) - emb.coord_mean) / emb.coord_std
    torch.testing.assert_close(out[0], emb.mlp(z))


def test_coordinate_embedding_parameters_do_not_grow_with_stations() -> None:
    few = SpatialEmbedding(16, "coords", 4, COORDS)
    many = SpatialEmbedding(16, "coords", 400, np.random.default_rng(0).normal(size=(400, 3)))
    n = sum(p.numel() for p in few.parameters())
    assert n == sum(p.numel() for p in many.parameters()) == (3 * 16 + 16) + (16 * 16 + 16)


def test_two_dimensional_coordinates_use_a_two_input_mlp() -> None:
    emb = SpatialEmbedding(8, "coords", 4, COORDS[:, :2])
    assert emb.coord_dim == 2 and emb.mlp[0].in_features == 2
    assert emb(_channels(1, 4)).shape == (1, 4, 8)


def test_unknown_channel_with_coordinates_is_embedded_like_a_known_one() -> None:
    emb = SpatialEmbedding(8, "coords", 4, COORDS)
    channels = torch.tensor([[2, -1]])
    coords = torch.tensor([[[float("nan")] * 3, COORDS[2].tolist()]], dtype=torch.float32)
    out = emb(channels, coords)
    # column 0: known, no coordinates sent → stored ones; column 1: unknown, same coordinates as channel 2
    torch.testing.assert_close(out[0, 0], out[0, 1])
    torch.testing.assert_close(out[0, 0], emb(torch.tensor([[2]]))[0, 0])


def test_sent_coordinates_override_stored_ones() -> None:
    emb = SpatialEmbedding(8, "coords", 4, COORDS)
    moved = torch.tensor([[COORDS[3].tolist()]], dtype=torch.float32)
    torch.testing.assert_close(emb(torch.tensor([[0]]), moved), emb(torch.tensor([[3]])))


def test_unknown_channel_without_coordinates_is_a_clear_error() -> None:
    emb = SpatialEmbedding(8, "coords", 4, COORDS)
    with pytest.raises(DataValidationError, match="column 1 .*not trained on.*no coordinates"):
        emb(torch.tensor([[0, -1]]))
    nan = torch.full((1, 2, 3), float("nan"))
    with pytest.raises(DataValidationError, match="column 1"):
        emb(torch.tensor([[0, -1]]), nan)


def test_too_few_coordinate_columns_is_an_error() -> None:
    emb = SpatialEmbedding(8, "coords", 4, COORDS)
    with pytest.raises(DataValidationError, match="trained on 3 coordinates"):
        emb(torch.tensor([[-1]]), torch.tensor([[[50.0, 8.0]]]))
    # more columns than needed (altitude for a lat/lon model) are ignored
    emb2 = SpatialEmbedding(8, "coords", 4, COORDS[:, :2])
    torch.testing.assert_close(
        emb2(torch.tensor([[-1]]), torch.tensor(COORDS[None, None, 1], dtype=torch.float32)),
        emb2(torch.tensor([[1]])),
    )


def test_single_station_does_not_divide_by_zero() -> None:
    emb = SpatialEmbedding(4, "coords", 1, COORDS[:1])
    assert torch.isfinite(emb(torch.tensor([[0]]))).all()


def test_learned_embedding_is_a_per_channel_table() -> None:
    emb = SpatialEmbedding(8, "learned", 5)
    assert sum(p.numel() for p in emb.parameters()) == 5 * 8
    out = emb(torch.tensor([[4, 0]]))
    torch.testing.assert_close(out[0, 0], emb.table.weight[4])
    with pytest.raises(DataValidationError, match="column 0 .*not trained on"):
        emb(torch.tensor([[-1, 0]]))


def test_spatial_off_returns_none_and_has_no_parameters() -> None:
    emb = SpatialEmbedding(8, "none", 5)
    assert emb(torch.tensor([[-1, 2]])) is None
    assert not list(emb.parameters())


def test_resolve_spatial_mode() -> None:
    assert resolve_spatial_mode("auto", COORDS) == "coords"
    assert resolve_spatial_mode("auto", None) == "learned"
    assert resolve_spatial_mode("NONE", COORDS) == "none"
    with pytest.raises(ConfigError, match="needs station coordinates"):
        resolve_spatial_mode("coords", None)
    with pytest.raises(ConfigError, match="spatial must be"):
        resolve_spatial_mode("graph", COORDS)


def test_calendar_tables_have_correct_sizes_and_fixed_order() -> None:
    emb = CalendarEmbedding(4, ["month", "hour", "dom", "dow"])
    assert emb.terms == ("hour", "dow", "dom", "month")
    assert {t: e.num_embeddings for t, e in emb.tables.items()} == {
        "hour": 24,
        "dow": 7,
        "dom": 31,
        "month": 12,
    }
    assert emb.n_rows == 74
    with pytest.raises(ConfigError, match="unknown calendar term"):
        CalendarEmbedding(4, ["hour", "season"])


def _row(emb: CalendarEmbedding, term: str, index: int) -> torch.Tensor:
    """Row ``index`` of the learned table of ``term`` (``ModuleDict`` items are typed as any module)."""
    table = emb.tables[term]
    assert isinstance(table, torch.nn.Embedding)
    return table.weight[index]


def test_hourly_timestamp_maps_to_the_right_rows() -> None:
    emb = CalendarEmbedding(6, resolvable_terms("h"))
    # Friday 15 March 2024, 13:00 → hour 13, dow 4, dom 14, month 2
    cal = torch.from_numpy(calendar_indices(np.array(["2024-03-15T13:00"], dtype="datetime64[ns]")))
    assert cal.tolist() == [[13, 4, 14, 2]]
    expected = _row(emb, "hour", 13) + _row(emb, "dow", 4) + _row(emb, "dom", 14) + _row(emb, "month", 2)
    torch.testing.assert_close(emb(cal)[0], expected)


def test_daily_data_has_no_hour_table() -> None:
    emb = CalendarEmbedding(6, resolvable_terms("D"))
    assert emb.terms == ("dow", "dom", "month") and "hour" not in emb.tables
    # 31 December 2023 is a Sunday: dow 6, dom 30, month 11 (the hour column is ignored)
    cal = torch.from_numpy(calendar_indices(np.array(["2023-12-31"], dtype="datetime64[ns]")))
    expected = _row(emb, "dow", 6) + _row(emb, "dom", 30) + _row(emb, "month", 11)
    torch.testing.assert_close(emb(cal)[0], expected)


def test_calendar_accepts_any_leading_shape_and_none() -> None:
    emb = CalendarEmbedding(3, ("dow", "month"))
    cal = torch.randint(0, 7, (2, 5, 4))
    assert emb(cal).shape == (2, 5, 3)
    assert emb(None) is None
    empty = CalendarEmbedding(3, ())
    assert empty(cal) is None and not list(empty.parameters())


def test_residual_block_is_identity_plus_mlp() -> None:
    torch.manual_seed(0)
    block = ResidualMLPBlock(4, dropout=0.5).eval()
    h = torch.randn(3, 4)
    torch.testing.assert_close(block(h), h + block.fc2(torch.relu(block.fc1(h))))
    torch.nn.init.zeros_(block.fc2.weight)
    torch.nn.init.zeros_(block.fc2.bias)
    torch.testing.assert_close(block(h), h)
