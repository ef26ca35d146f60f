"""One ``tsforge train`` says once that HUTFormer's named tiling was replaced.

Why: the command builds the model twice, once to check its options before the MLflow run opens
(``check_model_config``) and once to train it; each build prepared the options and each logged
the same warning, so it was printed twice.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd
import torch

from tests.conftest import make_series, run_cli
from tsforge.errors import TsforgeWarning
from tsforge.models.base import ModelContext
from tsforge.models.hutformer import HUTFormer

torch.set_num_threads(1)

#: what the replacement says, whichever way it is said
_SAID = "do not tile input_len 24"


def _wide_csv(tmp_path) -> str:
    series = make_series(400, 2)
    wide = pd.DataFrame(np.asarray(series.values), columns=list(series.channel_ids)).assign(
        ds=series.timestamps
    )
    path = tmp_path / "wide.csv"
    wide.to_csv(path, index=False)
    return str(path)


def test_train_says_a_replaced_tiling_once(tmp_path, capsys, caplog):
    """In a terminal both logged lines reached stderr; in-process the log records go to pytest's
    handler, so what the command said is counted in both places."""
    with caplog.at_level(logging.WARNING):
        code, out, err = run_cli(
            capsys, "train", _wide_csv(tmp_path), "--split", "7:1:2", "--model", "hutformer",
            "-H", "12", "-L", "24", "-o", "segment_len=7", "-o", "d_model=8", "-o", "n_heads=1",
            "--train-option", "max_epochs=1", "--no-track",
        )  # fmt: skip
    assert code == 0, out + err
    logged = [r.getMessage() for r in caplog.records if _SAID in r.getMessage()]
    printed = " ".join(err.split()).count(_SAID)
    assert printed + len(logged) == 1, (err, logged)
    assert "(asked 7)" in " ".join(err.split()), err  # said on the command's stderr, naming the option


def test_a_single_build_still_says_it():
    """Where only one build happens (a forecaster built alone, a tuning trial's preparation),
    the replacement is still said."""
    context = ModelContext(input_len=24, horizon=12, channel_ids=("a", "b"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        prepared = HUTFormer.prepare_config({"segment_len": 7}, context, seed=0)
    said = [str(w.message) for w in caught if issubclass(w.category, TsforgeWarning)]
    assert len(said) == 1 and _SAID in said[0] and "(asked 7)" in said[0], said
    HUTFormer(context, prepared)
