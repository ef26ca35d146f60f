"""ARIES property extractors: stationarity, trend, seasonality, volatility, memorability,
scedasticity and anomaly, per window — an exact reference and a fast batched path.

Entry points: :func:`profile` (dataset → per-window table + summary), :func:`profile_panel`
(panel → one profile per series, on its most recent values), :func:`properties_fast`
(pure function over a chunk of windows), :func:`reference_batch` (the slow definition),
:func:`bucket_all` (ARIES buckets) and the feature builders in :mod:`.features`.
"""

from recommender.properties.buckets import BUCKETS, SIGNATURE_KEYS, bucket_all, bucketize, signature
from recommender.properties.fast import PROPERTY_KEYS, properties_fast
from recommender.properties.features import (
    WINDOW_FEATURES,
    blast_feature_vector,
    summary_features,
    window_features,
)
from recommender.properties.profile import (
    ProfileResult,
    log_profile_to_mlflow,
    profile,
    profile_panel,
    profile_windows,
    summarise,
)
from recommender.properties.reference import reference_batch, reference_properties

__all__ = [
    "BUCKETS",
    "PROPERTY_KEYS",
    "SIGNATURE_KEYS",
    "WINDOW_FEATURES",
    "ProfileResult",
    "blast_feature_vector",
    "bucket_all",
    "bucketize",
    "log_profile_to_mlflow",
    "profile",
    "profile_panel",
    "profile_windows",
    "properties_fast",
    "reference_batch",
    "reference_properties",
    "signature",
    "summarise",
    "summary_features",
    "window_features",
]
