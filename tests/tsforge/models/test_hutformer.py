"""HUTFormer: shapes, window locality, merging, two-stage freezing, config errors, learning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.errors import ConfigError
from tsforge.models import ModelContext, build_model
from tsforge.models.hutformer import HUTFormer, SegmentMerging, WindowSelfAttention, stage_lengths
from tsforge.training.config import TrainConfig
from tsforge.training.fitting import train_forecaster

TERMS = ("hour", "dow", "dom", "month")


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def _context(L: int = 96, H: int = 40, C: int = 3, coords: np.ndarray | None = None) -> ModelContext:
    return ModelContext(
        input_len=L,
        horizon=H,
        channel_ids=tuple(f"c{i}" for i in range(C)),
        freq="h",
        season_length=24,
        calendar_terms=TERMS,
        coords=coords,
    )


def _batch(B: int, L: int, H: int, C: int, seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    hours = torch.arange(L + H) % 24
    cal = torch.stack(
        [
            hours,
            (torch.arange(L + H) // 24) % 7,
            torch.zeros(L + H, dtype=torch.long),
            torch.zeros(L + H, dtype=torch.long),
        ],
        dim=1,
    ).expand(B, -1, -1)
    return {
        "x": torch.randn(B, L, C, generator=g),
        "x_mask": torch.ones(B, L, C, dtype=torch.bool),
        "y": torch.randn(B, H, C, generator=g),
        "y_mask": torch.ones(B, H, C, dtype=torch.bool),
        "x_cal": cal[:, :L].contiguous(),
        "y_cal": cal[:, L:].contiguous(),
        "channels": torch.arange(C).expand(B, -1),
    }


SMALL = {"segment_len": 4, "d_model": 16, "n_heads": 2, "stages": 3, "window": 3, "dropout": 0.0}


def test_shapes_through_every_stage():
    L, H, C, B = 96, 40, 3, 2  # S = 24 → 12 → 6; H = 40 is 10 decoder segments of 4
    model = build_model("hutformer", _context(L, H, C), SMALL)
    net = model.module
    batch = _batch(B, L, H, C)
    x = batch["x"]
    y_enc, outs = net.encode(batch, x)
    assert y_enc.shape == (B, C, H)
    assert [o.shape for o in outs] == [(B * C, s, 16) for s in (24, 12, 6)]
    assert stage_lengths(L, 4, 3) == [24, 12, 6]
    y = net.decode(batch, y_enc, outs)
    assert y.shape == (B, C, H)
    assert model.predict(batch).shape == (B, H, C)
    net.set_phase("encoder")
    assert net(batch).shape == (B, H, C)


def test_horizon_not_multiple_of_segment_is_cropped():
    model = build_model("hutformer", _context(96, 37, 2), SMALL)  # 37 = 9 segments of 4 + 1
    assert model.module.dec_len == 10
    assert model.predict(_batch(2, 96, 37, 2)).shape == (2, 37, 2)


def test_window_attention_is_local():
    torch.manual_seed(0)
    attn = WindowSelfAttention(d_model=8, n_heads=2, window=4, dropout=0.0).eval()
    x = torch.randn(3, 10, 8)  # windows: [0-3] [4-7] [8-9 + padding]
    base = attn(x)
    x2 = x.clone()
    x2[:, 5] += 10.0  # perturb a token of the second window
    out = attn(x2)
    assert torch.equal(out[:, :4], base[:, :4])  # first window untouched, bit for bit
    assert torch.equal(out[:, 8:], base[:, 8:])  # padded last window untouched
    assert not torch.allclose(out[:, 4:8], base[:, 4:8])  # inside the window it matters


def test_stage1_output_is_local_in_the_full_model():
    L, C = 96, 2
    model = build_model("hutformer", _context(L, 24, C), {**SMALL, "stages": 1, "window": 3})
    net = model.module.eval()
    batch = _batch(1, L, 24, C)
    # Skip instance normalisation so a perturbation stays local in the embedded tokens.
    x = batch["x"]
    _, outs = net.encode(batch, x)
    x2 = x.clone()
    x2[0, 4 * 7 + 1, 0] += 5.0  # a step of segment 7 (window 2 = tokens 6..8), channel 0
    _, outs2 = net.encode(batch, x2)
    tok = outs[0].view(1, C, 24, -1)
    tok2 = outs2[0].view(1, C, 24, -1)
    assert torch.equal(tok2[0, 0, :6], tok[0, 0, :6]) and torch.equal(tok2[0, 0, 9:], tok[0, 0, 9:])
    assert torch.equal(tok2[0, 1], tok[0, 1])  # other channel untouched
    assert not torch.allclose(tok2[0, 0, 6:9], tok[0, 0, 6:9])


def test_segment_merging_halves_the_length_and_pairs_neighbours():
    torch.manual_seed(0)
    merge = SegmentMerging(4)
    x = torch.randn(2, 6, 4)
    out = merge(x)
    assert out.shape == (2, 3, 4)
    # output token 1 depends only on input tokens 2 and 3
    x2 = x.clone()
    x2[:, 0] += 1.0
    out2 = merge(x2)
    assert torch.equal(out2[:, 1:], out[:, 1:]) and not torch.allclose(out2[:, 0], out[:, 0])


def test_parameter_groups_split_the_model():
    net = build_model("hutformer", _context(), SMALL).module
    enc = {id(p) for p in net.encoder_parameters()}
    dec = {id(p) for p in net.decoder_parameters()}
    assert enc and dec and not enc & dec
    assert enc | dec == {id(p) for p in net.parameters()}


def _multiscale_task(L: int = 96, H: int = 48, T: int = 1600, C: int = 2):
    """Hourly series = daily cycle + a slow 5-day cycle + a 4-hour ripple + noise (different per channel)."""
    rng = np.random.default_rng(0)
    t = np.arange(T, dtype=np.float64)[:, None]
    phase = rng.uniform(0, 2 * np.pi, size=(1, C))
    values = (
        np.sin(2 * np.pi * t / 24 + phase)
        + 1.5 * np.sin(2 * np.pi * t / 120 + 2 * phase)
        + 0.5 * np.sin(2 * np.pi * t / 4)
        + 0.1 * rng.standard_normal((T, C))
    ).astype(np.float32)
    ts = pd.date_range("2024-01-01", periods=T, freq="h").to_numpy()
    data = TimeSeriesData(values, ts, tuple(f"s{i}" for i in range(C)), freq="h", name="multiscale")
    return prepare_task(data, L, H, "7:1:2")


def _test_mse(model, task) -> float:
    ds = task.dataset("test", stride=4)
    batch = ds.get_batch(torch.arange(len(ds)))
    pred = model.predict(batch)
    return float(((pred - batch["y"]) ** 2).mean())


def test_two_stage_leaves_encoder_bit_identical_and_learns_better_than_seasonal_naive():
    task = _multiscale_task()
    ctx = ModelContext.from_task(task)
    model = build_model(
        "hutformer",
        ctx,
        {
            "segment_len": 8,
            "d_model": 32,
            "n_heads": 2,
            "stages": 2,
            "window": 3,
            "dropout": 0.0,
            "stage1_epochs": 6,
            "stage2_epochs": 2,
        },
    )
    schedule = model.training_schedule(TrainConfig())
    assert [s.name for s in schedule] == ["encoder", "decoder"]

    cfg = TrainConfig(
        lr=3e-3,
        batch_size=32,
        max_epochs=6,
        patience=6,
        train_stride=2,
        val_stride=8,
        max_batches_per_epoch=20,
        progress=False,
        lr_schedule="none",
    )
    # Stage 1 alone (the loop with the first stage only) — then snapshot the encoder.
    from tsforge.training.loop import fit as run_loop

    train_ds, val_ds = task.dataset("train", stride=2), task.dataset("val", stride=8)
    run_loop(model.module, train_ds, val_ds, cfg, schedule=schedule[:1])
    enc_before = [p.detach().clone() for p in model.module.encoder_parameters()]
    dec_before = [p.detach().clone() for p in model.module.decoder_parameters()]
    stage1_mse = _test_mse(model, task)  # module is in encoder mode: intermediate prediction
    run_loop(model.module, train_ds, val_ds, cfg, schedule=schedule[1:])
    enc_after = list(model.module.encoder_parameters())
    assert all(torch.equal(a, b) for a, b in zip(enc_before, enc_after, strict=True))
    assert any(
        not torch.equal(a, b) for a, b in zip(dec_before, model.module.decoder_parameters(), strict=True)
    )
    assert model.module.mode == "full"

    hut_mse = _test_mse(model, task)
    naive = build_model("seasonal_naive", ctx)
    naive_mse = _test_mse(naive, task)
    assert hut_mse < 0.5 * naive_mse, (hut_mse, naive_mse, stage1_mse)


def test_fit_runs_the_two_stage_schedule_through_the_loop():
    task = _multiscale_task(T=900)
    model = build_model(
        "hutformer",
        ModelContext.from_task(task),
        {**SMALL, "segment_len": 8, "stages": 2, "stage1_epochs": 1, "stage2_epochs": 1},
    )
    cfg = TrainConfig(
        max_epochs=1, batch_size=16, max_batches_per_epoch=2, progress=False, train_stride=8, val_stride=16
    )
    report = train_forecaster(model, task, train_config=cfg)
    assert [row["stage"] for row in report.history] == [0.0, 1.0]


def test_one_stage_ablation_trains_everything_jointly():
    model = build_model("hutformer", _context(), {**SMALL, "two_stage": False})
    (stage,) = model.training_schedule(TrainConfig())
    assert stage.trainable is None
    stage.on_start(model.module)
    assert model.module.mode == "full" and not model.module.encoder_frozen


def test_no_cross_scale_ablation_has_no_cross_attention():
    net = build_model("hutformer", _context(), {**SMALL, "cross_scale": False}).module
    assert not any("cross_attn" in name for name, _ in net.named_parameters())
    assert net(_batch(2, 96, 40, 3)).shape == (2, 40, 3)


def test_state_round_trip_is_exact():
    ctx = _context()
    a = build_model("hutformer", ctx, SMALL)
    b = build_model("hutformer", ctx, SMALL)
    b.set_state(a.get_state())
    batch = _batch(2, 96, 40, 3)
    assert torch.equal(a.predict(batch), b.predict(batch))


def test_coordinates_allow_unknown_channels():
    coords = np.array([[50.0, 8.0], [52.0, 13.0], [48.0, 11.0]])
    model = build_model("hutformer", _context(coords=coords), SMALL)
    assert not model.needs_known_channels
    batch = _batch(1, 96, 40, 1)
    batch["channels"] = torch.tensor([[-1]])
    batch["coords"] = torch.tensor([[[51.0, 10.0]]])
    assert torch.isfinite(model.predict(batch)).all()
    assert build_model("hutformer", _context(), SMALL).needs_known_channels


@pytest.mark.parametrize(
    ("L", "config", "field", "says"),
    [
        (
            336,
            {"segment_len": 16, "stages": 3},
            "segment_len",
            "must be divisible by segment_len·2^(stages−1) = 16·4 = 64",
        ),
        (336, {"segment_len": 16, "stages": 3}, "segment_len", "use segment_len 12"),
        (96, {"segment_len": 12, "stages": 3, "window": 4}, "window", "use window ≤ 2"),
        (96, {"d_model": 30, "n_heads": 4}, "n_heads", "n_heads 3"),
        (96, {"head_input": "mean"}, "head_input", "'top' or 'all'"),
        (96, {"stages": 0}, "stages", "at least 1"),
        (96, {"spatial": "coords"}, "spatial", "coordinates"),
        (96, {"calendar_terms": "hour,week"}, "calendar_terms", "unknown calendar term(s) ['week']"),
    ],
)
def test_bad_configs_are_refused_with_what_to_change(L, config, field, says):
    with pytest.raises(ConfigError) as err:
        HUTFormer(_context(L=L), {**{"segment_len": 12, "stages": 2, "window": 2}, **config})
    assert err.value.where.get("field") == field
    assert says in str(err.value)


def test_calendar_terms_default_to_hour_and_day_of_week():
    assert build_model("hutformer", _context(), SMALL).module.calendar.terms == ("hour", "dow")
    assert (
        build_model("hutformer", _context(), {**SMALL, "calendar_terms": "all"}).module.calendar.terms
        == TERMS
    )
    assert build_model("hutformer", _context(), {**SMALL, "calendar_terms": ""}).module.calendar.terms == ()
    daily = ModelContext(
        input_len=96, horizon=40, channel_ids=("a",), freq="D", calendar_terms=("dow", "dom", "month")
    )
    assert build_model("hutformer", daily, SMALL).module.calendar.terms == ("dow",)


def test_registered_with_a_search_space():
    import optuna

    from tsforge.models.registry import get_model_spec

    spec = get_model_spec("hutformer")
    assert spec.is_neural and spec.search_space is not None
    space = spec.search_space(
        optuna.trial.FixedTrial(
            {
                "d_model": 32,
                "stages": 2,
                "layers_per_stage": 1,
                "window": 2,
                "segment_len": 12,
                "dropout": 0.1,
                "lr": 1e-3,
            }
        )
    )
    assert set(space["model"]) >= {"d_model", "stages", "layers_per_stage", "window", "segment_len"}
    assert "lr" in space["train"]
    HUTFormer(_context(L=96), space["model"])  # a point of the space builds


def test_pipeline_train_save_load_and_predict(tmp_path):
    from tsforge.inference import Predictor, SeriesInput
    from tsforge.models.persistence import save_model
    from tsforge.pipeline import train

    task = _multiscale_task(T=900)
    out = train(
        task.data,
        "hutformer",
        input_len=96,
        horizon=48,
        model_config={**SMALL, "segment_len": 8, "stages": 2, "stage1_epochs": 1, "stage2_epochs": 1},
        train_config={"max_batches_per_epoch": 2, "batch_size": 16, "train_stride": 8, "val_stride": 16},
        track=False,
        progress=False,
        eval_stride=16,
    )
    assert np.isfinite(out.metrics["test_mse"])
    save_model(out.forecaster, out.task.scaler, tmp_path / "m")
    predictor = Predictor.from_dir(tmp_path / "m")
    values = task.data.values[-96:, 0]
    stamps = task.data.timestamps[-96:]
    (a,) = predictor.predict_series([SeriesInput("s0", values, stamps)], horizon=48)
    (b,) = out.predictor.predict_series([SeriesInput("s0", values, stamps)], horizon=48)
    assert a.values.shape == (48,)
    np.testing.assert_array_equal(a.values, b.values)
