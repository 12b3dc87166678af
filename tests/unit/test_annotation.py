"""Specification of the active-learning queue and the Label Studio round trip (pure functions)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from query_understanding.annotation.label_studio import (
    FROM_NAME,
    LABEL_CONFIG,
    TO_NAME,
    from_export,
    to_tasks,
    write_import,
)
from query_understanding.annotation.queue import rank_for_annotation
from query_understanding.bio import validate_bio

EXPORT = Path(__file__).resolve().parents[1] / "fixtures" / "label_studio" / "export.json"


def prediction(query: str, *entities: tuple[str, str, float], at: str = "2026-12-01T00:00:00Z") -> dict:
    out = []
    for entity_type, text, score in entities:
        start = query.index(text)
        out.append({"type": entity_type, "text": text, "start": start, "end": start + len(text), "score": score})
    return {"query": query, "entities": out, "predicted_at": at, "model_tag": "qu-crf:x"}


def test_the_least_confident_query_comes_first_and_frequency_breaks_equal_doubt():
    log = [
        prediction("nike shoes", ("BRAND", "nike", 0.99), ("TYPE", "shoes", 0.98)),
        prediction("blu jaket", ("TYPE", "jaket", 0.2)),
        prediction("red hat", ("COLOR", "red", 0.6)),
        prediction("Red  Hat", ("COLOR", "Red", 0.6)),
        prediction("green cap", ("COLOR", "green", 0.6)),
    ]
    queue = rank_for_annotation(log)
    assert [item.query_norm for item in queue] == ["blu jaket", "red hat", "green cap", "nike shoes"]
    assert queue[1].frequency == 2 and queue[1].priority > queue[2].priority


def test_a_query_is_queued_once_per_normalized_text_with_its_latest_prediction():
    log = [
        prediction("Nike  Air", ("BRAND", "Nike", 0.4), at="2026-12-01T01:00:00Z"),
        prediction("nike air", ("BRAND", "nike", 0.6), ("TYPE", "air", 0.5), at="2026-12-01T02:00:00Z"),
    ]
    (item,) = rank_for_annotation(log)
    assert (item.query, item.frequency, item.confidence) == ("nike air", 2, 0.45)
    assert [e["type"] for e in item.entities] == ["BRAND", "TYPE"]


def test_already_annotated_texts_and_the_limit_are_respected():
    log = [prediction(f"query {i}", ("TYPE", "query", 0.1 * (i % 9))) for i in range(30)]
    queue = rank_for_annotation(log, annotated=["QUERY 0", "query  9"], limit=5)
    assert len(queue) == 5 and not {"query 0", "query 9"} & {item.query_norm for item in queue}


def test_a_query_without_entities_counts_as_half_sure():
    (item,) = rank_for_annotation([prediction("gift ideas")], no_entity_confidence=0.5)
    assert item.confidence == 0.5 and item.entities == []


def test_tasks_carry_pre_annotations_the_shipped_labelling_config_can_show():
    config = ET.parse(LABEL_CONFIG).getroot()
    labels = config.find("Labels")
    assert (labels.get("name"), labels.get("toName")) == (FROM_NAME, TO_NAME)
    assert config.find("Text").get("name") == TO_NAME
    assert {label.get("value") for label in labels} == {"BRAND", "COLOR", "TYPE"}

    queue = rank_for_annotation([prediction("blue shoes by prada", ("COLOR", "blue", 0.7), ("BRAND", "prada", 0.4))])
    (task,) = to_tasks(queue)
    assert task["data"]["text"] == "blue shoes by prada"
    (pre,) = task["predictions"]
    assert pre["model_version"] == "qu-crf:x" and pre["score"] == 0.4
    assert [(r["from_name"], r["to_name"], r["type"]) for r in pre["result"]] == [(FROM_NAME, TO_NAME, "labels")] * 2
    values = [r["value"] for r in pre["result"]]
    assert values[1] == {"start": 14, "end": 19, "text": "prada", "labels": ["BRAND"]}
    assert all(task["data"]["text"][v["start"] : v["end"]] == v["text"] for v in values)
    json.dumps(task)  # importable JSON


def test_a_label_studio_export_becomes_annotated_bio_rows():
    report = from_export(json.loads(EXPORT.read_text()))
    rows = {row["id"]: row for row in report.rows}
    assert set(rows) == {"label-studio-101", "label-studio-102", "label-studio-103", "label-studio-105"}
    assert rows["label-studio-101"]["tags"] == ["B-BRAND", "O", "O", "B-COLOR", "O"]
    assert rows["label-studio-102"]["tokens"] == ["navy", "blue", "hoodie", "by", "under", "armour"]
    assert rows["label-studio-102"]["tags"] == ["B-COLOR", "I-COLOR", "B-TYPE", "O", "B-BRAND", "I-BRAND"], (
        "latest annotation wins"
    )
    assert rows["label-studio-103"]["tags"] == ["O", "B-TYPE"], "a half-word span widens to its token"
    assert rows["label-studio-105"]["tags"] == ["O", "O"]
    assert (report.skipped_tasks, report.widened_spans, report.dropped_spans) == (1, 1, 0)
    for row in report.rows:
        validate_bio(row["tags"], row["tokens"])


def test_pre_annotations_exported_and_imported_unchanged_round_trip_to_the_same_tags():
    queue = rank_for_annotation(
        [prediction("navy blue hoodie nike", ("COLOR", "navy blue", 0.5), ("BRAND", "nike", 0.5))]
    )
    task = to_tasks(queue)[0]
    accepted = {"id": 1, "data": task["data"], "annotations": [{"id": 1, "result": task["predictions"][0]["result"]}]}
    (row,) = from_export([accepted]).rows
    assert row["tags"] == ["B-COLOR", "I-COLOR", "O", "B-BRAND"]


def test_an_import_is_a_new_content_named_file_a_glob_picks_up(tmp_path):
    rows = from_export(json.loads(EXPORT.read_text())).rows
    path = write_import(rows, tmp_path)
    assert path.match("label_studio_*.jsonl") and write_import(rows, tmp_path) == path
    assert [json.loads(line) for line in path.read_text().splitlines()] == rows
    assert write_import(rows[:1], tmp_path) != path


RECORDED = EXPORT.parent / "recorded_export.json"


def _recorded(name: str):
    path = EXPORT.parent / name
    return (
        json.loads(path.read_text())
        if path.suffix == ".json"
        else [json.loads(x) for x in path.read_text().splitlines()]
    )


def test_a_real_label_studio_export_imports_back_as_exactly_the_gold_rows_the_annotator_submitted():
    export, gold = _recorded("recorded_export.json"), _recorded("recorded_gold.jsonl")
    counts = _recorded("recorded_counts.json")
    report = from_export(export)
    assert len(report.rows) == len(gold) == counts["imported_rows"] == counts["queue_tasks"]
    assert (report.skipped_tasks, report.widened_spans, report.dropped_spans) == (0, 0, 0)
    imported = {tuple(row["tokens"]): row["tags"] for row in report.rows}
    assert imported == {tuple(row["tokens"]): row["tags"] for row in gold}
    for row in report.rows:
        validate_bio(row["tags"], row["tokens"])


def test_the_import_takes_the_annotators_result_not_the_pre_annotation_label_studio_links_to_it():
    export = _recorded("recorded_export.json")
    # Label Studio exports each annotation with the prediction it started from, in full
    pre = from_export(
        [
            {"data": t["data"], "annotations": [{"result": a["prediction"]["result"]}]}
            for t in export
            for a in t["annotations"]
        ]
    )
    got = from_export(export)
    differing = sum(a["tags"] != b["tags"] for a, b in zip(pre.rows, got.rows))
    assert differing == _recorded("recorded_counts.json")["rows_differing_from_pre_annotation"] > 0


def test_the_import_script_writes_the_recorded_export_as_one_new_annotated_file(tmp_path, capsys):
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "scripts" / "import_label_studio.py"
    spec = importlib.util.spec_from_file_location("import_label_studio", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([str(RECORDED), "--out", str(tmp_path)]) == 0
    (written,) = tmp_path.glob("label_studio_*.jsonl")
    assert len(written.read_text().splitlines()) == len(_recorded("recorded_gold.jsonl"))
    assert capsys.readouterr().out.startswith(f"{len(written.read_text().splitlines())} annotated queries")


def test_the_logged_uncertainty_ranks_a_doubtful_miss_above_a_doubtful_span():
    # "gift for mom" has no entity but two unsure O tokens; "red hat" one unsure span
    log = [
        {**prediction("gift for mom"), "uncertainty": 1.4},
        {**prediction("red hat", ("COLOR", "red", 0.5)), "uncertainty": 0.6},
        prediction("blu jaket", ("TYPE", "jaket", 0.3)),  # logged before the field: 1 - 0.3
    ]
    queue = rank_for_annotation(log)
    assert [item.query_norm for item in queue] == ["gift for mom", "blu jaket", "red hat"]
    assert (queue[0].uncertainty, queue[1].uncertainty) == (1.4, None)
    assert queue[1].priority == 0.7
