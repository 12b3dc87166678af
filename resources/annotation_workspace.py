"""Where the annotation loop keeps its files: the queue handed to annotators and the imports of
their Label Studio exports (``QU_ANNOTATION_DIR``, default ``data/annotation``)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from query_understanding.annotation import imports_dir


class AnnotationWorkspace(dg.ConfigurableResource):
    root: str

    @property
    def queue_dir(self) -> Path:
        path = Path(self.root).resolve() / "queue"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def imports_dir(self) -> Path:
        """Imported Label Studio exports, read by dbt beside ``QU_ANNOTATED_QUERIES``."""
        return imports_dir(self.root)
