"""The whole graph in process, with small configs: data -> CRF, transformer, ONNX -> comparison -> champion.

Specification: every model asset writes an artifact with a manifest (kind, data version, code
version, config, metrics); the ONNX parity checks pass; the comparison registers every
candidate and explains its decision; the champion asset promotes it and mirrors the registry
into the warehouse; a second graph run that cannot beat the champion leaves it in place.
"""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest
from pipeline_support import materializations, resources_for, warehouse_file  # noqa: E402
from small_configs import small_model_config

import definitions


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory) -> str:
    from tiny_transformer import make_tiny_base

    return str(make_tiny_base(tmp_path_factory.mktemp("tiny-base")))


@pytest.fixture(scope="module")
def graph_run(tmp_path_factory, tiny_base):
    root = tmp_path_factory.mktemp("model-graph")
    return root, materialize_graph(root, small_model_config(tiny_base))


def materialize_graph(root, config: dict, **kwargs) -> dg.ExecuteInProcessResult:
    graph = [*definitions.defs.assets, *definitions.defs.asset_checks]
    return dg.materialize(graph, resources=resources_for(root), run_config=config, **kwargs)


def test_every_asset_of_the_graph_materializes(graph_run):
    _, result = graph_run
    assert result.success
    mats = materializations(result)
    for name in (
        "crf_tagger",
        "transformer_tagger",
        "onnx_fp32_tagger",
        "onnx_int8_tagger",
        "model_comparison",
        "champion",
        "linking_index",
        "bento",
    ):
        assert name in mats, name


def test_the_bento_packs_the_served_model(graph_run):
    root, result = graph_run
    mats = materializations(result)
    bento = mats["bento"].metadata
    assert bento["bento_tag"].value.startswith("query_understanding:")
    assert bento["model_tag"].value == mats["champion"].metadata["served"].value
    bento_yaml = next((root / "registry" / "bentos" / "query_understanding").glob("*/bento.yaml")).read_text()
    assert bento["model_tag"].value in bento_yaml


def test_the_linking_index_is_built_from_the_catalog_and_packed_beside_the_model(graph_run):
    from query_understanding.linking import LinkingIndex

    root, result = graph_run
    mats = materializations(result)
    meta = mats["linking_index"].metadata
    index = LinkingIndex.load(meta["index_dir"].value)
    assert index.version == meta["version"].value
    assert set(index.fuzzy) == {"BRAND", "COLOR", "TYPE"}  # calibrated, recorded in the index
    assert "| BRAND | typo |" in meta["synthetic_linking_accuracy"].value
    bento_yaml = next((root / "registry" / "bentos" / "query_understanding").glob("*/bento.yaml")).read_text()
    assert f"linking-index:{index.version}" in bento_yaml
    assert mats["bento"].metadata["linking_index"].value == f"linking-index:{index.version}"


def test_model_artifacts_record_their_lineage(graph_run):
    root, result = graph_run
    manifests = [json.loads(p.read_text()) for p in (root / "models").glob("*/*/manifest.json")]
    kinds = sorted(m["model_kind"] for m in manifests)
    assert kinds == ["crf", "onnx", "onnx", "transformer"]
    train_version = materializations(result)["train_queries"].tags["dagster/data_version"]
    for manifest in manifests:
        assert f"train:{train_version}" in manifest["data_version"]
        assert manifest["code_version"] and manifest["config"]
        assert 0.0 <= manifest["metrics"]["evaluation"]["test"]["micro"]["f1"] <= 1.0
    onnx_parents = {m["parent_model_id"] for m in manifests if m["model_kind"] == "onnx"}
    assert onnx_parents == {next(m["model_id"] for m in manifests if m["model_kind"] == "transformer")}


def test_model_assets_are_identified_by_their_registry_tags(graph_run):
    root, result = graph_run
    from model_registry import ModelRegistry

    registry = ModelRegistry(root / "registry")
    mats = materializations(result)
    for asset, node in (
        ("crf_tagger", "crf_tagger"),
        ("transformer_tagger", "transformer_tagger"),
        ("onnx_fp32_tagger", "onnx_taggers"),
        ("onnx_int8_tagger", "onnx_taggers"),
    ):
        tag = result.output_for_node(node, asset if node == "onnx_taggers" else "result")
        assert tag == mats[asset].metadata["registry_tag"].value
        _, manifest = registry.get(tag)
        assert mats[asset].tags["dagster/data_version"] == manifest.model_id
    _, int8 = registry.get(result.output_for_node("onnx_taggers", "onnx_int8_tagger"))
    assert set(int8.extra["quantization_gate"]) == {"passed", "reasons"}
    assert int8.config["max_length"] == 48  # the training max_length, saved with the model and exported


def test_onnx_parity_check_passes(graph_run):
    _, result = graph_run
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert checks["fp32_parity"].passed
    assert checks["fp32_parity"].metadata["max_abs_diff"].value < 1e-4
    assert "int8_promotable" in checks


def test_comparison_registers_every_candidate_and_a_champion_is_chosen(graph_run):
    root, result = graph_run
    comparison = materializations(result)["model_comparison"]
    summary = comparison.metadata["comparison"]
    assert [c.name for c in summary.schema.columns][:2] == ["candidate", "verdict"]
    assert {r.data["candidate"] for r in summary.records} >= {"crf", "transformer", "onnx-fp32", "onnx-int8"}
    assert {r.data["verdict"] for r in summary.records} <= {"eligible", "refused", "current champion"}
    assert "| candidate | tag |" in comparison.metadata["comparison_details"].value
    assert comparison.metadata["chart_png"].value.startswith("![model comparison](data:image/png;base64,")
    assert "█" in comparison.metadata["chart"].value and len(comparison.metadata["chart"].value) < 1000
    champion = materializations(result)["champion"].metadata["champion"].value
    assert champion.startswith("qu-")
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as connection:
        versions = connection.sql("select model_kind, latency_p99_ms from registry.model_versions").fetchall()
        events = connection.sql("select action, tag from registry.champion_events").fetchall()
    assert sorted(kind for kind, _ in versions) == ["crf", "onnx", "onnx", "transformer"]
    assert all(latency is not None and latency > 0 for _, latency in versions)
    assert events == [("promote", champion)]
    gate = next(c for c in result.get_asset_check_evaluations() if c.check_name == "promotion_gate")
    assert gate.passed


def test_a_worse_candidate_is_registered_but_refused_by_the_gate(graph_run, tiny_base):
    root, first = graph_run
    champion = materializations(first)["champion"].metadata["champion"].value
    worse = small_model_config(tiny_base)
    worse["ops"]["crf_tagger"]["config"] = {"max_iterations": 1, "use_gazetteer": False}
    worse["ops"]["transformer_tagger"]["config"]["learning_rate"] = 1e-7
    second = materialize_graph(root, worse, raise_on_error=False)
    gate = next(c for c in second.get_asset_check_evaluations() if c.check_name == "promotion_gate")
    assert not gate.passed
    assert "champion" not in materializations(second), "the gate must block the promotion step"
    from model_registry import ModelRegistry

    registry = ModelRegistry(root / "registry")
    assert registry.champion() == champion
    assert len(registry.list_versions()) > 4, "the refused versions are still registered"
