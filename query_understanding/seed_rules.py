"""The rules a catalog's seed tables must follow, checked row by row with messages that name
the table, the row and the problem.

:meth:`query_understanding.catalog.Catalog.from_records` runs these checks and assembles the
catalog from the relations they return (aliases, brand categories, product-type surfaces).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

VERTICALS: tuple[str, ...] = (
    "fashion",
    "electronics",
    "home",
    "beauty",
    "grocery",
    "tools",
    "sports",
    "toys",
    "auto",
    "pets",
    "office",
)
ALIAS_KINDS: tuple[str, ...] = ("alias", "misspelling")
COLOR_KINDS: tuple[str, ...] = ("color", "pattern", "finish")
SURFACE_FORMS: tuple[str, ...] = ("singular", "plural", "synonym")

#: Seed name -> required columns, exactly as in docs/data_model.md.
SEED_COLUMNS: dict[str, tuple[str, ...]] = {
    "brands": ("brand", "display_name", "vertical"),
    "brand_aliases": ("brand", "alias", "alias_kind"),
    "brand_categories": ("brand", "category"),
    "colors": ("color", "family", "kind"),
    "product_types": ("product_type", "category", "vertical"),
    "product_type_synonyms": ("product_type", "surface", "form"),
}


class CatalogError(ValueError):
    """The seed tables are inconsistent; the message names the table, row and problem."""


Rows = dict[str, list[dict]]


def clean_tables(tables: Mapping[str, Iterable[Mapping[str, object]]]) -> Rows:
    """Every seed table with its required columns, values checked and stripped to text."""
    return {name: _clean_table(name, tables, cols) for name, cols in SEED_COLUMNS.items()}


def _clean_table(name, tables, columns) -> list[dict[str, str | None]]:
    if name not in tables:
        raise CatalogError(f"seed table {name!r} is missing (have: {', '.join(sorted(tables))})")
    out = []
    for i, row in enumerate(tables[name], start=1):
        missing = [c for c in columns if c not in row]
        if missing:
            raise CatalogError(f"{name} row {i}: missing column(s) {', '.join(missing)}")
        clean: dict[str, str | None] = {}
        for c in columns:
            value = row[c]
            if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
                if name == "colors" and c == "family":
                    clean[c] = None  # the only nullable seed column
                    continue
                raise CatalogError(f"{name} row {i}: column {c!r} is empty")
            text = str(value)
            if c != "display_name" and (text != text.lower() or text != " ".join(text.split())):
                raise CatalogError(f"{name} row {i}: {c}={text!r} must be lowercase and single-spaced")
            clean[c] = text
        out.append(clean)
    return out


def _unique(name: str, key: str, rows) -> None:
    seen: set[str] = set()
    for row in rows:
        if row[key] in seen:
            raise CatalogError(f"{name}: duplicate {key} {row[key]!r}")
        seen.add(row[key])


def _check_in(name: str, column: str, value: str, allowed, what: str) -> None:
    if value not in allowed:
        raise CatalogError(f"{name}: {column} {value!r} is not a known {what}")


def check_keys(rows: Rows) -> None:
    """Unique keys and known verticals and color kinds."""
    for name, key in (("brands", "brand"), ("colors", "color"), ("product_types", "product_type")):
        _unique(name, key, rows[name])
    for r in rows["brands"]:
        _check_in("brands", "vertical", r["vertical"], VERTICALS, "vertical")
    for r in rows["product_types"]:
        _check_in("product_types", "vertical", r["vertical"], VERTICALS, "vertical")
    for r in rows["colors"]:
        _check_in("colors", "kind", r["kind"], COLOR_KINDS, "color kind")


def brand_aliases(rows: Rows) -> dict[str, list[tuple[str, str]]]:
    """``brand -> [(alias, kind)]``; an alias names one known brand and is no brand itself."""
    brand_keys = {r["brand"] for r in rows["brands"]}
    aliases: dict[str, list[tuple[str, str]]] = {}
    alias_owner: dict[str, str] = {}
    for r in rows["brand_aliases"]:
        brand, alias = r["brand"], r["alias"]
        _check_in("brand_aliases", "brand", brand, brand_keys, "brand (alias to unknown brand)")
        _check_in("brand_aliases", "alias_kind", r["alias_kind"], ALIAS_KINDS, "alias kind")
        if alias in brand_keys:
            raise CatalogError(f"brand_aliases: alias {alias!r} of {brand!r} is itself a canonical brand")
        if alias in alias_owner and alias_owner[alias] != brand:
            raise CatalogError(f"brand_aliases: alias {alias!r} points to both {alias_owner[alias]!r} and {brand!r}")
        if alias not in alias_owner:
            alias_owner[alias] = brand
            aliases.setdefault(brand, []).append((alias, r["alias_kind"]))
    return aliases


def brand_categories(rows: Rows) -> dict[str, set[str]]:
    """``brand -> categories``: every brand sells something, every category is sold."""
    brand_keys = {r["brand"] for r in rows["brands"]}
    categories = {r["category"] for r in rows["product_types"]}
    brand_cats: dict[str, set[str]] = {}
    for r in rows["brand_categories"]:
        _check_in("brand_categories", "brand", r["brand"], brand_keys, "brand")
        if r["category"] not in categories:
            raise CatalogError(f"brand_categories: category {r['category']!r} of {r['brand']!r} has no product types")
        brand_cats.setdefault(r["brand"], set()).add(r["category"])
    no_cat = sorted(brand_keys - set(brand_cats))
    if no_cat:
        raise CatalogError(f"brand_categories: brand(s) without any category: {', '.join(no_cat[:10])}")
    unsold = sorted(categories - set().union(*brand_cats.values()))
    if unsold:
        raise CatalogError(f"product_types: categories sold by no brand: {', '.join(unsold[:10])}")
    return brand_cats


def type_surfaces(rows: Rows) -> dict[str, list[tuple[str, str]]]:
    """``product_type -> [(surface, form)]``; a surface names exactly one other product type."""
    types = {r["product_type"] for r in rows["product_types"]}
    surfaces: dict[str, list[tuple[str, str]]] = {}
    surface_owner: dict[str, str] = {}
    for r in rows["product_type_synonyms"]:
        ptype, surface = r["product_type"], r["surface"]
        _check_in("product_type_synonyms", "product_type", ptype, types, "product type")
        _check_in("product_type_synonyms", "form", r["form"], SURFACE_FORMS, "surface form")
        if surface == ptype:
            raise CatalogError(f"product_type_synonyms: surface {surface!r} duplicates its own product_type")
        if surface in types:
            raise CatalogError(
                f"product_type_synonyms: surface {surface!r} of {ptype!r} is another canonical product_type"
            )
        if surface in surface_owner:
            raise CatalogError(
                f"product_type_synonyms: surface {surface!r} maps to both {surface_owner[surface]!r} and {ptype!r}"
            )
        surface_owner[surface] = ptype
        surfaces.setdefault(ptype, []).append((surface, r["form"]))
    return surfaces
