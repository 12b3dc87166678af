"""The one tagger interface shared by every model kind (CRF, PyTorch, ONNX).

A concrete tagger implements :meth:`Tagger.predict_tags` over pre-tokenized queries (what
evaluation on gold tokens needs); :meth:`Tagger.parse` adds the shared tokenize -> predict ->
decode path that serving uses, so evaluation and serving run the same decoding code.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import NamedTuple, Sequence

from query_understanding.bio import entities_from_tags, repair_bio
from query_understanding.schema import ParsedQuery
from query_understanding.text import MAX_QUERY_CHARS, tokenize, validate_query


class Prediction(NamedTuple):
    """One query's tags, their confidences (None: the model gives none) and, for a cascade,
    whether its second tagger answered (None: not a cascade)."""

    tags: list[str]
    scores: list[float] | None
    routed: bool | None = None


class Tagger(ABC):
    """Batched BIO tagger over whitespace tokens."""

    #: Short model kind recorded in manifests and service info, e.g. ``"crf"`` or ``"onnx"``.
    kind: str = "abstract"

    @abstractmethod
    def predict_tags_with_scores(
        self, token_lists: Sequence[Sequence[str]]
    ) -> list[tuple[list[str], list[float] | None]]:
        """For each token list, its tags (one per token) and per-token confidences or None."""

    def predict_with_routes(self, token_lists: Sequence[Sequence[str]]) -> list[Prediction]:
        """What :meth:`parse` decodes; a cascade says which of its taggers answered."""
        return [Prediction(tags, scores) for tags, scores in self.predict_tags_with_scores(token_lists)]

    def predict_tags(self, token_lists: Sequence[Sequence[str]]) -> list[list[str]]:
        """Valid BIO tags for each token list (stray I- repaired)."""
        return [repair_bio(tags) for tags, _ in self.predict_tags_with_scores(token_lists)]

    def parse(self, queries: Sequence[str], max_query_chars: int = MAX_QUERY_CHARS) -> list[ParsedQuery]:
        """Tag raw queries; raises :class:`~query_understanding.text.QueryError` on bad input.

        ``max_query_chars`` is the caller's limit (the service passes its configured one)."""
        for query in queries:
            validate_query(query, max_query_chars)
        token_objs = [tokenize(q) for q in queries]
        token_texts = [[t.text for t in toks] for toks in token_objs]
        predictions = self.predict_with_routes(token_texts)
        parsed = []
        for query, toks, texts, (tags, scores, routed) in zip(queries, token_objs, token_texts, predictions):
            tags = repair_bio(tags)
            entities = entities_from_tags(query, tags, toks, scores)
            parsed.append(ParsedQuery(query, texts, tags, entities, expected_errors(scores), routed))
        return parsed


def expected_errors(scores: Sequence[float] | None) -> float | None:
    """Expected number of wrong tags: the sum of ``1 - confidence`` over tokens (None: no scores)."""
    if scores is None:
        return None
    return round(sum(1.0 - float(s) for s in scores), 6)
