"""ARIES buckets (right-closed edges) and the feature builders."""

import numpy as np

from recommender.properties.buckets import BUCKETS, bucket_all, bucketize, signature
from recommender.properties.features import blast_feature_vector, summary_features, window_features


def test_right_closed_edges_and_outer_values():
    assert bucketize("trend_strength", [0.0, 0.1, 0.1001, -0.5, 0.95, -1.0]).tolist() == [0, 0, 1, 1, 3, 3]
    assert bucketize("memorability", [-0.2, 0.25, 0.26, 1.3]).tolist() == [0, 0, 1, 3]
    assert bucketize("season_count", [0, 1, 2, 3]).tolist() == [0, 1, 2, 2]
    assert bucketize("anomaly", [0.05, 0.1, 0.15, 0.2]).tolist() == [0, 1, 2, 3]
    assert bucketize("trend_label", [-1, 0, 1]).tolist() == [0, 1, 2]


def _props(n=4):
    return {
        "stationarity": np.array([0, 1, 0, 1][:n]),
        "trend_label": np.array([-1, 0, 1, 0][:n]),
        "tau": np.array([-1.0, 0.05, 0.95, 0.3][:n]),
        "season_count": np.array([0, 1, 2, 3][:n]),
        "season_strength": np.array([0.0, 0.3, 0.99, 1.0][:n]),
        "volatility": np.array([0.1, 0.5, 1.5, 0.7][:n]),
        "hurst": np.array([0.0, 0.5, 1.2, 0.8][:n]),
        "scedasticity": np.array([0, 1, 1, 0][:n]),
        "arch_pvalue": np.array([0.0, 0.5, 0.9, 0.01][:n]),
        "anomaly_ratio": np.array([0.0, 0.1, 0.2, 0.16][:n]),
    }


def test_blast_vector_is_61_dim_one_hot_blocks():
    v = blast_feature_vector(_props())
    assert v.shape == (4, 61)
    assert (v.sum(axis=1) == 9).all()  # one active entry per block


def test_signature_and_window_features():
    b = bucket_all(_props())
    assert set(b) == set(BUCKETS)
    assert signature(b).shape == (4, 8)
    assert window_features(_props()).shape == (4, 10)


def test_summary_features_flat_and_ordered():
    summary = {"properties": {"hurst": {"mean": 0.5, "q50": 0.4}}, "buckets": {"anomaly": {"0-0.05": 0.25}}}
    assert summary_features(summary) == {"hurst_mean": 0.5, "hurst_q50": 0.4, "share_anomaly_0-0.05": 0.25}
