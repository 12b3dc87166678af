"""The data half of the graph, materialized in process into a temporary DuckDB.

Specification: catalog seeds -> synthetic query logs -> weakly labeled queries -> train/dev/test
splits; dbt tests run as asset checks; the splits share no query text; the same seed gives the
same data versions; a broken catalog row stops everything downstream.
"""

from __future__ import annotations

import dagster as dg
import duckdb
from pipeline_support import copy_dbt_project, data_assets, materializations, resources_for, run_config, warehouse_file

DATASETS = ("labeled_queries", "train_queries", "dev_queries", "test_queries")


def test_every_data_asset_materializes_and_every_check_passes(first_run):
    _, _, result = first_run
    assert result.success
    mats = materializations(result)
    assert {"raw_query_logs", "brands", *DATASETS} <= set(mats)
    checks = result.get_asset_check_evaluations()
    assert len(checks) > 50
    failed = [c.check_name for c in checks if not c.passed and c.severity == dg.AssetCheckSeverity.ERROR]
    assert failed == []
    warned = [c.check_name for c in checks if not c.passed and c.severity == dg.AssetCheckSeverity.WARN]
    assert warned == []


def test_dataset_assets_carry_counts_sample_and_content_version(first_run):
    _, _, result = first_run
    mats = materializations(result)
    train = mats["train_queries"]
    assert train.metadata["dagster/row_count"].value > 1000
    for entity_type in ("BRAND", "COLOR", "TYPE"):
        assert train.metadata[f"entities_{entity_type}"].value > 0
    assert [c.name for c in train.metadata["sample"].schema.columns] == ["query", "labeled", "split", "source"]
    assert train.tags["dagster/data_version"] == train.metadata["content_hash"].value
    test = mats["test_queries"]
    assert test.metadata["unseen_brand_share"].value > 0.05, "held-out brands must reach the test split"
    assert train.metadata["unseen_brand_share"].value == 0.0


def test_no_query_text_appears_in_two_splits(first_run):
    root, _, _ = first_run
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as connection:
        leaks = connection.sql(
            "select query_norm from main.labeled_queries group by 1 having count(distinct split) > 1"
        ).fetchall()
        splits = dict(connection.sql("select split, count(*) from main.labeled_queries group by 1").fetchall())
        held_out_in_train = connection.sql(
            "select count(*) from main.train_queries where source = 'synthetic' and has_unseen_brand"
        ).fetchall()[0][0]
    assert leaks == []
    assert held_out_in_train == 0
    assert set(splits) == {"train", "dev", "test"}
    assert splits["train"] > splits["dev"] > 0 and splits["test"] > 0


def test_same_seed_gives_identical_data_versions(first_run, tmp_path):
    _, annotated, result = first_run
    again = dg.materialize(
        data_assets(), resources=resources_for(tmp_path, annotated_queries=annotated), run_config=run_config()
    )
    assert again.success
    first, second = materializations(result), materializations(again)
    for name in ("raw_query_logs", *DATASETS):
        assert first[name].tags["dagster/data_version"] == second[name].tags["dagster/data_version"], name


def test_models_read_the_splits_in_query_id_order(first_run):
    # The same data version must give the same training order, or a seed alone does not
    # decide a run (DuckDB's scan order varies between runs).
    from pipeline.training_data import load_splits
    from resources import DuckDBWarehouse

    root, _, _ = first_run
    splits = load_splits(DuckDBWarehouse(path=str(warehouse_file(root))))
    for examples in (splits.train, splits.dev, splits.test):
        ids = [e.id for e in examples]
        assert ids == sorted(ids) and len(ids) == len(set(ids))


def test_a_broken_catalog_row_fails_its_check_and_nothing_downstream_runs(tmp_path):
    project = copy_dbt_project(tmp_path / "dbt")
    with (project / "seeds" / "brands.csv").open("a") as seeds:
        seeds.write("nike,Nike Again,fashion\n")  # duplicate key: violates unique(brand)
    result = dg.materialize(
        data_assets(),
        resources=resources_for(tmp_path, dbt_project_dir=project),
        run_config=run_config(),
        raise_on_error=False,
    )
    assert not result.success
    failed_checks = [c for c in result.get_asset_check_evaluations() if not c.passed]
    assert any(c.asset_key == dg.AssetKey("brands") and "unique" in c.check_name for c in failed_checks)
    materialized = set(materializations(result))
    assert "raw_query_logs" not in materialized
    assert materialized.isdisjoint(DATASETS)
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "unique" in failure.step_failure_data.error.message
