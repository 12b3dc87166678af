"""Trivial reference taggers: the floor every trained model must clear.

``MostFrequentTagTagger`` memorizes the most frequent tag of each lowercased word in training
data (``O`` for unknown words) and repairs the result into valid BIO. A model that does not beat
it on dev has learned nothing beyond a lookup table, which is what the CRF tests check.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable, Sequence

from query_understanding.bio import repair_bio
from query_understanding.example import Example
from query_understanding.tagger import Tagger


class MostFrequentTagTagger(Tagger):
    """Per-word majority tag learned from training examples (kind ``"most_frequent_tag"``)."""

    kind = "most_frequent_tag"

    def __init__(self, table: dict[str, str]):
        self.table = dict(table)

    @classmethod
    def train(cls, examples: Iterable[Example]) -> "MostFrequentTagTagger":
        counts: dict[str, Counter] = defaultdict(Counter)
        for example in examples:
            for token, tag in zip(example.tokens, example.tags):
                counts[token.lower()][tag] += 1
        # Ties broken by tag name so the table does not depend on data order.
        table = {w: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for w, c in counts.items()}
        return cls(table)

    def predict_tags_with_scores(
        self, token_lists: Sequence[Sequence[str]]
    ) -> list[tuple[list[str], list[float] | None]]:
        return [(repair_bio([self.table.get(t.lower(), "O") for t in tokens]), None) for tokens in token_lists]
