"""Query normalization and tokenization: the one function used by training, evaluation and serving.

Queries are tokenized on whitespace, the convention of the annotated QueryNER data
(``men's``, ``3/4`` and ``t-shirt`` stay single tokens). Tokens keep their original casing and
their character offsets into the *original* query, so entities can be reported as spans of what
the shopper typed, while :func:`normalize_query` gives the canonical form used for hashing,
deduplication and split assignment.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WHITESPACE = re.compile(r"\S+")

#: Longest query (in characters) that the library accepts; longer input is a client error.
MAX_QUERY_CHARS = 512


class QueryError(ValueError):
    """A query that cannot be tagged (empty, too long, not text). The message says why."""


@dataclass(frozen=True, slots=True)
class Token:
    """One whitespace-delimited token with its character span ``[start, end)`` in the query."""

    text: str
    start: int
    end: int


def normalize_query(query: str) -> str:
    """Canonical form of a query: Unicode NFKC, lowercase, single spaces, trimmed.

    Two queries that differ only in casing or spacing normalize to the same string; the data
    splits hash this form so that no query text appears in two splits.
    """
    if not isinstance(query, str):
        raise QueryError(f"query must be a string, got {type(query).__name__}")
    folded = unicodedata.normalize("NFKC", query).lower()
    return " ".join(folded.split())


def tokenize(query: str) -> list[Token]:
    """Split ``query`` on whitespace, keeping each token's offsets into the original string.

    Tokenization does not normalize: ``"Nike AIR"`` gives ``Nike`` (0, 4) and ``AIR`` (5, 8),
    so models see the casing a shopper typed and entity offsets point into the raw query.
    """
    if not isinstance(query, str):
        raise QueryError(f"query must be a string, got {type(query).__name__}")
    return [Token(m.group(), m.start(), m.end()) for m in _WHITESPACE.finditer(query)]


def validate_query(query: object, max_chars: int = MAX_QUERY_CHARS) -> str:
    """Return ``query`` if it can be tagged, else raise :class:`QueryError` with the reason."""
    if not isinstance(query, str):
        raise QueryError(f"query must be a string, got {type(query).__name__}")
    if not query.strip():
        raise QueryError("query is empty or only whitespace")
    if len(query) > max_chars:
        raise QueryError(f"query is {len(query)} characters long; the limit is {max_chars}")
    return query
