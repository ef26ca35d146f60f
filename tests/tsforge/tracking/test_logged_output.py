"""What a training run shows: the scores that become MLflow metrics, and what it prints."""

from __future__ import annotations

from tsforge.tracking.trained_model import _split_scores


def test_a_routed_runs_comparison_scores_are_run_metrics():
    """The routed ensemble's pick / weights / best-single / oracle test MASEs were only in
    metrics/scores.json, so runs could not be compared on them in the UI."""
    metrics = {
        "test_mase": 0.9,
        "test_mase_pick": 0.95,
        "test_mase_weights": 0.9,
        "test_mase_best_single": 0.93,
        "test_mase_oracle": 0.7,
        "test_rmsse": 1.1,
        "train_seconds": 12.0,
    }
    logged, scores = _split_scores(metrics)
    assert set(logged) == set(metrics) - {"test_rmsse"}
    assert set(scores) == set(metrics) - {"train_seconds"}


def test_registering_prints_only_what_tsforge_says(tracking_uri, capfd):
    """MLflow printed "Successfully registered model …" and "Created version …" on stderr, beside
    tsforge's own line on the same registration."""
    from tsforge.data.synthetic import synthetic_stations
    from tsforge.pipeline import train

    data = synthetic_stations(n_channels=2, n_steps=300, seed=0)
    out = train(data, "naive", input_len=24, horizon=6, registered_name="quiet-naive", progress=False)
    assert out.version is not None
    err = capfd.readouterr().err
    assert "Successfully registered" not in err and "Created version" not in err


def test_a_trained_window_model_logs_the_epoch_it_kept(tracking_uri):
    """best_epoch (the early-stopping checkpoint) was computed but never shown or logged."""
    import mlflow

    from tsforge.data.synthetic import synthetic_stations
    from tsforge.pipeline import train

    data = synthetic_stations(n_channels=2, n_steps=400, seed=0)
    out = train(
        data,
        "dlinear",
        input_len=24,
        horizon=6,
        train_config={"max_epochs": 3},
        progress=False,
        registered_name=None,
    )
    run = mlflow.get_run(out.run_id)
    metrics = run.data.metrics
    assert 1 <= metrics["best_epoch"] <= metrics["epochs_run"] == 3
    # counted as the curves' steps and the progress lines count epochs (from 1): the kept epoch is
    # the step of the lowest validation loss (best_epoch 0 beside epochs_run 2 read as untrained)
    val = mlflow.MlflowClient().get_metric_history(out.run_id, "val_loss")
    assert metrics["best_epoch"] == min(val, key=lambda m: m.value).step
    assert sorted(m.step for m in val) == [1, 2, 3]
    assert "seconds_per_epoch is train_seconds ÷ epochs_run" in run.data.tags["mlflow.note.content"]
