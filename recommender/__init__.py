"""Model recommender: ARIES-style properties (``recommender.properties``), the synthetic corpus
(``recommender.synth``), the knowledge base, the LightGBM recommender and ``recommend()``.

The public names below are loaded lazily, so importing ``recommender.properties`` alone stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "recommend",
    "Recommendation",
    "RankedModel",
    "AvoidModel",
    "build_default_recommender",
    "default_recommender",
    "Recommender",
    "build_knowledge_base",
    "load_knowledge_base",
]

_WHERE = {
    "recommend": "recommender.api",
    "Recommendation": "recommender.api",
    "RankedModel": "recommender.api",
    "AvoidModel": "recommender.api",
    "build_default_recommender": "recommender.api",
    "default_recommender": "recommender.api",
    "Recommender": "recommender.ranker",
    "build_knowledge_base": "recommender.knowledge_base",
    "load_knowledge_base": "recommender.knowledge_base",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'recommender' has no attribute {name!r}")
