"""What makes real queries messy: typos, casing, and attributes that contradict the click.

A tagger trained only on clean catalog strings fails on "nkie runnign shoes" or "Black Dress";
these transforms put such queries into the logs at realistic rates. Typos touch entity words
only (a typo in "size" teaches nothing), as a character drop, swap of neighbours, or doubling.
Mismatches model shoppers who click something other than what they typed ("red dress" ->
clicks a blue one): the query stays a well-formed query, only the product disagrees.
"""

from __future__ import annotations

import random

from query_understanding.catalog import Catalog
from query_understanding.synth.sampling import chance

P_TYPO = 0.05
P_TITLE_CASE = 0.05
P_UPPER = 0.02
P_CAPITALIZED = 0.015
P_BRAND_CAPITALIZED = 0.015
MIN_TYPO_LEN = 4


def typo(word: str, rng: random.Random) -> str:
    """``word`` with one character dropped, two neighbours swapped, or one doubled."""
    i = rng.randrange(1, len(word) - 1)  # keep the first letter: shoppers rarely miss it
    op = rng.randrange(3)
    if op == 0:
        return word[:i] + word[i + 1 :]
    if op == 1 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i] + word[i:]


def add_typo(tokens: list[str], roles: list[str], rng: random.Random, known: frozenset[str]) -> bool:
    """With probability P_TYPO, misspell one alphabetic entity token in place. True if done.

    A typo that happens to produce another known surface ("boot" -> "bot" is fine, "pan" ->
    "pans" is not) is rejected, so a typo never silently becomes a different entity.
    """
    if not chance(rng, P_TYPO):
        return False
    candidates = [
        i for i, (t, r) in enumerate(zip(tokens, roles)) if r != "O" and len(t) >= MIN_TYPO_LEN and t.isalpha()
    ]
    if not candidates:
        return False
    i = rng.choice(candidates)
    new = typo(tokens[i], rng)
    if new == tokens[i] or new in known:
        return False
    tokens[i] = new
    return True


def apply_casing(tokens: list[str], roles: list[str], rng: random.Random) -> None:
    """Most queries stay lowercase; ~10% become Title Case, UPPER, Capitalized or Brand-cased."""
    x = rng.random()
    if x < P_TITLE_CASE:
        tokens[:] = [t[:1].upper() + t[1:] for t in tokens]
    elif x < P_TITLE_CASE + P_UPPER:
        tokens[:] = [t.upper() for t in tokens]
    elif x < P_TITLE_CASE + P_UPPER + P_CAPITALIZED:
        tokens[0] = tokens[0][:1].upper() + tokens[0][1:]
    elif x < P_TITLE_CASE + P_UPPER + P_CAPITALIZED + P_BRAND_CAPITALIZED:
        tokens[:] = [t[:1].upper() + t[1:] if r == "BRAND" else t for t, r in zip(tokens, roles)]


class Mismatcher:
    """Swaps one mentioned attribute for a plausible wrong one (same category, other value)."""

    def __init__(self, catalog: Catalog):
        cats = catalog.categories()
        self.colors = tuple(c.color for c in catalog.colors if c.kind == "color")
        self.same_category_types = {
            t.product_type: tuple(x for x in cats[t.category] if x != t.product_type) for t in catalog.product_types
        }
        self.category_brands = {c: catalog.brands_for_category(c) for c in cats}
        self.category_of = {t.product_type: t.category for t in catalog.product_types}

    def swap(self, attrs: dict[str, str | None], rng: random.Random) -> dict[str, str | None]:
        """A copy of ``attrs`` (brand/color/type as the query will mention them) with one changed."""
        out = dict(attrs)
        mentioned = [k for k in ("brand", "color", "type") if out.get(k)]
        if not mentioned:
            return out
        key = rng.choice(mentioned)
        if key == "color":
            options = tuple(c for c in self.colors if c != out["color"])
        elif key == "type":
            options = self.same_category_types[out["type"]]
        else:
            brands = self.category_brands[self.category_of[attrs["product_type"]]]
            options = tuple(b for b in brands if b != out["brand"])
        if options:
            out[key] = rng.choice(options)
        return out
