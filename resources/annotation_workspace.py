"""Where the annotation loop keeps its files: the queue handed to annotators and the imports of
their Label Studio exports (``QU_ANNOTATION_DIR``, default ``data/annotation``)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg


class AnnotationWorkspace(dg.ConfigurableResource):
    root: str

    @property
    def queue_dir(self) -> Path:
        path = Path(self.root).resolve() / "queue"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def imports_dir(self) -> Path:
        """Imported Label Studio exports; point ``QU_ANNOTATED_QUERIES`` at ``<this>/*.jsonl``."""
        return Path(self.root).resolve() / "imports"
