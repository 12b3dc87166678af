"""Fuzzy-match thresholds chosen on data: the score that best separates typos from novel names.

A threshold set by hand is either too loose (a novel brand "patrick" links to "patagonia") or
too tight (the typo "nikee" stays unlinked). Both failure kinds can be simulated from the
catalog itself, so the threshold is the one that does best on them:

- **typos** (should link to their entry): every entry's name with one realistic typo in one
  word (:func:`query_understanding.synth.noise.typo`: a dropped, swapped or doubled letter);
- **novel names** (should link nowhere): every entry's name looked up with that entry left out
  of the index (leave-one-out), which is what a brand the catalog lacks looks like: a real
  name, near other real names.

Per entity type, each threshold on a grid gives a precision and recall of the links it would
make over both sets; the threshold with the best F1 wins (ties: the higher, stricter one). The
table of every grid point is kept so the choice can be inspected (linking index metadata).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from query_understanding.linking.index import LinkingIndex, surface_key
from query_understanding.linking.linker import MIN_FUZZY_CHARS, fuzzy_candidates
from query_understanding.synth.noise import typo

GRID: tuple[float, ...] = tuple(float(t) for t in range(60, 100, 2))


@dataclass(frozen=True, slots=True)
class Trial:
    """One simulated lookup: the best other-entry score, and whether the best is the right entry."""

    kind: str  # "typo" or "novel"
    score: float
    correct: bool


@dataclass(frozen=True, slots=True)
class GridPoint:
    entity_type: str
    threshold: float
    precision: float
    recall: float
    f1: float
    n_typos: int
    n_novel: int


def _best(index: LinkingIndex, entity_type: str, key: str, exclude: str | None) -> tuple[str | None, float]:
    """The best fuzzy candidate as linking would see it (same candidate rule), or (None, 0)."""
    candidates = fuzzy_candidates(index, entity_type, key, exclude=exclude)
    return candidates[0] if candidates else (None, 0.0)


def _known(index: LinkingIndex, entity_type: str, key: str) -> bool:
    return index.exact(entity_type, key) is not None or index.loose(entity_type, key) is not None


def trials(index: LinkingIndex, entity_type: str, seed: int = 0, typos_per_entry: int = 2) -> list[Trial]:
    """The simulated typo and novel-name lookups of one entity type (deterministic under ``seed``)."""
    rng = random.Random(f"{seed}:{entity_type}")
    out: list[Trial] = []
    for entry_id in sorted(index.entries.get(entity_type, {})):
        key = surface_key(entry_id)
        if len(key) < MIN_FUZZY_CHARS:
            continue
        other, score = _best(index, entity_type, key, exclude=entry_id)
        out.append(Trial("novel", score, False))
        words = [i for i, w in enumerate(key.split()) if len(w) >= MIN_FUZZY_CHARS and w.isalpha()]
        for _ in range(typos_per_entry if words else 0):
            parts = key.split()
            i = rng.choice(words)
            parts[i] = typo(parts[i], rng)
            misspelt = " ".join(parts)
            if misspelt == key or _known(index, entity_type, misspelt):
                continue
            best, score = _best(index, entity_type, misspelt, exclude=None)
            out.append(Trial("typo", score, best == entry_id))
    return out


def sweep(entity_type: str, simulated: list[Trial], grid: tuple[float, ...] = GRID) -> list[GridPoint]:
    """Precision, recall and F1 of the links each threshold would make."""
    n_typos = sum(t.kind == "typo" for t in simulated)
    n_novel = len(simulated) - n_typos
    points = []
    for threshold in grid:
        linked = [t for t in simulated if t.score >= threshold]
        right = sum(t.correct for t in linked)
        precision = right / len(linked) if linked else 1.0
        recall = right / n_typos if n_typos else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        points.append(GridPoint(entity_type, threshold, precision, recall, f1, n_typos, n_novel))
    return points


def choose_threshold(points: list[GridPoint]) -> GridPoint:
    """The grid point with the best F1; ties go to the higher (stricter) threshold."""
    return max(points, key=lambda p: (round(p.f1, 6), p.threshold))


def calibrate(index: LinkingIndex, seed: int = 0) -> tuple[LinkingIndex, list[GridPoint]]:
    """The index with chosen fuzzy thresholds per entity type, and every grid point tried."""
    chosen: dict[str, float] = {}
    table: list[GridPoint] = []
    for entity_type in sorted(index.entries):
        points = sweep(entity_type, trials(index, entity_type, seed))
        table += points
        chosen[entity_type] = choose_threshold(points).threshold
    return index.with_fuzzy(chosen), table
