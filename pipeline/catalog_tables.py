"""The catalog as the dbt catalog models landed it in the warehouse: the seeds merged with the
user's product feed (``dbt/models/catalog/``), not the CSVs, so lineage stays honest.

The six ``catalog_*`` models with seed names have the seed columns (:data:`CATALOG_MODELS` maps
seed name -> model), so :meth:`Catalog.from_records` reads them as it reads the seeds, and every
reader of :func:`load_catalog` (the synthetic logs, the CRF gazetteer, the transformer and ONNX
assets) sees the merged catalog with no change on its side.
"""

from __future__ import annotations

import json

import dagster as dg
from dagster_dbt import DagsterDbtTranslator

from pipeline.dataset_metadata import DBT_PACKAGE, relation_name
from query_understanding.catalog import Catalog
from resources import Warehouse, dbt_project

#: Seed name (what :meth:`Catalog.from_records` expects) -> the merged dbt model holding it.
CATALOG_MODELS: dict[str, str] = {
    "brands": "catalog_brands",
    "brand_aliases": "catalog_brand_aliases",
    "brand_categories": "catalog_brand_categories",
    "colors": "catalog_colors",
    "product_types": "catalog_product_types",
    "product_type_synonyms": "catalog_product_type_synonyms",
}
#: Brand x product type with the feed's product counts.
BRAND_TYPES_MODEL = "catalog_brand_types"


def _asset_keys(models: list[str]) -> list[dg.AssetKey]:
    """The Dagster asset keys of dbt models, as dagster-dbt's translator names them."""
    nodes = json.loads(dbt_project().manifest_path.read_text())["nodes"]
    translator = DagsterDbtTranslator()
    return [translator.get_asset_key(nodes[f"model.{DBT_PACKAGE}.{model}"]) for model in models]


#: The merged catalog models (and the brand-type counts): what ``catalog_snapshot`` depends on.
CATALOG_ASSET_KEYS: list[dg.AssetKey] = _asset_keys([*CATALOG_MODELS.values(), BRAND_TYPES_MODEL])
#: The one asset every Python reader of the catalog depends on (``assets/catalog.py``): one edge
#: from the catalog group to each reader instead of seven, and a data version that changes
#: exactly when the merged catalog does.
CATALOG_SNAPSHOT = dg.AssetKey("catalog_snapshot")


def load_catalog(warehouse: Warehouse) -> Catalog:
    """The merged catalog (seeds + feed), validated by :meth:`Catalog.from_records`."""
    manifest = dbt_project().manifest_path
    tables = {
        seed: warehouse.read_table(relation_name(model, manifest)).to_dict("records")
        for seed, model in CATALOG_MODELS.items()
    }
    return Catalog.from_records(tables)


def load_brand_type_counts(warehouse: Warehouse) -> dict[tuple[str, str], int]:
    """``(brand, product_type) -> n_products`` of the feed, for every pair the brand's categories
    allow (0 where the feed has no such product; every pair is 0 without a feed)."""
    relation = relation_name(BRAND_TYPES_MODEL, dbt_project().manifest_path)
    frame = warehouse.read_table(relation, order_by="brand, product_type")
    return {(r.brand, r.product_type): int(r.n_products) for r in frame.itertuples(index=False)}
