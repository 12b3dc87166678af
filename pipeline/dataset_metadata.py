"""Metadata and data versions for the labeled-query dataset assets.

What an engineer wants to see on a dataset's page before training on it: how many rows per
split, how many entities of each type, how many queries test unseen brands, a sample of labeled
rows, and a content hash that changes exactly when the rows or their labels change (so two runs
with the same seed show the same data version, and models trained on it show as stale otherwise).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from functools import lru_cache
from pathlib import Path

import dagster as dg
import pandas as pd

from query_understanding.bio import format_tagged
from query_understanding.markdown import markdown_table
from query_understanding.schema import ENTITY_TYPES
from resources import Warehouse

DBT_PACKAGE = "query_understanding"
#: dbt models whose assets get dataset metadata (dagster-dbt names their outputs by model name).
DATASET_MODELS = frozenset({"labeled_queries", "train_queries", "dev_queries", "test_queries"})
SAMPLE_ROWS = 12
SAMPLE_COLUMNS = ("query", "labeled", "split", "source")


@lru_cache(maxsize=8)
def _manifest_nodes(manifest_path: str, mtime: float) -> dict:
    return json.loads(Path(manifest_path).read_text())["nodes"]


def relation_name(name: str, manifest_path: Path, resource_type: str = "model") -> str:
    """``schema.table`` of a dbt model or seed, from the manifest (independent of the file name)."""
    nodes = _manifest_nodes(str(manifest_path), manifest_path.stat().st_mtime)
    node = nodes[f"{resource_type}.{DBT_PACKAGE}.{name}"]
    return f"{node['schema']}.{node.get('alias') or node['name']}"


def source_column_descriptions(source: str, table: str, manifest_path: Path) -> dict[str, str]:
    """Column descriptions of the dbt source ``source.table`` (for a Python asset that writes it)."""
    manifest = json.loads(manifest_path.read_text())
    columns = manifest["sources"].get(f"source.{DBT_PACKAGE}.{source}.{table}", {}).get("columns", {})
    return {name: column.get("description") or "" for name, column in columns.items()}


def content_hash(frame: pd.DataFrame) -> str:
    """Hash of the rows that matter for training: ids, tokens, tags and split, in id order."""
    digest = hashlib.sha256()
    for row in frame.sort_values("query_id").itertuples(index=False):
        digest.update(f"{row.query_id}\t{' '.join(row.tokens)}\t{' '.join(row.tags)}\t{row.split}\n".encode())
    return digest.hexdigest()[:16]


def dataset_metadata(frame: pd.DataFrame) -> dict[str, dg.MetadataValue | int | float]:
    """Row counts, entity counts per type, slice shares and a labeled sample."""
    entity_counts = Counter(tag[2:] for tags in frame["tags"] for tag in tags if tag.startswith("B-"))
    metadata: dict = {
        "dagster/row_count": len(frame),
        "unseen_brand_share": round(float(frame["has_unseen_brand"].mean()), 4) if len(frame) else 0.0,
        "typo_share": round(float(frame["has_typo"].mean()), 4) if len(frame) else 0.0,
    }
    for entity_type in ENTITY_TYPES:
        metadata[f"entities_{entity_type}"] = int(entity_counts.get(entity_type, 0))
    by_split_source = frame.groupby(["split", "source"]).size().rename("rows").reset_index()
    metadata["rows_per_split"] = dg.MetadataValue.md(
        markdown_table(("split", "source", "rows"), by_split_source.itertuples(index=False))
    )
    sample = frame.sort_values("query_id").head(SAMPLE_ROWS)
    rows = [
        (row.query_text, format_tagged(list(row.tokens), list(row.tags)), row.split, row.source)
        for row in sample.itertuples(index=False)
    ]
    # A table, not markdown: its cells are plain text (``[prada](BRAND)`` is never a link), and
    # the UI shows it inline at any length (markdown over 1,000 characters hides behind a button).
    metadata["sample"] = dg.MetadataValue.table(
        records=[dg.TableRecord(dict(zip(SAMPLE_COLUMNS, row))) for row in rows],
        schema=dg.TableSchema(columns=[dg.TableColumn(name, "string") for name in SAMPLE_COLUMNS]),
    )
    return metadata


def dataset_output(event: dg.Output, warehouse: Warehouse, manifest_path: Path) -> dg.Output:
    """The dbt ``Output`` for a dataset model, with dataset metadata and a content data version."""
    frame = warehouse.read_table(relation_name(event.output_name, manifest_path))
    version = content_hash(frame)
    return dg.Output(
        value=event.value,
        output_name=event.output_name,
        metadata={**event.metadata, **dataset_metadata(frame), "content_hash": version},
        data_version=dg.DataVersion(version),
    )
