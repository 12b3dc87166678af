"""Query understanding for e-commerce search: BRAND / COLOR / TYPE tagging.

This package is the single home of the domain logic (tokenizing, BIO/span decoding, features,
metrics, taggers). It imports neither Dagster nor BentoML, so the training assets and the
serving code import the very same functions and cannot drift apart.
"""

from query_understanding.schema import ENTITY_TYPES, LABELS, Entity, ParsedQuery
from query_understanding.text import Token, normalize_query, tokenize

__all__ = [
    "ENTITY_TYPES",
    "LABELS",
    "Entity",
    "ParsedQuery",
    "Token",
    "normalize_query",
    "tokenize",
]
