"""Shared pytest fixtures.

Evaluation / CRF fixtures (``queryner_dir``, ``tiny_examples``, ``tiny_crf``) are used by
tests/unit/test_{crf,behavioral,artifacts,cli}.py; keep them small - they run on every test
session.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def queryner_dir() -> Path:
    """The shared QueryNER data (../shared/data/queryner, or $QU_QUERYNER_DIR); skip if absent."""
    path = Path(os.environ.get("QU_QUERYNER_DIR", REPO / ".." / "shared" / "data" / "queryner"))
    if not (path / "queryner_train.jsonl").is_file():
        pytest.skip(f"QueryNER data not found at {path}")
    return path.resolve()


TINY_BRANDS = ["nike", "adidas", "puma", "levis", "the north face", "under armour", "samsung"]
TINY_COLORS = ["black", "white", "red", "navy blue", "green"]
TINY_TYPES = ["running shoes", "jacket", "t-shirt", "backpack", "hoodie", "headphones"]
TINY_TEMPLATES = ["{b} {c} {t}", "{c} {t} by {b}", "{b} {t}", "{c} {t}", "{t} {b}", "{b} {t} sale"]


def make_tiny_examples():
    """105 deterministic templated gold queries over the small brand/color/type lists above."""
    from query_understanding.bio import Span, spans_to_bio
    from query_understanding.example import Example

    out = []
    combos = itertools.product(TINY_BRANDS, TINY_COLORS, TINY_TYPES)
    for k, (brand, color, ptype) in enumerate(itertools.islice(combos, 0, None, 2)):
        template = TINY_TEMPLATES[k % len(TINY_TEMPLATES)]
        tokens, spans = [], []
        for part in template.split():
            value = {"{b}": ("BRAND", brand), "{c}": ("COLOR", color), "{t}": ("TYPE", ptype)}
            if part in value:
                entity_type, text = value[part]
                spans.append(Span(entity_type, len(tokens), len(tokens) + len(text.split())))
                tokens += text.split()
            else:
                tokens.append(part)
        out.append(Example(tokens, spans_to_bio(spans, len(tokens)), source="tiny"))
    return out


@pytest.fixture(scope="session")
def tiny_examples():
    return make_tiny_examples()


@pytest.fixture(scope="session")
def tiny_crf(tiny_examples):
    """A real CRF trained on ``tiny_examples`` (well under a second)."""
    from query_understanding.crf import CRFConfig, train_crf

    return train_crf(tiny_examples, CRFConfig(max_iterations=50))
