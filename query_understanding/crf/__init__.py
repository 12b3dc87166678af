"""Conditional random field tagger: the fast, CPU-only baseline model of this project."""

from query_understanding.crf.features import FeatureConfig, token_features
from query_understanding.crf.search import DEFAULT_GRID, search_c1_c2
from query_understanding.crf.tagger import CRFConfig, CRFTagger, train_crf

__all__ = [
    "DEFAULT_GRID",
    "CRFConfig",
    "CRFTagger",
    "FeatureConfig",
    "search_c1_c2",
    "token_features",
    "train_crf",
]
