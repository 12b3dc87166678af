"""Files the pipeline reads that come from outside it: annotated queries, the prediction log, and
the user's own catalog (a product feed and brand aliases) and click logs."""

from __future__ import annotations

import fnmatch
import glob
from pathlib import Path

import dagster as dg

from query_understanding.annotation import imports_dir

CATALOG_MODES = ("merge", "replace")


class SourceFiles(dg.ConfigurableResource):
    """Inputs dbt reads from files, handed to it as ``--vars`` by the dbt assets."""

    prediction_log_dir: str
    """Root of the service's prediction log (``date=YYYY-MM-DD/part-<pid>.jsonl``); may be empty."""
    annotated_queries: str = ""
    """Path or glob of annotated JSONL files (bring your own); empty: synthetic data only."""
    annotation_dir: str = ""
    """The annotation folder (``QU_ANNOTATION_DIR``): its ``imports/*.jsonl`` (imported Label
    Studio exports) are annotated queries too, read beside ``annotated_queries``."""
    catalog_products: str = ""
    """Product feed (CSV, Parquet or JSONL: product_id, title, brand, color, product_type,
    category) merged with the catalog seeds; empty: the seeds alone."""
    catalog_aliases: str = ""
    """Brand aliases CSV (brand, alias, alias_kind) added to the catalog; empty: none."""
    catalog_mode: str = "merge"
    """``merge``: seeds + feed (the seed wins a conflict); ``replace``: the feed's entities only."""
    click_logs: str = ""
    """Click logs (CSV, Parquet or JSONL: event_ts, query_text, clicked_product_id, optional
    event_id, session_id) weakly labeled with the synthetic logs; empty: none."""

    def dbt_vars(self) -> dict[str, str]:
        """The dbt vars naming these files (absolute paths: dbt runs in ``dbt/``)."""
        mode = (self.catalog_mode or "merge").strip().lower()
        if mode not in CATALOG_MODES:
            raise dg.Failure(f"catalog_mode must be one of {', '.join(CATALOG_MODES)}, got {self.catalog_mode!r}")
        return {
            "prediction_log_dir": str(Path(self.prediction_log_dir).resolve()),
            "annotated_queries_path": self.annotated_queries,
            "annotation_imports_path": self.imports_glob() if self.imported_files() else "",
            "catalog_products_path": _absolute(self.catalog_products),
            "catalog_aliases_path": _absolute(self.catalog_aliases),
            "catalog_mode": mode,
            "click_logs_path": _absolute(self.click_logs),
        }

    def imports_glob(self) -> str:
        """Glob of the imported Label Studio files, or "" without an annotation folder."""
        return str(imports_dir(self.annotation_dir) / "*.jsonl") if self.annotation_dir.strip() else ""

    def imported_files(self) -> list[Path]:
        """The imported files now (dbt reads the glob only when it matches: DuckDB refuses an
        empty glob)."""
        pattern = self.imports_glob()
        return sorted(Path(p) for p in glob.glob(pattern)) if pattern else []

    def annotated_files(self, exclude: str) -> list[Path]:
        """Every annotated file dbt reads now (``annotated_queries`` and the imports), without
        names matching ``exclude`` (dbt's ``annotated_queries_exclude``)."""
        pattern = (self.annotated_queries or "").strip()
        named = [Path(p) for p in glob.glob(pattern, recursive=True)] if pattern else []
        return [
            path
            for path in [*named, *self.imported_files()]
            if path.is_file() and not fnmatch.fnmatch(path.name, exclude)
        ]


def _absolute(path: str) -> str:
    """``path`` made absolute (dbt runs in ``dbt/``), or "" when unset."""
    return str(Path(path.strip()).resolve()) if path and path.strip() else ""
