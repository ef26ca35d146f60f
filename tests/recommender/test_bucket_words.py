"""The profile table names its buckets in words a person reads (``> 0.75``, ``non-stationary``),
not as the file-safe keys (``gt0.8``, ``non_stationary``), and never as a closed range that the
values go past (a Hurst exponent of 1.1 in a bucket labelled ``0.75-1``)."""

from __future__ import annotations

import numpy as np

from recommender.properties.buckets import BUCKETS, bucket_words, bucketize


def test_every_bucket_reads_as_words():
    words = {name: [bucket_words(name, i) for i in range(len(s.labels))] for name, s in BUCKETS.items()}
    assert words["volatility"] == ["≤ 0.4", "0.4 – 0.6", "0.6 – 0.8", "> 0.8"]
    assert words["stationarity"] == ["non-stationary", "stationary"]
    assert words["trend_label"] == ["decreasing", "no trend", "increasing"]
    assert words["season_count"] == ["0", "1", "2+"]
    assert not any("_" in w or "gt" in w for ws in words.values() for w in ws)


def test_the_words_hold_the_values_bucketed_there():
    """Each continuous bucket's words are true of values on both sides of its edges."""
    for name, spec in BUCKETS.items():
        if spec.edges is None or spec.labels[0].isdigit():
            continue
        probes = sorted({e + d for e in spec.edges for d in (-1e-6, 0.0, 1e-6)} | {-0.0, 5.0})
        for v, b in zip(probes, bucketize(name, np.array(probes)), strict=True):
            w = bucket_words(name, int(b))
            v = abs(v) if spec.absolute else v
            if w.startswith("≤ "):
                assert v <= float(w[2:])
            elif w.startswith("> "):
                assert v > float(w[2:])
            else:
                lo, hi = map(float, w.split(" – "))
                assert lo < v <= hi
