"""Reading the labeled splits out of the warehouse, the same way for every model asset.

Model assets depend on the dbt split models through ``get_asset_key_for_model`` (the keys are
``SPLIT_ASSET_KEYS`` in ``assets/dbt_models.py``) and read them here. The data version they
record in their manifests is the content hash the dataset assets show (same function), so a
model's lineage points at exactly the rows it was trained on.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

from pipeline.dataset_metadata import content_hash, relation_name
from query_understanding.catalog import Catalog
from query_understanding.evaluation.behavioral import unseen_brand_pool
from query_understanding.example import Example
from resources import Warehouse, dbt_project

SPLIT_MODELS = {"train": "train_queries", "dev": "dev_queries", "test": "test_queries"}


@dataclass
class Splits:
    """Train/dev/test examples plus the gold subset (annotated rows of dev) and data versions."""

    train: list[Example]
    dev: list[Example]
    test: list[Example]
    versions: dict[str, str]

    @property
    def gold_dev(self) -> list[Example]:
        """Human-annotated dev rows (empty when no annotated queries are configured)."""
        return [e for e in self.dev if e.source == "annotated"]

    @property
    def data_version(self) -> str:
        return " ".join(f"{split}:{version}" for split, version in sorted(self.versions.items()))

    def tuning_dev(self) -> list[Example]:
        """What hyper-parameters and early stopping look at: gold dev if present, else all dev."""
        return self.gold_dev or self.dev


def load_splits(warehouse: Warehouse) -> Splits:
    examples, versions = {}, {}
    for split, model in SPLIT_MODELS.items():
        # In query_id order: the same data version then gives the same training order, so a
        # seed alone decides a run (DuckDB's own scan order varies between runs).
        frame = warehouse.read_table(relation_name(model, dbt_project().manifest_path), order_by="query_id")
        if frame.empty and split == "train":
            raise dg.Failure(f"{model} is empty: materialize the dataset assets first")
        versions[split] = content_hash(frame)
        examples[split] = [Example.from_dict(row) for row in frame.to_dict("records")]
    return Splits(examples["train"], examples["dev"], examples["test"], versions)


def unseen_brands(catalog: Catalog, train: list[Example], limit: int = 50) -> list[str]:
    """Catalog brands that never appear as a BRAND in training: the brand-swap test's pool."""
    return unseen_brand_pool(catalog.brand_surfaces(), train, limit)
