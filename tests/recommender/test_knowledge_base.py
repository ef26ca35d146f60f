"""The knowledge base trains its candidates through the one fit path (neural ones included)."""

import torch

from recommender.knowledge_base import Candidate, KBSettings, default_pool, fit_candidate
from tests.conftest import make_series
from tsforge.data.task import prepare_task
from tsforge.models import ModelContext
from tsforge.training.fitting import build_forecaster


def test_a_neural_candidate_is_trained_with_the_budget_config():
    task = prepare_task(make_series(600, 2), 48, 12)
    settings = KBSettings(input_len=48, horizon=12, max_epochs=2, max_batches_per_epoch=5)
    cand = Candidate("dlinear", "dlinear")
    trained = fit_candidate(cand, task, settings)
    untrained = build_forecaster(cand.spec(settings, task.data.name), ModelContext.from_task(task))
    changed = [
        not torch.equal(a, b)
        for a, b in zip(
            trained.module.state_dict().values(), untrained.module.state_dict().values(), strict=True
        )
    ]
    assert any(changed)


def test_budget_configs_come_from_the_models():
    pool = {c.name: c for c in default_pool()}
    assert pool["lightgbm"].model_config["n_estimators"] == 80
    assert pool["hutformer"].model_config == {"d_model": 32, "stages": 2}
