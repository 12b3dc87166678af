"""The annotation loop's Label Studio round trip, against a real Label Studio on 127.0.0.1.

    scripts/label_studio/setup.sh                      # once: .label-studio-venv with label-studio
    .venv/bin/python scripts/label_studio/roundtrip.py [--tasks label_studio_tasks.json]

Starts Label Studio (``server.py``), creates a project with the shipped labelling config, imports
the queue's tasks (default: 40 QueryNER train queries pre-annotated by a tiny CRF, built as the
``annotation_queue`` asset builds its file, ``sample_queue.py``) and checks that every task came in
with its pre-annotation; then plays the annotator, submitting one annotation per task through the
API (the query's gold spans where the gold file knows the query, else the pre-annotation accepted),
exports the project as Label Studio JSON, and imports that export with the project's importer
(``from_export`` / ``write_import``, what ``scripts/import_label_studio.py`` runs). It prints the
counts and exits 1 when any of them disagree or an imported row's tags are not what was submitted.
The server is stopped whatever happens. After a clean run, ``--record DIR`` writes the test
fixture there: ``recorded_export.json``, ``recorded_counts.json`` and, for the default sample, the
gold rows the annotator submitted (``recorded_gold.jsonl``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(REPO), str(HERE)]

from sample_queue import sample_queue  # noqa: E402
from server import label_studio  # noqa: E402

from query_understanding.annotation.label_studio import (  # noqa: E402
    FROM_NAME,
    LABEL_CONFIG,
    TO_NAME,
    from_export,
    write_import,
)
from query_understanding.bio import bio_to_spans  # noqa: E402
from query_understanding.gold import read_gold  # noqa: E402
from query_understanding.text import tokenize  # noqa: E402

DEFAULT_GOLD = REPO.parent / "shared" / "data" / "queryner" / "queryner_train.jsonl"


def regions(text: str, tags: list[str]) -> list[dict]:
    """Label Studio ``labels`` regions (character offsets) for BIO ``tags`` over ``text``'s tokens."""
    tokens = tokenize(text)
    out = []
    for i, span in enumerate(bio_to_spans(tags)):
        start, end = tokens[span.start].start, tokens[span.end - 1].end
        value = {"start": start, "end": end, "text": text[start:end], "labels": [span.type]}
        out.append(
            {
                "id": f"g{i}",
                "from_name": FROM_NAME,
                "to_name": TO_NAME,
                "type": "labels",
                "origin": "manual",
                "value": value,
            }
        )
    return out


def pre_annotation_tags(task: dict) -> list[str]:
    """The BIO tags a task's first prediction stands for, read by the same importer."""
    accepted = {"data": task["data"], "annotations": [{"result": task["predictions"][0]["result"]}]}
    return from_export([accepted]).rows[0]["tags"]


def run(tasks: list[dict], gold: dict[str, list[str]], out: Path) -> tuple[dict, list[str]]:
    problems: list[str] = []
    n = len(tasks)
    pre = {t["data"]["text"]: pre_annotation_tags(t) for t in tasks}
    submit = {text: gold.get(text, tags) for text, tags in pre.items()}
    counts: dict = {"queue_tasks": n, "queue_pre_annotations": sum(len(t.get("predictions") or []) for t in tasks)}
    with tempfile.TemporaryDirectory(prefix="qu-label-studio-") as data_dir:
        with label_studio(Path(data_dir) / "data", out / "label_studio.log") as ls:
            counts["label_studio_version"] = ls.version()
            project = ls.create_project("query-understanding round trip", LABEL_CONFIG.read_text(encoding="utf-8"))
            imported = ls.import_tasks(project, tasks)
            counts["import_response"] = {k: imported.get(k) for k in ("task_count", "prediction_count")}
            stored = ls.tasks(project)
            counts["tasks_in_project"] = len(stored)
            counts["predictions_in_project"] = sum(len(ls.predictions(t["id"])) for t in stored)
            for task in stored:
                text = task["data"]["text"]
                ls.annotate(task["id"], regions(text, submit[text]))
            counts["annotations_submitted"] = len(stored)
            export = ls.export_json(project)
    (out / "export.json").write_text(json.dumps(export, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    counts["exported_tasks"] = len(export)
    counts["exported_annotations"] = sum(len(t.get("annotations") or []) for t in export)
    report = from_export(export)
    path = write_import(report.rows, out / "imports")
    counts.update(imported_rows=len(report.rows), skipped=report.skipped_tasks, widened=report.widened_spans)
    counts["dropped"] = report.dropped_spans
    by_text = {" ".join(row["tokens"]): row["tags"] for row in report.rows}
    counts["rows_as_submitted"] = sum(by_text.get(text) == tags for text, tags in submit.items())
    counts["rows_gold"] = sum(by_text.get(text) == gold[text] for text in submit if text in gold)
    counts["rows_differing_from_pre_annotation"] = sum(by_text.get(text) != tags for text, tags in pre.items())
    counts["import_file"] = str(path)
    for key in (
        "queue_pre_annotations", "tasks_in_project", "predictions_in_project", "annotations_submitted",
        "exported_tasks", "exported_annotations", "imported_rows", "rows_as_submitted",
    ):  # fmt: skip
        if counts[key] != n:
            problems.append(f"{key} = {counts[key]}, expected {n}")
    if any(v not in (None, n) for v in counts["import_response"].values()):
        problems.append(f"import response {counts['import_response']}, expected {n} each")
    if counts["skipped"] or counts["widened"] or counts["dropped"]:
        problems.append("the importer skipped, widened or dropped something the annotator did not do")
    return counts, problems


def record(out: Path, fixture_dir: Path, gold_rows: list[dict] | None) -> None:
    """Copy a clean run's export and counts into ``fixture_dir`` (with the gold rows, when known)."""
    fixture_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(out / "export.json", fixture_dir / "recorded_export.json")
    counts = json.loads((out / "counts.json").read_text(encoding="utf-8"))
    counts.pop("import_file", None)  # a path on the recording machine
    (fixture_dir / "recorded_counts.json").write_text(json.dumps(counts, indent=1) + "\n", encoding="utf-8")
    if gold_rows is not None:
        body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in gold_rows)
        (fixture_dir / "recorded_gold.jsonl").write_text(body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=Path, help="Label Studio tasks JSON (default: a 40-query sample)")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="train JSONL: gold tags the annotator submits")
    parser.add_argument("--queries", type=int, default=40, help="size of the default sample")
    parser.add_argument("--out", type=Path, default=REPO / "data" / "label_studio_roundtrip")
    parser.add_argument("--record", type=Path, help="also write the test fixture files into this folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    gold_rows = None
    if args.tasks:
        tasks = json.loads(args.tasks.read_text(encoding="utf-8"))
        gold = {" ".join(e.tokens): list(e.tags) for e in read_gold(args.gold)} if args.gold.exists() else {}
    else:
        sample = sample_queue(args.gold, args.queries)
        tasks, gold, gold_rows = sample.tasks, sample.gold, sample.gold_rows
        (args.out / "label_studio_tasks.json").write_text(json.dumps(tasks, indent=1) + "\n", encoding="utf-8")
    counts, problems = run(tasks, gold, args.out)
    counts["ran_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    (args.out / "counts.json").write_text(json.dumps(counts, indent=1) + "\n", encoding="utf-8")
    if args.record and not problems:
        record(args.out, args.record, gold_rows)
    for key, value in counts.items():
        print(f"{key}: {value}")
    for problem in problems:
        print(f"MISMATCH: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
