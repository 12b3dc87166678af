"""Import a Label Studio JSON export (Export > JSON of the NER project) as annotated queries.

    .venv/bin/python scripts/import_label_studio.py export.json [--out DIR]

Writes ``DIR/label_studio_<content hash>.jsonl`` (default ``$QU_ANNOTATION_DIR/imports``), one
``{"id", "tokens", "tags"}`` row per annotated task: a new file, hence a new data version, that
the pipeline reads beside ``QU_ANNOTATED_QUERIES`` (and the ``annotated_queries_sensor`` retrains
on). Files without train/dev/test in the name are split by hash like any annotated file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from query_understanding.annotation import imports_dir  # noqa: E402
from query_understanding.annotation.label_studio import from_export, write_import  # noqa: E402
from query_understanding.settings import Locations  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", type=Path, help="Label Studio JSON export")
    parser.add_argument("--out", type=Path, default=None, help="folder for the annotated JSONL")
    args = parser.parse_args(argv)
    out = args.out or imports_dir(Locations.from_env().annotation_dir)
    report = from_export(json.loads(args.export.read_text(encoding="utf-8")))
    if not report.rows:
        print(f"nothing to import: {report.skipped_tasks} tasks without an annotation", file=sys.stderr)
        return 1
    path = write_import(report.rows, out)
    print(
        f"{len(report.rows)} annotated queries -> {path} "
        f"({report.skipped_tasks} tasks skipped, {report.widened_spans} spans widened to tokens, "
        f"{report.dropped_spans} dropped)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
