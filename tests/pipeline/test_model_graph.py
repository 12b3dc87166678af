"""The whole graph in process, with small configs: data -> CRF, transformer, ONNX -> comparison -> champion.

Specification: every model asset writes an artifact with a manifest (kind, data version, code
version, config, metrics); the ONNX parity checks pass; the comparison registers every
candidate and explains its decision; the champion asset promotes it and mirrors the registry
into the warehouse.

Day two, on the same folders, with real parts end to end (a temporary Dagster instance, the
project's sensors and ``retrain`` job, a real ``bentoml serve`` on 127.0.0.1): served traffic ->
the prediction-log sensor's tick builds the feedback and monitoring marts and the annotation
queue -> the queue's Label Studio file is annotated and imported -> the annotated-files sensor
starts ``retrain`` -> the gate promotes -> the running service answers with the new tag while a
client keeps sending, with no failed request. The first champion is weak on purpose
(:func:`weak_config`), so the retrain's promotion is the branch exercised; a last run of the weak
config is then registered but refused by the gate, and the champion stays in place.
"""

from __future__ import annotations

import json
import time

import dagster as dg
import duckdb
import pytest
import requests
from bento_server import start_server, stop_server
from loop_support import SteadyClient, annotate, loop_definitions, run_retrain, tick
from pipeline_support import materializations, resources_for, warehouse_file  # noqa: E402
from small_configs import small_model_config

import definitions
from automation import annotated_queries_sensor, prediction_log_sensor
from resources import ServingEndpoint

#: The admin token of the day-two server (the champion's reload must carry it).
TOKEN = "day-two-admin-token"


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory) -> str:
    from tiny_transformer import make_tiny_base

    return str(make_tiny_base(tmp_path_factory.mktemp("tiny-base")))


def weak_config(tiny_base: str) -> dict:
    """The small config made to learn almost nothing (one CRF iteration, no gazetteer, a
    transformer learning rate of 1e-7): a first champion that a real retrain beats, and later
    a candidate the gate must refuse."""
    config = small_model_config(tiny_base)
    config["ops"]["crf_tagger"]["config"] = {"max_iterations": 1, "use_gazetteer": False}
    config["ops"]["transformer_tagger"]["config"]["learning_rate"] = 1e-7
    return config


@pytest.fixture(scope="module")
def graph_run(tmp_path_factory, tiny_base):
    """The first run of the graph, with a weak first champion (see :func:`weak_config`)."""
    root = tmp_path_factory.mktemp("model-graph")
    return root, materialize_graph(root, weak_config(tiny_base))


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
        "cascade_tagger",
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
    assert kinds == ["cascade", "crf", "onnx", "onnx", "transformer"]
    train_version = materializations(result)["train_queries"].tags["dagster/data_version"]
    for manifest in manifests:
        assert f"train:{train_version}" in manifest["data_version"]
        assert manifest["code_version"] and manifest["config"]
        assert 0.0 <= manifest["metrics"]["evaluation"]["test"]["micro"]["f1"] <= 1.0
    onnx_parents = {m["parent_model_id"] for m in manifests if m["model_kind"] == "onnx"}
    assert onnx_parents == {next(m["model_id"] for m in manifests if m["model_kind"] == "transformer")}
    cascade = next(m for m in manifests if m["model_kind"] == "cascade")
    ids = {m["model_kind"]: m["model_id"] for m in manifests if m["model_kind"] in ("crf", "onnx")}
    assert cascade["config"]["first_model_id"] == ids["crf"] and cascade["config"]["second_kind"] == "onnx"
    assert cascade["parent_model_id"] == cascade["config"]["second_model_id"]


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
        ("cascade_tagger", "cascade_tagger"),
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


def test_the_cascade_keeps_its_transformers_f1_on_dev_routing_the_fewest_queries(graph_run):
    root, result = graph_run
    from model_registry import ModelRegistry

    meta = materializations(result)["cascade_tagger"].metadata
    _, manifest = ModelRegistry(root / "registry").get(meta["registry_tag"].value)
    choice = manifest.extra["threshold_choice"]
    assert choice["micro_f1"] >= choice["second_f1"]  # the default max_f1_drop is 0
    assert 0.0 <= choice["share_routed"] <= 1.0 and meta["threshold"].value == choice["threshold"]
    assert manifest.extra["members"]["first"] == result.output_for_node("crf_tagger")
    assert "| threshold | share routed | micro F1 |" in meta["threshold_curve"].value


def test_comparison_registers_every_candidate_and_a_champion_is_chosen(graph_run):
    root, result = graph_run
    comparison = materializations(result)["model_comparison"]
    summary = comparison.metadata["comparison"]
    assert [c.name for c in summary.schema.columns][:2] == ["candidate", "verdict"]
    assert {r.data["candidate"] for r in summary.records} >= {"crf", "transformer", "onnx-fp32", "onnx-int8", "cascade"}
    assert {r.data["verdict"] for r in summary.records} <= {"eligible", "refused", "current champion"}
    assert "| candidate | tag |" in comparison.metadata["comparison_details"].value
    assert comparison.metadata["chart_png"].value.startswith("![model comparison](data:image/png;base64,")
    assert "█" in comparison.metadata["chart"].value and len(comparison.metadata["chart"].value) < 1000
    champion = materializations(result)["champion"].metadata["champion"].value
    assert champion.startswith("qu-")
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as connection:
        versions = connection.sql("select model_kind, latency_p99_ms from registry.model_versions").fetchall()
        events = connection.sql("select action, tag from registry.champion_events").fetchall()
    assert sorted(kind for kind, _ in versions) == ["cascade", "crf", "onnx", "onnx", "transformer"]
    assert all(latency is not None and latency > 0 for _, latency in versions)
    assert events == [("promote", champion)]
    gate = next(c for c in result.get_asset_check_evaluations() if c.check_name == "promotion_gate")
    assert gate.passed


@pytest.fixture(scope="module")
def day_two(graph_run, tiny_base):
    """Day two on the first run's folders: serve the champion, send traffic, let the
    prediction-log sensor tick, annotate the queue in Label Studio's export format and import
    it, let the annotated-files sensor start ``retrain`` while a client keeps sending."""
    root, first = graph_run
    first_champion = materializations(first)["champion"].metadata["champion"].value
    resources = resources_for(root)
    defs = loop_definitions(resources)
    server = start_server(root / "registry", root / "prediction_logs", root / "server.log", {"QU_ADMIN_TOKEN": TOKEN})
    try:
        with dg.instance_for_test() as instance:
            served_first = requests.get(f"{server.url}/model_info", timeout=10).json()["served_tag"]
            queries = most_asked_queries(root, 60)
            with SteadyClient(server.url, queries) as warmup:
                while warmup.sent < 120 and not warmup.failures:
                    time.sleep(0.1)

            log_request = tick(prediction_log_sensor, instance, defs, resources)
            feedback = defs.resolve_implicit_global_asset_job_def().execute_in_process(
                instance=instance, asset_selection=list(log_request.asset_selection), tags=log_request.tags
            )
            tasks = json.loads((root / "annotation" / "queue" / "label_studio_tasks.json").read_text())
            export = root / "label_studio_export.json"
            export.write_text(json.dumps(annotate(tasks, weak_labels(root))))
            from scripts.import_label_studio import main as import_label_studio

            imported = import_label_studio([str(export), "--out", str(root / "annotation" / "imports")])

            retrain_request = tick(annotated_queries_sensor, instance, defs, resources)
            serving = {**resources, "service": ServingEndpoint(url=server.url, admin_token=TOKEN)}
            with SteadyClient(server.url, queries) as client:
                second = run_retrain(
                    loop_definitions(serving), instance, small_model_config(tiny_base), tags=retrain_request.tags
                )
                time.sleep(1.0)  # a few requests after the swap
            served_after = requests.get(f"{server.url}/model_info", timeout=10).json()["served_tag"]
    finally:
        stop_server(server)
    return {
        "root": root,
        "first_champion": first_champion,
        "served_first": served_first,
        "warmup": warmup,
        "log_request": log_request,
        "feedback": feedback,
        "tasks": tasks,
        "import_status": imported,
        "retrain_request": retrain_request,
        "second": second,
        "client": client,
        "served_after": served_after,
    }


def weak_labels(root) -> dict[str, list[str]]:
    """Query text -> its weak BIO labels (the synthetic log's truth, standing in for a human)."""
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as connection:
        rows = connection.sql("select query_text, tags from main.labeled_queries").fetchall()
    return {text: list(tags) for text, tags in rows}


def most_asked_queries(root, n: int) -> list[str]:
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as connection:
        rows = connection.sql(
            f"select query_text from raw.query_logs group by query_text order by count(*) desc, query_text limit {n}"
        ).fetchall()
    return [row[0] for row in rows]


def test_day_two_traffic_is_monitored_and_queued_without_retraining(day_two):
    assert day_two["served_first"] == day_two["first_champion"]
    assert day_two["warmup"].failures == [] and day_two["warmup"].sent >= 120
    assert day_two["feedback"].success
    built = set(materializations(day_two["feedback"]))
    assert {
        "stg_predictions",
        "feedback_weak_labels",
        "monitoring_daily",
        "monitoring_drift",
        "annotation_queue",
    } <= built
    assert not built & {"train_queries", "crf_tagger", "champion", "bento"}
    with duckdb.connect(str(warehouse_file(day_two["root"])), read_only=True) as connection:
        (volume,) = connection.sql("select sum(n_predictions) from main.monitoring_daily").fetchall()[0]
    assert volume >= day_two["warmup"].sent - 1  # every answered request is logged (the last may be in flight)
    tasks = day_two["tasks"]
    assert tasks and {task["predictions"][0]["model_version"] for task in tasks} == {day_two["first_champion"]}


def test_day_two_labels_retrain_and_the_promoted_model_serves_with_no_failed_request(day_two):
    assert day_two["import_status"] == 0
    assert day_two["retrain_request"].tags["qu/trigger"] == "annotated_queries"
    mats = materializations(day_two["second"])
    new_champion = mats["champion"].metadata["champion"].value
    assert new_champion != day_two["first_champion"], "the retrained models must beat the weak first champion"
    assert mats["champion"].metadata["service_reload"].data["served_tag"] == new_champion
    assert day_two["served_after"] == new_champion
    client = day_two["client"]
    assert client.failures == [], client.failures[:5]
    assert client.tags[0] == day_two["first_champion"] and client.tags[-1] == new_champion
    switch = client.tags.index(new_champion)
    assert set(client.tags[switch:]) == {new_champion}, "after the swap only the new model answers"
    with duckdb.connect(str(warehouse_file(day_two["root"])), read_only=True) as connection:
        (imported,) = connection.sql(
            "select count(*) from main.stg_annotated_queries where source_file like 'label_studio_%'"
        ).fetchall()[0]
    assert imported == len(day_two["tasks"]), "the imported labels are in the new data version"


def test_a_worse_candidate_is_registered_but_refused_by_the_gate(day_two, tiny_base):
    root = day_two["root"]
    champion = materializations(day_two["second"])["champion"].metadata["champion"].value
    second = materialize_graph(root, weak_config(tiny_base), raise_on_error=False)
    gate = next(c for c in second.get_asset_check_evaluations() if c.check_name == "promotion_gate")
    assert not gate.passed
    assert "champion" not in materializations(second), "the gate must block the promotion step"
    from model_registry import ModelRegistry

    registry = ModelRegistry(root / "registry")
    assert registry.champion() == champion
    assert len(registry.list_versions()) > 4, "the refused versions are still registered"
