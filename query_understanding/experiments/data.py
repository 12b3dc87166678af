"""The data an experiment trains and scores on, read the cheapest honest way.

QueryNER's annotated train and dev files are read directly with the project's gold loader
(:func:`~query_understanding.gold.read_gold`), so CRF and annotated-only transformer variants
need no dbt build at all. Synthetic weak-label rows exist only after dbt has labelled the
synthetic logs; the caller passes them in (``scripts/experiment.py`` reads them from the
warehouse's ``train_queries``, the rows the main job trains on). The 17-type file is joined to
the 3-type rows by id. Dev is scored, never trained on; the official test split is not read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from query_understanding.example import Example
from query_understanding.gold import read_gold
from query_understanding.schema import QUERYNER_COLLAPSE
from query_understanding.training_rows import SourceTagged, select_rows, with_source_tags

TRAIN_FILE, DEV_FILE, FULL_TRAIN_FILE = "queryner_train.jsonl", "queryner_dev.jsonl", "queryner_full_train.jsonl"


@dataclass
class ExperimentData:
    """Annotated train rows, gold dev rows, optional synthetic rows and the 17-type train tags."""

    annotated: list[Example]
    dev: list[Example]
    synthetic: list[Example] = field(default_factory=list)
    full_train: dict[str, SourceTagged] = field(default_factory=dict)
    catalog_brands: list[str] = field(default_factory=list)

    def training_rows(self, sources: Sequence[str], max_synthetic: int | None, full_types: bool) -> list:
        """The rows a variant's mix names; 17-type tags on annotated rows when ``full_types``."""
        if "synthetic" in sources and not self.synthetic:
            raise ValueError("this variant mixes in synthetic rows, but none were loaded (pass --warehouse)")
        rows = select_rows([*self.annotated, *self.synthetic], sources, max_synthetic)
        if not full_types:
            return rows
        if not self.full_train:
            raise ValueError(f"17-type variant, but {FULL_TRAIN_FILE} was not loaded")
        expand = {project: source for source, project in QUERYNER_COLLAPSE.items()}
        return with_source_tags(rows, self.full_train, expand)


def read_source_tagged(path: str | Path) -> dict[str, SourceTagged]:
    """Rows of a JSONL file tagged in source types (the 17-type QueryNER file), by id."""
    rows = {}
    with Path(path).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                row = json.loads(line)
                try:
                    rows[row["id"]] = SourceTagged(row["tokens"], row["tags"], row["id"], "annotated")
                except ValueError as exc:
                    raise ValueError(f"{path}:{number}: {exc}") from exc
    return rows


def load_queryner(directory: str | Path) -> tuple[list[Example], list[Example], dict[str, SourceTagged]]:
    """``(train, dev, 17-type train by id)`` from a QueryNER folder; rows are ``annotated``."""
    directory = Path(directory)
    train = read_gold(directory / TRAIN_FILE, source="annotated")
    dev = read_gold(directory / DEV_FILE, source="annotated")
    full_path = directory / FULL_TRAIN_FILE
    return train, dev, (read_source_tagged(full_path) if full_path.is_file() else {})
