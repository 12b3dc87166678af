"""Specification: a model's scores are one structured record; flat keys are only rendered from it."""

from __future__ import annotations

import pytest

from query_understanding.evaluation import evaluate_tagger
from query_understanding.evaluation.scores import metric_keys, model_metrics, preferred_set, set_value, slice_f1


@pytest.fixture(scope="module")
def metrics(tiny_crf, tiny_examples):
    report = evaluate_tagger(tiny_crf, tiny_examples, behavioral=False)
    return model_metrics({"test": report, "gold": report}, train_seconds=1.5, train_examples=105), report


def test_the_record_keeps_slices_and_types_as_structures(metrics):
    record, report = metrics
    summary = record["evaluation"]["test"]
    assert summary["micro"]["f1"] == report.overall.micro.f1
    assert set(summary["per_type"]) == {"BRAND", "COLOR", "TYPE"}
    assert summary["slices"].keys() == report.slices.keys()
    assert record["train_examples"] == 105


def test_flat_keys_are_rendered_from_the_record(metrics):
    record, report = metrics
    keys = metric_keys(record)
    assert keys["gold_f1_micro"] == keys["test_f1_micro"] == report.overall.micro.f1
    assert keys["test_recall_BRAND"] == report.overall.per_type["BRAND"].recall
    assert keys["train_seconds"] == 1.5
    assert not any("slice" in key for key in keys)


def test_slices_are_read_from_the_preferred_set_with_enough_support(metrics):
    record, report = metrics
    assert preferred_set(record) == "gold"
    name, result = next(iter(report.slices.items()))
    assert slice_f1(record)[name] == result.metrics.micro.f1
    assert slice_f1(record, min_support=result.n + 1).get(name) is None
    assert set_value(record, "test", "slices", name, "f1") == result.metrics.micro.f1
    assert set_value(record, "test", "slices", "no such slice", "f1") is None


def test_a_record_without_evaluation_renders_only_training_facts():
    assert metric_keys({"train_seconds": 2}) == {"train_seconds": 2.0}
    assert slice_f1({}) == {} and preferred_set({}) is None


def test_a_wave_1_flat_manifest_keeps_its_headline_numbers():
    legacy = {"gold_f1_micro": 0.64, "test_slice.typo.f1_micro": 0.9, "train_sources": "x", "flag": True}
    assert metric_keys(legacy) == {"gold_f1_micro": 0.64, "test_slice.typo.f1_micro": 0.9}
    assert slice_f1(legacy) == {}  # old slices cannot veto: they are not read back from flat keys
