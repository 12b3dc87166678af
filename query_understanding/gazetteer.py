"""Known brand / color / product-type surface forms and longest-match lookup over tokens.

A CRF cannot know that "the north face" is a brand from a few hundred training queries; the
catalog can. The gazetteer turns catalog surfaces into per-token BIO-style match labels that
the CRF uses as *features* (the model still decides), which is how unseen brands get tagged.

Lookup is done per entity type separately because surfaces are ambiguous ("orange" is a color
and a brand, "coach" a brand and a type); within a type the longest match starting at a token
wins and matching resumes after it. Tokens are compared in normalized form (NFKC, lowercase)
with leading/trailing punctuation stripped, so "Nike," matches "nike".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from query_understanding.schema import ENTITY_TYPES
from query_understanding.text import normalize_query

#: Punctuation a token sheds before comparison ("Nike," ~ "nike"); linking keys use the same.
EDGE_PUNCTUATION = "\"'.,;:!?()[]{}"

#: Gazetteer format version written by :meth:`Gazetteer.to_dict`.
FORMAT_VERSION = 1


def _key(token: str) -> str:
    """Comparison form of a token: normalized and stripped of surrounding punctuation."""
    return normalize_query(token).strip(EDGE_PUNCTUATION) or normalize_query(token)


def _surface_set(surfaces: Iterable[str]) -> frozenset[str]:
    """Normalized multi-word surfaces; each word keyed the way tokens are keyed."""
    out = set()
    for surface in surfaces:
        words = [_key(w) for w in normalize_query(surface).split()]
        if words:
            out.add(" ".join(words))
    return frozenset(out)


@dataclass(frozen=True)
class Gazetteer:
    """Surface forms per entity type (``{"BRAND": {...}, "COLOR": {...}, "TYPE": {...}}``)."""

    surfaces: dict[str, frozenset[str]]
    _max_words: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        longest = max((s.count(" ") + 1 for v in self.surfaces.values() for s in v), default=0)
        object.__setattr__(self, "_max_words", longest)

    @classmethod
    def from_surfaces(
        cls,
        brands: Iterable[str] = (),
        colors: Iterable[str] = (),
        types: Iterable[str] = (),
    ) -> "Gazetteer":
        """Build from iterables of surface strings (any casing, multi-word allowed)."""
        return cls(
            {
                "BRAND": _surface_set(brands),
                "COLOR": _surface_set(colors),
                "TYPE": _surface_set(types),
            }
        )

    @classmethod
    def from_catalog(cls, catalog) -> "Gazetteer":
        """From a :class:`~query_understanding.catalog.Catalog` (duck-typed: any object with
        ``brand_surfaces()``, ``color_surfaces()`` and ``type_surfaces()`` mappings or
        iterables of surfaces): canonical names, aliases, misspellings and type synonyms."""
        return cls.from_surfaces(catalog.brand_surfaces(), catalog.color_surfaces(), catalog.type_surfaces())

    def with_surfaces(self, entity_type: str, surfaces: Iterable[str]) -> "Gazetteer":
        """A copy that also knows ``surfaces`` as ``entity_type`` (e.g. brands seen in training)."""
        merged = dict(self.surfaces)
        merged[entity_type] = merged.get(entity_type, frozenset()) | _surface_set(surfaces)
        return Gazetteer(merged)

    @property
    def max_words(self) -> int:
        """Length in words of the longest surface: bounds the n-grams lookup tries."""
        return self._max_words

    def __len__(self) -> int:
        return sum(len(v) for v in self.surfaces.values())

    def contains(self, entity_type: str, surface: str) -> bool:
        """Whether ``surface`` (any casing/spacing) is a known ``entity_type`` surface."""
        return " ".join(_key(w) for w in surface.split()) in self.surfaces.get(entity_type, ())

    def lookup_type(self, tokens: Sequence[str], entity_type: str) -> list[str]:
        """Longest-match BIO labels (``B-X`` / ``I-X`` / ``O``) of one entity type."""
        keys = [_key(t) for t in tokens]
        known = self.surfaces.get(entity_type, frozenset())
        labels = ["O"] * len(keys)
        longest = min(self.max_words, len(keys))
        i = 0
        while i < len(keys):
            for n in range(min(longest, len(keys) - i), 0, -1):
                if " ".join(keys[i : i + n]) in known:
                    labels[i] = f"B-{entity_type}"
                    labels[i + 1 : i + n] = [f"I-{entity_type}"] * (n - 1)
                    i += n
                    break
            else:
                i += 1
        return labels

    def lookup(self, tokens: Sequence[str]) -> dict[str, list[str]]:
        """Per entity type, the longest-match label of each token."""
        return {t: self.lookup_type(tokens, t) for t in self.surfaces}

    def to_dict(self) -> dict:
        return {
            "format_version": FORMAT_VERSION,
            "surfaces": {t: sorted(v) for t, v in self.surfaces.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Gazetteer":
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise ValueError(f"unsupported gazetteer format_version {version!r}")
        unknown = set(data["surfaces"]) - set(ENTITY_TYPES)
        if unknown:
            raise ValueError(f"unknown entity types in gazetteer: {sorted(unknown)}")
        return cls({t: frozenset(v) for t, v in data["surfaces"].items()})

    def save(self, path: str | Path) -> None:
        """Write as JSON (sorted, so the same gazetteer always gives the same bytes)."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=0, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> "Gazetteer":
        return cls.from_dict(json.loads(Path(path).read_text()))
