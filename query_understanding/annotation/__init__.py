"""Active learning: which served queries a human should label next, and the Label Studio round
trip (pre-annotated tasks out, a Label Studio export back in as annotated JSONL)."""

from pathlib import Path

#: Sub-folder of the annotation folder (``QU_ANNOTATION_DIR``) where imported Label Studio
#: exports land as annotated JSONL; the pipeline always reads it beside ``QU_ANNOTATED_QUERIES``.
IMPORTS_DIRNAME = "imports"


def imports_dir(annotation_dir: str | Path) -> Path:
    """Where ``scripts/import_label_studio.py`` writes and the pipeline reads imported labels."""
    return Path(annotation_dir).resolve() / IMPORTS_DIRNAME
