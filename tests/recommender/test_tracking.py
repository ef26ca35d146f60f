"""The recommender's MLflow records, made through tsforge.tracking: the knowledge-base run, and
the recommender run whose registered pyfunc answers like the saved recommender."""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd

from recommender.knowledge_base import Candidate, KBSettings, build_knowledge_base
from recommender.ranker import REGISTERED_NAME, RankerConfig, log_recommender, train_recommender

T = 384


def _corpus() -> np.ndarray:
    """Periodic and trending series: two patterns the training-free pool separates in seconds."""
    rng = np.random.default_rng(0)
    t = np.arange(T)[None, :]
    periodic = np.sin(2 * np.pi * t / 24 + rng.uniform(0, 6, (8, 1))) + 0.01 * rng.standard_normal((8, T))
    trending = rng.uniform(0.5, 2, (8, 1)) * t + 0.3 * rng.standard_normal((8, T))
    return np.concatenate([periodic, trending]).astype(np.float32)


def test_knowledge_base_and_recommender_runs_and_registered_pyfunc(tracking_uri, tmp_path):
    kb = build_knowledge_base(
        corpus_values=_corpus(),
        pool=[Candidate("seasonal_naive", "seasonal_naive"), Candidate("naive", "naive")],
        settings=KBSettings(input_len=96, horizon=24, eval_stride=24),
        real=(),
        cache=tmp_path / "cache",
        track=True,
    )
    client = mlflow.MlflowClient()
    exp = client.get_experiment_by_name("tsforge-recommender")
    (kb_run,) = client.search_runs([exp.experiment_id], "attributes.run_name = 'knowledge-base'")
    assert kb_run.info.status == "FINISHED" and kb_run.data.tags["tsforge.outcome"] == "finished"
    assert kb_run.data.params["candidates"] == "seasonal_naive,naive"
    arts = {a.path for a in client.list_artifacts(kb_run.info.run_id, "knowledge_base")}
    assert arts == {"knowledge_base/knowledge_base.parquet", "knowledge_base/knowledge_base.json"}

    rec = train_recommender(kb, RankerConfig(corpus_groups=30, num_boost_round=10, min_data_in_leaf=3))
    rec.save(tmp_path / "rec")
    out = log_recommender(rec)
    assert out["version"] == "1"
    run = client.get_run(out["run_id"])
    assert run.info.status == "FINISHED" and run.data.params["candidates"] == "seasonal_naive,naive"
    features = pd.DataFrame(
        np.random.default_rng(1).standard_normal((3, len(rec.feature_names))), columns=rec.feature_names
    )
    model = mlflow.pyfunc.load_model(f"models:/{REGISTERED_NAME}/1")
    pd.testing.assert_frame_equal(
        model.predict(features).reset_index(drop=True),
        rec.expected_relative_error(features).reset_index(drop=True),
        check_dtype=False,
    )
