"""The product catalog: brands (with aliases), colors and product types (with surface forms).

The catalog is the single source of facts behind synthetic query logs and the gazetteer. It is
authored as dbt seeds (``dbt/seeds/*.csv``, see ``docs/data_model.md``) and reaches Python in two
ways that must give the same object: :func:`load_catalog_from_csv` reads the seed files directly
(tests, CLI), :meth:`Catalog.from_records` takes the seed tables as the Dagster asset reads them
from DuckDB (lists of dicts keyed by seed name). Both go through one validator, so a bad seed
fails with a message naming the table, the row and the problem instead of producing silently
inconsistent training data.

Everything is kept in sorted tuples so that iterating a catalog is deterministic: the generator's
output may depend on catalog order, never on hash or insertion order.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from query_understanding.seed_rules import (
    ALIAS_KINDS,
    SEED_COLUMNS,
    CatalogError,
    brand_aliases,
    brand_categories,
    check_keys,
    clean_tables,
    type_surfaces,
)


@dataclass(frozen=True, slots=True)
class Brand:
    """A brand: canonical lowercase key, proper-cased display name, main vertical.

    ``aliases`` are ``(surface, kind)`` pairs, kind ``alias`` or ``misspelling``;
    ``categories`` are the product categories the brand plausibly sells.
    """

    brand: str
    display_name: str
    vertical: str
    categories: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Color:
    """A color, pattern or finish (QueryNER's COLOR covers all three)."""

    color: str
    family: str | None
    kind: str


@dataclass(frozen=True, slots=True)
class ProductType:
    """A canonical core product type and its other surface forms ``(surface, form)``."""

    product_type: str
    category: str
    vertical: str
    surfaces: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Catalog:
    """Brands, colors and product types, validated and sorted by their keys."""

    brands: tuple[Brand, ...]
    colors: tuple[Color, ...]
    product_types: tuple[ProductType, ...]

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_records(cls, tables: Mapping[str, Iterable[Mapping[str, object]]]) -> "Catalog":
        """Build and validate a catalog from seed tables given as lists of row dicts.

        ``tables`` is keyed by seed name (``brands``, ``brand_aliases``, ...); extra keys are
        ignored, extra columns too. Raises :class:`CatalogError` on any inconsistency.
        """
        rows = clean_tables(tables)
        check_keys(rows)
        aliases, brand_cats, surfaces = brand_aliases(rows), brand_categories(rows), type_surfaces(rows)
        types = {r["product_type"]: r for r in rows["product_types"]}
        brands = tuple(
            Brand(
                r["brand"],
                r["display_name"],
                r["vertical"],
                tuple(sorted(brand_cats[r["brand"]])),
                tuple(sorted(aliases.get(r["brand"], ()))),
            )
            for r in sorted(rows["brands"], key=lambda r: r["brand"])
        )
        colors = tuple(
            Color(r["color"], r["family"], r["kind"]) for r in sorted(rows["colors"], key=lambda r: r["color"])
        )
        product_types = tuple(
            ProductType(t, types[t]["category"], types[t]["vertical"], tuple(sorted(surfaces.get(t, ()))))
            for t in sorted(types)
        )
        return cls(brands=brands, colors=colors, product_types=product_types)

    # ------------------------------------------------------------------ lookups
    def brand(self, key: str) -> Brand:
        """The brand with canonical key ``key`` (KeyError if unknown)."""
        return self._brand_index()[key]

    def product_type(self, key: str) -> ProductType:
        """The product type with canonical name ``key`` (KeyError if unknown)."""
        return self._type_index()[key]

    def color(self, key: str) -> Color:
        """The color with canonical name ``key`` (KeyError if unknown)."""
        return self._color_index()[key]

    def categories(self) -> dict[str, tuple[str, ...]]:
        """Category -> its product types, both sorted."""
        out: dict[str, list[str]] = {}
        for t in self.product_types:
            out.setdefault(t.category, []).append(t.product_type)
        return {c: tuple(out[c]) for c in sorted(out)}

    def brands_for_category(self, category: str) -> tuple[str, ...]:
        """Canonical keys of the brands that sell ``category``, sorted."""
        return tuple(b.brand for b in self.brands if category in b.categories)

    # ------------------------------------------------------------------ surfaces
    def brand_surfaces(self, kinds: Iterable[str] = ("canonical", *ALIAS_KINDS)) -> dict[str, str]:
        """Every brand surface form -> canonical brand, sorted by surface.

        ``kinds`` selects canonical keys, aliases and/or misspellings (all by default).
        """
        wanted = set(kinds)
        out: dict[str, str] = {}
        for b in self.brands:
            if "canonical" in wanted:
                out[b.brand] = b.brand
            for alias, kind in b.aliases:
                if kind in wanted:
                    out[alias] = b.brand
        return dict(sorted(out.items()))

    def color_surfaces(self) -> dict[str, str]:
        """Every color surface -> canonical color (colors have one surface each), sorted."""
        return {c.color: c.color for c in self.colors}

    def type_surfaces(self) -> dict[str, str]:
        """Every product type surface (canonical, plural, singular, synonym) -> canonical type."""
        out: dict[str, str] = {}
        for t in self.product_types:
            out[t.product_type] = t.product_type
            for surface, _form in t.surfaces:
                out[surface] = t.product_type
        return dict(sorted(out.items()))

    def misspelled_brand_surfaces(self) -> frozenset[str]:
        """Brand surfaces that are known misspellings (a query using one ``has_typo``)."""
        return frozenset(a for b in self.brands for a, k in b.aliases if k == "misspelling")

    # ------------------------------------------------------------------ internals
    def _brand_index(self) -> dict[str, Brand]:
        return _cached(self, "_brands_by_key", lambda: {b.brand: b for b in self.brands})

    def _type_index(self) -> dict[str, ProductType]:
        return _cached(self, "_types_by_key", lambda: {t.product_type: t for t in self.product_types})

    def _color_index(self) -> dict[str, Color]:
        return _cached(self, "_colors_by_key", lambda: {c.color: c for c in self.colors})


def load_catalog_from_csv(seed_dir: Path | str) -> Catalog:
    """Read the six seed CSVs from ``seed_dir`` (``dbt/seeds``) and build a validated catalog."""
    seed_dir = Path(seed_dir)
    tables: dict[str, list[dict[str, str]]] = {}
    for name in SEED_COLUMNS:
        path = seed_dir / f"{name}.csv"
        if not path.is_file():
            raise CatalogError(f"seed file {path} is missing")
        with path.open(newline="", encoding="utf-8") as f:
            tables[name] = list(csv.DictReader(f))
    return Catalog.from_records(tables)


# ---------------------------------------------------------------------- helpers
def _cached(obj: Catalog, name: str, build):
    value = obj.__dict__.get(name)
    if value is None:
        value = build()
        object.__setattr__(obj, name, value)
    return value
