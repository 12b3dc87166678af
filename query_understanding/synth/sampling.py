"""Seeded sampling helpers shared by the generator modules.

Every draw goes through one ``random.Random`` passed in by the caller (never the global RNG),
and every population is a sorted tuple or list, so a seed fully determines the output.
Popularity is Zipf-like on a seeded shuffle of the population: a few brands, types and products
get most of the traffic, as in real search logs, without any item being popular because of its
alphabetical position.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def zipf_weights(items: Sequence[T], rng: random.Random, exponent: float = 1.0) -> dict[T, float]:
    """Weight ``1 / rank**exponent`` per item, ranks drawn by a seeded shuffle of ``items``."""
    order = list(items)
    rng.shuffle(order)
    return {item: 1.0 / (rank + 1) ** exponent for rank, item in enumerate(order)}


class WeightedPicker:
    """Draws from a fixed population with fixed weights in O(log n) per draw."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]):
        if not items or len(items) != len(weights):
            raise ValueError("WeightedPicker needs a non-empty population with one weight per item")
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random, limit: int | None = None) -> T:
        """One item; ``limit`` restricts the draw to the first ``limit`` items."""
        hi = len(self.items) if limit is None else max(1, min(limit, len(self.items)))
        x = rng.random() * self.cum[hi - 1]
        return self.items[min(bisect.bisect_right(self.cum, x, 0, hi), hi - 1)]


def chance(rng: random.Random, p: float) -> bool:
    """True with probability ``p``."""
    return rng.random() < p
