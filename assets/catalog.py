"""The catalog snapshot: the merged catalog models read once as one validated catalog.

The Python readers of the catalog (the synthetic logs, the CRF gazetteer, the transformer's
unseen-brand pool, the linking index) depend on this one asset, not on the seven ``catalog_*``
dbt models each: the lineage shows one edge from the catalog to each reader, and its data
version (a hash of the merged catalog's content) changes exactly when the catalog does, so
readers go stale only then. The readers still read the tables themselves
(:func:`pipeline.catalog_tables.load_catalog`): this asset validates and versions them.
"""

import hashlib
import json
from dataclasses import asdict

import dagster as dg

from pipeline.catalog_tables import CATALOG_ASSET_KEYS, CATALOG_SNAPSHOT, load_brand_type_counts, load_catalog
from pipeline.ui import OWNERS
from query_understanding.gazetteer import Gazetteer
from query_understanding.markdown import markdown_table
from resources import Warehouse


@dg.asset(
    key=CATALOG_SNAPSHOT,
    deps=CATALOG_ASSET_KEYS,
    group_name="catalog",
    # a catalog change (new feed, edited seeds) rebuilds it without retraining; evaluated by
    # automation/sensors.py's catalog_automation (stopped until switched on in the UI)
    automation_condition=dg.AutomationCondition.eager(),
    kinds={"python", "duckdb"},
    owners=OWNERS,
    code_version="1",
)
def catalog_snapshot(warehouse: Warehouse) -> dg.MaterializeResult:
    """The merged catalog (seeds + feed) validated as one catalog; what its Python readers depend on."""
    catalog = load_catalog(warehouse)
    brand_types = load_brand_type_counts(warehouse)
    content = json.dumps(
        {"catalog": asdict(catalog), "brand_types": sorted(f"{b}\t{t}\t{n}" for (b, t), n in brand_types.items())},
        sort_keys=True,
        default=str,
    )
    version = hashlib.sha256(content.encode()).hexdigest()[:16]
    gazetteer = Gazetteer.from_catalog(catalog)
    counts = {
        "brands": len(catalog.brands),
        "colors": len(catalog.colors),
        "product_types": len(catalog.product_types),
        "brand_surfaces": len(catalog.brand_surfaces()),
    }
    return dg.MaterializeResult(
        metadata={
            **counts,
            "gazetteer_entries": len(gazetteer),
            "catalog_hash": version,
            "counts": dg.MetadataValue.md(markdown_table(("entries", "n"), counts.items())),
        },
        data_version=dg.DataVersion(version),
    )
