"""The catalog as the dbt seeds landed in the warehouse (not the CSVs, so lineage stays honest)."""

import dagster as dg

from pipeline.dataset_metadata import relation_name
from query_understanding.catalog import Catalog
from resources import DuckDBWarehouse, dbt_project

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
    manifest = dbt_project().manifest_path
    tables = {
        seed: warehouse.read_table(relation_name(seed, manifest, "seed")).to_dict("records") for seed in CATALOG_SEEDS
    }
    return Catalog.from_records(tables)
