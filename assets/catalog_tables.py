"""The catalog as the dbt seeds landed in the warehouse (not the CSVs, so lineage stays honest)."""

import dagster as dg

from assets.dataset_metadata import relation_name
from query_understanding.catalog import Catalog
from resources import DBT_PROJECT, DuckDBWarehouse

CATALOG_SEEDS = (
    "brands",
    "brand_aliases",
    "brand_categories",
    "colors",
    "product_types",
    "product_type_synonyms",
)
CATALOG_ASSET_KEYS = [dg.AssetKey(seed) for seed in CATALOG_SEEDS]


def load_catalog(warehouse: DuckDBWarehouse) -> Catalog:
    tables = {
        seed: warehouse.read_table(relation_name(seed, DBT_PROJECT.manifest_path, "seed")).to_dict("records")
        for seed in CATALOG_SEEDS
    }
    return Catalog.from_records(tables)
