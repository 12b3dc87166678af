"""Specification of the product catalog: the dbt seeds and the Catalog built from them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from query_understanding.catalog import Catalog, load_catalog_from_csv
from query_understanding.seed_rules import SEED_COLUMNS, VERTICALS, CatalogError

SEED_DIR = Path(__file__).resolve().parents[2] / "dbt" / "seeds"


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEED_DIR / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog_from_csv(SEED_DIR)


@pytest.fixture()
def tiny_tables() -> dict[str, list[dict[str, str]]]:
    """A minimal consistent catalog that validation tests break one fact at a time."""
    return {
        "brands": [
            {"brand": "nike", "display_name": "Nike", "vertical": "sports"},
            {"brand": "the north face", "display_name": "The North Face", "vertical": "sports"},
        ],
        "brand_aliases": [
            {"brand": "nike", "alias": "nkie", "alias_kind": "misspelling"},
            {"brand": "the north face", "alias": "tnf", "alias_kind": "alias"},
        ],
        "brand_categories": [
            {"brand": "nike", "category": "athletic_footwear"},
            {"brand": "the north face", "category": "outerwear"},
        ],
        "colors": [
            {"color": "black", "family": "black", "kind": "color"},
            {"color": "camo", "family": "multi", "kind": "pattern"},
        ],
        "product_types": [
            {"product_type": "running shoes", "category": "athletic_footwear", "vertical": "sports"},
            {"product_type": "jacket", "category": "outerwear", "vertical": "fashion"},
        ],
        "product_type_synonyms": [
            {"product_type": "running shoes", "surface": "running shoe", "form": "singular"},
            {"product_type": "jacket", "surface": "jackets", "form": "plural"},
        ],
    }


# ---------------------------------------------------------------- the real seeds
class TestSeedFiles:
    def test_every_seed_has_exactly_the_documented_columns(self):
        for name, columns in SEED_COLUMNS.items():
            with (SEED_DIR / f"{name}.csv").open(encoding="utf-8") as f:
                header = f.readline().strip().split(",")
            assert tuple(header) == columns, name

    def test_text_is_lowercase_except_display_names(self):
        for name, columns in SEED_COLUMNS.items():
            for row in read_seed(name):
                for col in columns:
                    if col != "display_name":
                        assert row[col] == row[col].lower(), (name, row)

    def test_display_name_is_the_proper_cased_brand(self):
        for row in read_seed("brands"):
            assert row["display_name"].lower() == row["brand"]
            assert row["display_name"] != row["brand"] or not row["brand"].isalpha()


class TestCatalogSize:
    def test_at_least_300_brands_across_all_verticals(self, catalog):
        assert len(catalog.brands) >= 300
        verticals = {b.vertical for b in catalog.brands}
        assert {"fashion", "electronics", "home", "beauty", "grocery", "tools", "sports"} <= verticals
        assert verticals <= set(VERTICALS)

    def test_at_least_60_colors_including_patterns_and_finishes(self, catalog):
        assert len(catalog.colors) >= 60
        kinds = {c.kind for c in catalog.colors}
        assert kinds == {"color", "pattern", "finish"}
        for name in ("camo", "floral", "plaid", "striped", "matte", "metallic"):
            assert catalog.color(name)

    def test_at_least_200_product_types(self, catalog):
        assert len(catalog.product_types) >= 200

    def test_at_least_120_brand_aliases_and_misspellings(self, catalog):
        aliases = [a for b in catalog.brands for a in b.aliases]
        assert len(aliases) >= 120
        assert {k for _, k in aliases} == {"alias", "misspelling"}

    @pytest.mark.parametrize(
        "brand",
        [
            "the north face",
            "calvin klein",
            "black & decker",
            "under armour",
            "new balance",
            "ralph lauren",
            "hamilton beach",
        ],
    )
    def test_well_known_multi_word_brands_are_present(self, catalog, brand):
        assert catalog.brand(brand).brand == brand

    def test_multi_word_entities_exist_in_every_table(self, catalog):
        assert sum(" " in b.brand for b in catalog.brands) >= 50
        assert {"navy blue", "rose gold", "light blue"} <= set(catalog.color_surfaces())
        assert {"running shoes", "air fryer", "coffee maker"} <= set(catalog.type_surfaces())


class TestAliases:
    @pytest.mark.parametrize(
        "alias,brand",
        [
            ("levis", "levi's"),
            ("ck", "calvin klein"),
            ("tnf", "the north face"),
            ("addidas", "adidas"),
            ("nkie", "nike"),
            ("samsng", "samsung"),
            ("calvin klien", "calvin klein"),
        ],
    )
    def test_common_aliases_and_misspellings_resolve(self, catalog, alias, brand):
        assert catalog.brand_surfaces()[alias] == brand

    def test_every_alias_points_to_a_known_brand_and_is_no_canonical_name(self, catalog):
        keys = {b.brand for b in catalog.brands}
        for row in read_seed("brand_aliases"):
            assert row["brand"] in keys, row
            assert row["alias"] not in keys, row

    def test_misspellings_are_marked(self, catalog):
        assert "addidas" in catalog.misspelled_brand_surfaces()
        assert "levis" not in catalog.misspelled_brand_surfaces()

    def test_surface_kinds_can_be_selected(self, catalog):
        canonical = catalog.brand_surfaces(kinds=("canonical",))
        assert set(canonical) == {b.brand for b in catalog.brands}
        assert "nkie" not in catalog.brand_surfaces(kinds=("canonical", "alias"))


class TestCategoriesAndTypes:
    def test_every_brand_sells_at_least_one_existing_category(self, catalog):
        categories = set(catalog.categories())
        for b in catalog.brands:
            assert b.categories and set(b.categories) <= categories, b.brand

    def test_brands_sell_plausible_categories(self, catalog):
        assert "power_tools" in catalog.brand("dewalt").categories
        assert "bottoms" in catalog.brand("levi's").categories
        assert "small_appliances" in catalog.brand("hamilton beach").categories

    def test_every_type_surface_maps_to_exactly_one_type(self, catalog):
        rows = read_seed("product_type_synonyms")
        surfaces = [r["surface"] for r in rows]
        assert len(surfaces) == len(set(surfaces))
        types = {t.product_type for t in catalog.product_types}
        assert not set(surfaces) & types

    def test_plurals_and_synonyms_are_surfaces_of_their_type(self, catalog):
        surfaces = catalog.type_surfaces()
        assert surfaces["trainers"] == "sneakers"
        assert surfaces["t shirt"] == "t-shirt"
        assert surfaces["air fryers"] == "air fryer"

    def test_types_follow_queryner_modifiers_stay_outside(self, catalog):
        for t in catalog.type_surfaces():
            words = t.split()
            assert not {"womens", "mens", "waterproof", "wireless", "cheap"} & set(words), t


class TestFromRecords:
    def test_records_and_csv_give_the_same_catalog(self, catalog):
        tables = {name: read_seed(name) for name in SEED_COLUMNS}
        assert Catalog.from_records(tables) == catalog

    def test_row_order_does_not_matter(self, tiny_tables):
        reversed_tables = {k: list(reversed(v)) for k, v in tiny_tables.items()}
        assert Catalog.from_records(reversed_tables) == Catalog.from_records(tiny_tables)

    def test_null_color_family_is_allowed(self, tiny_tables):
        tiny_tables["colors"][0]["family"] = None
        assert Catalog.from_records(tiny_tables).color("black").family is None

    def test_missing_seed_file_is_reported(self, tmp_path):
        with pytest.raises(CatalogError, match="missing"):
            load_catalog_from_csv(tmp_path)


class TestValidation:
    """Each inconsistency fails loudly with a message that names it."""

    def test_alias_to_unknown_brand(self, tiny_tables):
        tiny_tables["brand_aliases"].append({"brand": "adidas", "alias": "addidas", "alias_kind": "misspelling"})
        with pytest.raises(CatalogError, match="alias to unknown brand"):
            Catalog.from_records(tiny_tables)

    def test_alias_equal_to_a_canonical_brand(self, tiny_tables):
        tiny_tables["brand_aliases"].append({"brand": "the north face", "alias": "nike", "alias_kind": "alias"})
        with pytest.raises(CatalogError, match="itself a canonical brand"):
            Catalog.from_records(tiny_tables)

    def test_alias_to_two_brands(self, tiny_tables):
        tiny_tables["brand_aliases"].append({"brand": "the north face", "alias": "nkie", "alias_kind": "alias"})
        with pytest.raises(CatalogError, match="points to both"):
            Catalog.from_records(tiny_tables)

    def test_category_without_types(self, tiny_tables):
        tiny_tables["brand_categories"].append({"brand": "nike", "category": "golf"})
        with pytest.raises(CatalogError, match="has no product types"):
            Catalog.from_records(tiny_tables)

    def test_brand_without_category(self, tiny_tables):
        tiny_tables["brands"].append({"brand": "puma", "display_name": "Puma", "vertical": "sports"})
        with pytest.raises(CatalogError, match="without any category"):
            Catalog.from_records(tiny_tables)

    def test_surface_equal_to_its_own_type(self, tiny_tables):
        tiny_tables["product_type_synonyms"].append({"product_type": "jacket", "surface": "jacket", "form": "synonym"})
        with pytest.raises(CatalogError, match="duplicates its own product_type"):
            Catalog.from_records(tiny_tables)

    def test_surface_of_two_types(self, tiny_tables):
        tiny_tables["product_type_synonyms"].append(
            {"product_type": "jacket", "surface": "running shoe", "form": "synonym"}
        )
        with pytest.raises(CatalogError, match="maps to both"):
            Catalog.from_records(tiny_tables)

    def test_unknown_vertical_and_kind(self, tiny_tables):
        tiny_tables["colors"][1]["kind"] = "texture"
        with pytest.raises(CatalogError, match="color kind"):
            Catalog.from_records(tiny_tables)

    def test_uppercase_text(self, tiny_tables):
        tiny_tables["colors"][0]["color"] = "Black"
        with pytest.raises(CatalogError, match="lowercase"):
            Catalog.from_records(tiny_tables)

    def test_missing_column(self, tiny_tables):
        del tiny_tables["brands"][0]["vertical"]
        with pytest.raises(CatalogError, match="missing column"):
            Catalog.from_records(tiny_tables)

    def test_duplicate_brand(self, tiny_tables):
        tiny_tables["brands"].append(dict(tiny_tables["brands"][0]))
        with pytest.raises(CatalogError, match="duplicate brand"):
            Catalog.from_records(tiny_tables)
