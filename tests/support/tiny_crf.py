"""A tiny synthetic CRF artifact for the serving tests (trains in well under a second)."""

from __future__ import annotations

import random
from pathlib import Path

from query_understanding.artifacts import save_tagger
from query_understanding.crf import CRFConfig, train_crf
from query_understanding.evaluation import evaluate_tagger
from query_understanding.evaluation.scores import model_metrics
from query_understanding.example import Example

BRANDS = ["prada", "nike", "adidas", "gucci", "levis", "puma", "zara", "the north face", "ray ban"]
COLORS = ["blue", "red", "black", "white", "green", "navy blue", "pink", "grey"]
TYPES = ["shoes", "jacket", "dress", "jeans", "sneakers", "t-shirt", "running shoes", "sunglasses"]
TEMPLATES = [
    ("COLOR", "TYPE", "by", "BRAND"),
    ("BRAND", "COLOR", "TYPE"),
    ("COLOR", "BRAND", "TYPE"),
    ("BRAND", "TYPE"),
    ("TYPE", "from", "BRAND", "in", "COLOR"),
    ("cheap", "COLOR", "TYPE"),
    ("TYPE", "for", "men"),
    ("BRAND", "TYPE", "sale"),
]


def synthetic_examples(n: int = 240, seed: int = 7) -> list[Example]:
    rng = random.Random(seed)
    pools = {"BRAND": BRANDS, "COLOR": COLORS, "TYPE": TYPES}
    examples = []
    for _ in range(n):
        tokens, tags = [], []
        for slot in rng.choice(TEMPLATES):
            if slot in pools:
                words = rng.choice(pools[slot]).split()
                tokens += words
                tags += [f"B-{slot}"] + [f"I-{slot}"] * (len(words) - 1)
            else:
                tokens.append(slot)
                tags.append("O")
        examples.append(Example(tokens, tags, source="synthetic"))
    return examples


def train_tiny_crf(root: Path, seed: int = 7, c1: float = 0.1) -> Path:
    """Train and save a tiny CRF artifact under ``root``; return its directory. Without
    gazetteer and word clusters: the feature set tests/e2e/golden was recorded with (the main
    job's CRF, clusters included, is served by the pipeline tests)."""
    tagger = train_crf(
        synthetic_examples(seed=seed),
        CRFConfig(c1=c1, max_iterations=50, use_gazetteer=False, word_clusters=0),
    )
    held_out = evaluate_tagger(tagger, synthetic_examples(60, seed=seed + 100), behavioral=False)
    path, _ = save_tagger(
        tagger, root, data_version=f"synthetic-{seed}", metrics=model_metrics({"test": held_out}, train_examples=240)
    )
    return path
