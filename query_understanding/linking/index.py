"""The linking index: every catalog surface of a brand, color or product type -> its catalog entry.

Search filters on catalog values, not on what the shopper typed: "nikee" must become the
catalog's Nike, "sneaker" the product type "sneakers" and its category. The index holds what
linking needs and nothing else, so it is small, JSON-serializable and versioned by a hash of
its content (the same catalog always gives the same version; the service reports it):

- ``surfaces``: per entity type, normalized surface -> ``[entry id, method]``, where method is
  how the surface relates to the entry (``exact``, ``alias``, ``plural``, ``synonym``);
- ``entries``: per entity type, entry id -> its record (display name, color family, category);
- ``brand_types``: product counts of (brand, product type) pairs, the co-occurrence that breaks
  ties between fuzzy candidates (a brand that sells the parsed type wins);
- ``fuzzy``: per entity type, the rapidfuzz score a typo must reach; chosen on data by
  :mod:`query_understanding.linking.calibration`, never by hand.

Built from a :class:`~query_understanding.catalog.Catalog` (the merged seed + feed catalog in
the pipeline), so the gazetteer, the weak labeler and linking share one set of facts.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from query_understanding.gazetteer import EDGE_PUNCTUATION
from query_understanding.schema import ENTITY_TYPES
from query_understanding.text import normalize_query

FORMAT_VERSION = 1
INDEX_FILE = "linking_index.json"

#: Link methods, most to least trustworthy.
LINK_METHODS: tuple[str, ...] = ("exact", "alias", "plural", "synonym", "fuzzy")
#: How a product-type surface form of the catalog links.
_TYPE_FORM_METHOD = {"singular": "plural", "plural": "plural", "synonym": "synonym"}
_NOT_ALNUM = re.compile(r"[\W_]+")


class LinkingIndexError(ValueError):
    """An index file that cannot be used (unknown format, content not matching its version)."""


def surface_key(text: str) -> str:
    """Comparison form of a surface: NFKC, lowercase, single-spaced, words stripped of edge punctuation."""
    words = (w.strip(EDGE_PUNCTUATION) for w in normalize_query(text).split())
    return " ".join(w for w in words if w)


def loose_key(text: str) -> str:
    """``surface_key`` without spaces and punctuation: "levis" ~ "levi's", "tshirt" ~ "t-shirt"."""
    return _NOT_ALNUM.sub("", surface_key(text))


@dataclass(frozen=True)
class LinkingIndex:
    """Surfaces, entries, co-occurrence and fuzzy thresholds; see the module docstring."""

    surfaces: dict[str, dict[str, tuple[str, str]]]
    entries: dict[str, dict[str, dict]]
    brand_types: dict[tuple[str, str], int] = field(default_factory=dict)
    fuzzy: dict[str, float] = field(default_factory=dict)
    _loose: dict = field(init=False, repr=False, compare=False, default_factory=dict)
    _version: str = field(init=False, repr=False, compare=False, default="")

    def __post_init__(self) -> None:
        for entity_type, table in self.surfaces.items():
            loose: dict[str, tuple[str, str]] = {}
            # the most trustworthy surface wins a collision of loose keys
            for surface, (entry_id, method) in sorted(table.items(), key=lambda kv: LINK_METHODS.index(kv[1][1])):
                loose.setdefault(loose_key(surface), (entry_id, method))
            self._loose[entity_type] = loose
        # hashed once: the service reports the version with every answer (an index is not mutated)
        object.__setattr__(self, "_version", _content_hash(self.to_dict()))

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_catalog(
        cls,
        catalog,
        brand_types: Mapping[tuple[str, str], int] | None = None,
        fuzzy: Mapping[str, float] | None = None,
    ) -> "LinkingIndex":
        """From a validated catalog. ``brand_types`` defaults to every brand x every type of the
        categories it sells (count 0: "plausible", no products known)."""
        brands: dict[str, tuple[str, str]] = {}
        for brand in catalog.brands:
            brands[surface_key(brand.brand)] = (brand.brand, "exact")
            brands.setdefault(surface_key(brand.display_name), (brand.brand, "exact"))
            for alias, _kind in brand.aliases:
                brands.setdefault(surface_key(alias), (brand.brand, "alias"))
        types: dict[str, tuple[str, str]] = {}
        for product_type in catalog.product_types:
            types[surface_key(product_type.product_type)] = (product_type.product_type, "exact")
            for surface, form in product_type.surfaces:
                types.setdefault(surface_key(surface), (product_type.product_type, _TYPE_FORM_METHOD[form]))
        colors = {surface_key(c.color): (c.color, "exact") for c in catalog.colors}
        entries = {
            "BRAND": {b.brand: {"name": b.display_name, "categories": list(b.categories)} for b in catalog.brands},
            "COLOR": {c.color: {"name": c.color, "family": c.family} for c in catalog.colors},
            "TYPE": {t.product_type: {"name": t.product_type, "category": t.category} for t in catalog.product_types},
        }
        if brand_types is None:
            by_category = catalog.categories()
            brand_types = {
                (b.brand, t): 0
                for b in catalog.brands
                for category in b.categories
                for t in by_category.get(category, ())
            }
        return cls(
            surfaces={"BRAND": brands, "COLOR": colors, "TYPE": types},
            entries=entries,
            brand_types=dict(brand_types),
            fuzzy=dict(fuzzy or {}),
        )

    def with_fuzzy(self, fuzzy: Mapping[str, float]) -> "LinkingIndex":
        """The same index with other fuzzy thresholds (a new version)."""
        return LinkingIndex(self.surfaces, self.entries, self.brand_types, dict(fuzzy))

    # ------------------------------------------------------------------ lookups
    def exact(self, entity_type: str, key: str) -> tuple[str, str] | None:
        """``(entry id, method)`` of a surface key, or None."""
        return self.surfaces.get(entity_type, {}).get(key)

    def loose(self, entity_type: str, key: str) -> tuple[str, str] | None:
        """Like :meth:`exact` on the loose form (spaces and punctuation ignored)."""
        return self._loose.get(entity_type, {}).get(loose_key(key))

    def record(self, entity_type: str, entry_id: str) -> dict:
        return self.entries[entity_type][entry_id]

    def sells(self, brand: str, product_type: str) -> bool:
        """Whether the catalog pairs the brand with the type (products, or a category it sells)."""
        return (brand, product_type) in self.brand_types

    def __len__(self) -> int:
        return sum(len(v) for v in self.surfaces.values())

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict:
        return {
            "format_version": FORMAT_VERSION,
            "surfaces": {
                t: {s: list(v) for s, v in sorted(table.items())} for t, table in sorted(self.surfaces.items())
            },
            "entries": {t: dict(sorted(table.items())) for t, table in sorted(self.entries.items())},
            "brand_types": [[b, t, n] for (b, t), n in sorted(self.brand_types.items())],
            "fuzzy": dict(sorted(self.fuzzy.items())),
        }

    @property
    def version(self) -> str:
        """Content hash: 16 hex characters of the sha256 of the canonical JSON (computed once)."""
        return self._version

    @classmethod
    def from_dict(cls, data: dict) -> "LinkingIndex":
        if data.get("format_version") != FORMAT_VERSION:
            raise LinkingIndexError(f"unsupported linking index format_version {data.get('format_version')!r}")
        unknown = set(data["surfaces"]) - set(ENTITY_TYPES)
        if unknown:
            raise LinkingIndexError(f"unknown entity types in linking index: {sorted(unknown)}")
        return cls(
            surfaces={t: {s: tuple(v) for s, v in table.items()} for t, table in data["surfaces"].items()},
            entries=data["entries"],
            brand_types={(b, t): int(n) for b, t, n in data["brand_types"]},
            fuzzy={t: float(v) for t, v in data["fuzzy"].items()},
        )

    def save(self, directory: str | Path) -> Path:
        """Write ``linking_index.json`` (content and version) into ``directory``; returns the file."""
        path = Path(directory) / INDEX_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {"version": self.version, **self.to_dict()}
        path.write_text(json.dumps(body, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> "LinkingIndex":
        """Read an index file (or the one in a directory); the content must hash to its version."""
        path = Path(path)
        if path.is_dir():
            path = path / INDEX_FILE
        data = json.loads(path.read_text(encoding="utf-8"))
        recorded = data.pop("version", None)
        index = cls.from_dict(data)
        if index.version != recorded:
            raise LinkingIndexError(f"{path}: content hashes to {index.version}, file says {recorded!r} (corrupted?)")
        return index


def _content_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
