"""Conditional random field tagger: the fast, CPU-only baseline model of this project."""

from query_understanding.crf.search import search_c1_c2
from query_understanding.crf.tagger import CRFConfig, CRFTagger, train_crf

__all__ = ["CRFConfig", "CRFTagger", "search_c1_c2", "train_crf"]
