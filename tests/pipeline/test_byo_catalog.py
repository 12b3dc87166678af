"""Bring your own catalog and click logs, and the novel-entities mart, on a real DuckDB with a real
``dbt build`` (materialized in process, as the other pipeline tests).

Specification: a product feed merges with the seeds into the catalog_* models (the seed wins a
conflict, a feed alias or synonym of a seed entity resolves to it, new entities get a vertical and
a family), which ``load_catalog`` reads; ``replace`` keeps the feed's entities only; click logs
join the feed's products, and clicks on unknown products are counted, not silently dropped; a
malformed feed stops the build with a message naming the file and column, or fails its checks and
stops everything downstream; served entities marked novel are counted per type and surface.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from pipeline_support import data_assets, materializations, resources_for, warehouse_file

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "byo"
PRODUCTS, ALIASES, CLICKS = FIXTURES / "products.csv", FIXTURES / "brand_aliases.csv", FIXTURES / "click_logs.csv"
TINY_LOGS = {"n_events": 300, "seed": 7}
SPLITS = ("labeled_queries", "train_queries", "dev_queries", "test_queries")


def catalog_group():
    from assets import dbt_models

    return dbt_models.catalog_models


def build_catalog(root: Path, **byo) -> dg.ExecuteInProcessResult:
    """Only the catalog step (seeds + catalog models) with the given feed files."""
    return dg.materialize([catalog_group()], resources=resources_for(root, **byo), raise_on_error=False)


def rows(root: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse_file(root)), read_only=True) as connection:
        return connection.sql(sql).fetchall()


def step_failure_message(result: dg.ExecuteInProcessResult) -> str:
    return next(e for e in result.all_events if e.is_step_failure).step_failure_data.error.message


def failed_checks(result: dg.ExecuteInProcessResult, severity=dg.AssetCheckSeverity.ERROR) -> dict[str, str]:
    return {
        c.check_name: c.asset_key.to_user_string()
        for c in result.get_asset_check_evaluations()
        if not c.passed and c.severity == severity
    }


# ---------------------------------------------------------------------------------- catalog


@pytest.fixture(scope="module")
def merged_catalog(tmp_path_factory):
    root = tmp_path_factory.mktemp("byo-merge")
    result = build_catalog(root, catalog_products=str(PRODUCTS), catalog_aliases=str(ALIASES))
    return root, result


def test_the_feed_merges_with_the_seeds_and_the_seed_wins(merged_catalog):
    root, result = merged_catalog
    assert result.success
    assert failed_checks(result) == {}
    mats = materializations(result)
    assert {"catalog_brands", "catalog_products", "catalog_brand_types", "stg_catalog_products", "brands"} <= set(mats)

    brands = {
        r[0]: r[1:]
        for r in rows(root, "select brand, display_name, vertical, n_products, origin from main.catalog_brands")
    }
    # a new brand: the most frequent feed casing, the vertical of its types (tent, trekking pole: sports)
    assert brands["acme outdoors"] == ("Acme Outdoors", "sports", 3, "feed")
    # a type whose category no seed type has: the fallback vertical
    assert brands["glowbrite"] == ("Glowbrite", "home", 1, "feed")
    # "Levis" is a seed alias of levi's: it is levi's, whose seed facts win
    assert "levis" not in brands
    assert brands["levi's"] == ("Levi's", "fashion", 1, "seed+feed")
    assert brands["calvin klein"][-1] == "seed"

    products = dict(rows(root, "select product_id, brand || ' / ' || product_type from main.catalog_products"))
    assert products["P4"] == "levi's / t-shirt", "a seed alias and a seed synonym resolve to the seed entities"
    assert products["P3"] == "acme outdoors / trekking pole", "keys are lowercased and single-spaced"

    types = {
        r[0]: r[1:]
        for r in rows(root, "select product_type, category, vertical, origin from main.catalog_product_types")
    }
    assert "t shirt" not in types
    assert types["t-shirt"] == ("tops", "fashion", "seed+feed")
    assert types["trekking pole"] == ("camping", "sports", "feed")
    assert types["bike light"] == ("cycling_gear", "home", "feed")
    new_type_forms = rows(
        root,
        "select product_type, surface, form from main.catalog_product_type_synonyms "
        "where product_type in ('trekking pole', 'bike light') order by surface",
    )
    assert new_type_forms == [
        ("bike light", "bike lights", "plural"),
        ("trekking pole", "trekking poles", "plural"),
    ], "a new feed type gets its plural, as seed types have theirs"

    aliases = {
        r[0]: r[1:] for r in rows(root, "select alias, brand, alias_kind, origin from main.catalog_brand_aliases")
    }
    assert aliases["acme"] == ("acme outdoors", "alias", "feed")
    assert aliases["acme outdoor"] == ("acme outdoors", "misspelling", "feed")
    assert aliases["swoosh"] == ("nike", "alias", "feed")
    assert aliases["levis"] == ("levi's", "alias", "seed"), "the seed's owner of an alias wins"
    assert "nike" not in aliases, "an alias that is a brand is dropped"

    colors = {r[0]: r[1:] for r in rows(root, "select color, family, kind, origin from main.catalog_colors")}
    assert colors["midnight navy"] == ("blue", "color", "feed"), "family of the last word's seed color"
    assert colors["black"][-1] == "seed+feed"

    pairs = set(rows(root, "select brand, category from main.catalog_brand_categories"))
    assert {("acme outdoors", "camping"), ("glowbrite", "cycling_gear"), ("levi's", "tops")} <= pairs


def test_load_catalog_reads_the_merged_catalog(merged_catalog):
    from pipeline.catalog_tables import CATALOG_ASSET_KEYS, load_brand_type_counts, load_catalog
    from resources import DuckDBWarehouse

    root, _ = merged_catalog
    warehouse = DuckDBWarehouse(path=str(warehouse_file(root)))
    catalog = load_catalog(warehouse)
    acme = catalog.brand("acme outdoors")
    assert (acme.display_name, acme.vertical, acme.categories) == ("Acme Outdoors", "sports", ("camping",))
    assert ("acme", "alias") in acme.aliases
    assert catalog.product_type("trekking pole").category == "camping"
    assert catalog.color("midnight navy").family == "blue"
    assert catalog.brand_surfaces()["levis"] == "levi's"
    assert "calvin klein" in {b.brand for b in catalog.brands}

    counts = load_brand_type_counts(warehouse)
    assert counts[("acme outdoors", "trekking pole")] == 2
    assert counts[("acme outdoors", "tent")] == 1
    assert counts[("acme outdoors", "sleeping bag")] == 0, "a type of the brand's category, no product"
    assert dg.AssetKey("catalog_brands") in CATALOG_ASSET_KEYS and dg.AssetKey("brands") not in CATALOG_ASSET_KEYS


def test_replace_mode_keeps_only_the_feeds_entities(tmp_path):
    from pipeline.catalog_tables import load_catalog
    from resources import DuckDBWarehouse

    result = build_catalog(
        tmp_path, catalog_products=str(PRODUCTS), catalog_aliases=str(ALIASES), catalog_mode="replace"
    )
    assert result.success, failed_checks(result)
    catalog = load_catalog(DuckDBWarehouse(path=str(warehouse_file(tmp_path))))
    assert {b.brand for b in catalog.brands} == {"acme outdoors", "glowbrite", "levi's", "nike"}
    assert {t.product_type for t in catalog.product_types} == {
        "bike light",
        "running shoes",
        "t-shirt",
        "tent",
        "trekking pole",
    }
    assert {c.color for c in catalog.colors} == {"black", "midnight navy", "red", "white"}
    # what the seeds know about the feed's entities stays: aliases, synonyms, families
    assert catalog.brand_surfaces()["levis"] == "levi's"
    assert catalog.type_surfaces()["tee"] == "t-shirt"
    assert catalog.color("midnight navy").family == "blue"
    assert catalog.brand("levi's").categories == ("tops",), "replace: the feed's categories only"


def test_a_jsonl_or_parquet_feed_reads_like_a_csv(tmp_path):
    parquet = tmp_path / "products.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"copy (select * from read_csv('{PRODUCTS}')) to '{parquet}' (format parquet)")
    for feed, key in ((FIXTURES / "products.jsonl", "101"), (parquet, "P1")):
        root = tmp_path / feed.suffix[1:]
        result = dg.materialize(
            [catalog_group()],
            selection=[dg.AssetKey("stg_catalog_products")],
            resources=resources_for(root, catalog_products=str(feed)),
        )
        assert result.success
        found = rows(
            root,
            f"select brand, brand_display, title, product_type from main.stg_catalog_products where product_id = '{key}'",
        )
        assert found == [("acme outdoors", "Acme Outdoors", "Acme Outdoors Trail Tent", "tent")]
    assert rows(
        tmp_path / "jsonl", "select brand, color, title from main.stg_catalog_products where product_id = '102'"
    ) == [("levis", "white", None)], "numeric ids read as text, missing keys as nulls, extra keys ignored"


# ---------------------------------------------------------------------------------- malformed feeds


def test_a_feed_without_a_required_column_fails_naming_the_file_and_the_column(tmp_path):
    feed = FIXTURES / "products_missing_brand.csv"
    result = build_catalog(tmp_path, catalog_products=str(feed))
    assert not result.success
    message = step_failure_message(result)
    assert f"catalog feed {feed} lacks required column(s): brand" in message
    assert "catalog_brands" not in materializations(result)


def test_a_click_log_without_a_required_column_fails_naming_the_file_and_the_column(tmp_path):
    from assets import dbt_models

    logs = tmp_path / "clicks.csv"
    logs.write_text("event_ts,query,clicked_product_id\n2024-03-01 10:00:00,acme tent,P1\n")
    result = dg.materialize(
        [dbt_models.query_dataset_models],
        selection=[dg.AssetKey("stg_click_logs")],
        resources=resources_for(tmp_path, click_logs=str(logs)),
        raise_on_error=False,
    )
    assert not result.success
    assert f"click log {logs} lacks required column(s): query_text" in step_failure_message(result)


def test_duplicate_ids_and_blank_brands_fail_their_checks_and_nothing_downstream_runs(tmp_path):
    result = dg.materialize(
        data_assets(),
        resources=resources_for(tmp_path, catalog_products=str(FIXTURES / "products_bad_rows.csv")),
        run_config={"ops": {"raw_query_logs": {"config": TINY_LOGS}}},
        raise_on_error=False,
    )
    assert not result.success
    failed = failed_checks(result)
    assert failed.get("unique_stg_catalog_products_product_id") == "stg_catalog_products"
    assert failed.get("not_blank_stg_catalog_products_brand") == "stg_catalog_products"
    materialized = set(materializations(result))
    assert "catalog_brands" not in materialized and "raw_query_logs" not in materialized
    assert materialized.isdisjoint(SPLITS)
    message = step_failure_message(result)
    assert "unique_stg_catalog_products_product_id" in message and "not_blank_stg_catalog_products_brand" in message


# ---------------------------------------------------------------------------------- click logs


@pytest.fixture(scope="module")
def click_log_run(tmp_path_factory):
    """The data assets on the feed and the click logs alone (no synthetic events)."""
    root = tmp_path_factory.mktemp("byo-clicks")
    resources = resources_for(
        root, catalog_products=str(PRODUCTS), catalog_aliases=str(ALIASES), click_logs=str(CLICKS)
    )
    config = {"ops": {"raw_query_logs": {"config": {**TINY_LOGS, "synthesize": False}}}}
    return root, dg.materialize(data_assets(), resources=resources, run_config=config, raise_on_error=False)


def test_click_logs_take_the_feeds_product_facts(click_log_run):
    root, result = click_log_run
    assert result.success, failed_checks(result)
    assert rows(root, "select count(*) from raw.query_logs") == [(0,)], "synthesize: false writes an empty log"
    events = {
        r[0]: r[1:]
        for r in rows(
            root,
            "select query_text, clicked_product_id, product_brand, product_color, product_type, product_title, "
            "log_source, event_ts from main.stg_query_logs",
        )
    }
    assert set(events) == {"acme outdoors tent", "Acme trekking pole", "levis white t shirt", "glowbrite bike light"}
    assert events["levis white t shirt"][:6] == (
        "P4",
        "levi's",
        "white",
        "t-shirt",
        "Levis Classic T Shirt",
        "click_logs",
    )
    assert events["acme outdoors tent"][2] == "midnight navy"
    assert str(events["glowbrite bike light"][-1]) == "2024-03-01 12:00:00", "an offset is applied (UTC)"
    ids = [r[0] for r in rows(root, "select event_id from main.stg_query_logs order by event_ts")]
    assert len(set(ids)) == 4 and {"C3", "C4"} <= set(ids), "given ids kept, missing ones generated"


def test_clicks_on_unknown_products_are_counted_and_only_warn(click_log_run):
    root, result = click_log_run
    assert rows(root, "select clicked_product_id, n_events from main.click_log_unknown_products") == [("P999", 2)]
    warned = [
        c
        for c in result.get_asset_check_evaluations()
        if not c.passed and c.check_name == "click_logs_have_no_unknown_products"
    ]
    assert len(warned) == 1 and warned[0].severity == dg.AssetCheckSeverity.WARN
    assert warned[0].metadata["dagster_dbt/failed_row_count"].value == 2, "the check counts the events"
    assert result.success


def test_the_weak_labeler_uses_the_merged_catalog(click_log_run):
    root, _ = click_log_run
    labeled = dict(rows(root, "select query_text, array_to_string(tags, ' ') from main.labeled_queries"))
    assert labeled["acme outdoors tent"] == "B-BRAND I-BRAND B-TYPE"
    assert labeled["Acme trekking pole"] == "B-BRAND B-TYPE I-TYPE", "a feed alias and a new type"
    assert labeled["levis white t shirt"] == "B-BRAND B-COLOR B-TYPE I-TYPE"
    assert "mystery gadget" not in labeled


# ---------------------------------------------------------------------------------- novel entities


def entity(type_: str, text: str, start: int, **link) -> dict:
    return {"type": type_, "text": text, "start": start, "end": start + len(text), "score": 0.9, **link}


def test_novel_entities_count_served_entities_the_catalog_lacks(tmp_path):
    from assets import dbt_models

    novel = {"canonical": None, "link_method": None, "link_score": None, "novel": True}
    linked = {
        "canonical": {"id": "nike", "name": "Nike"},
        "link_method": "exact",
        "link_score": 1.0,
        "novel": False,
    }
    lines = [
        # an old line, logged before linking: no link fields at all
        ("r1", "2026-11-01T10:00:00.000Z", "zorbo tent", [entity("BRAND", "zorbo", 0), entity("TYPE", "tent", 6)]),
        ("r2", "2026-11-01T11:00:00.000Z", "Zorbo  tent", [entity("BRAND", "Zorbo", 0, **novel)]),
        ("r3", "2026-11-02T09:00:00.000Z", "zorbo hammock", [entity("BRAND", "zorbo", 0, **novel)]),
        ("r4", "2026-11-02T10:00:00.000Z", "zorbo tent", [entity("BRAND", "zorbo", 0, **novel)]),
        (
            "r5",
            "2026-11-03T10:00:00.000Z",
            "nike snorkel vest",
            [entity("BRAND", "nike", 0, **linked), entity("TYPE", "snorkel vest", 5, **novel)],
        ),
    ]
    log_dir = tmp_path / "prediction_logs"
    (log_dir / "date=2026-11-01").mkdir(parents=True)
    with (log_dir / "date=2026-11-01" / "part-1.jsonl").open("w") as log:
        for request_id, ts, query, entities in lines:
            row = {"schema_version": 1, "request_id": request_id, "item": 0, "ts": ts, "query": query}
            log.write(json.dumps({**row, "entities": entities, "model_tag": "qu-crf:x", "latency_ms": 1.0}) + "\n")
    result = dg.materialize(
        [dbt_models.query_dataset_models],
        selection=[dg.AssetKey(m) for m in ("stg_predictions", "int_prediction_entities", "novel_entities")],
        resources=resources_for(tmp_path, prediction_log_dir=log_dir),
    )
    assert result.success
    assert rows(
        tmp_path,
        "select novelty_rank, entity_type, surface, n_predictions, n_distinct_queries, "
        "strftime(first_seen, '%d %H'), strftime(last_seen, '%d %H'), example_query "
        "from main.novel_entities order by novelty_rank",
    ) == [
        (1, "BRAND", "zorbo", 3, 2, "01 11", "02 10", "Zorbo tent"),
        (2, "TYPE", "snorkel vest", 1, 1, "03 10", "03 10", "nike snorkel vest"),
    ]
    canonical = rows(
        tmp_path,
        "select e.canonical.name, e.link_method, e.novel from main.stg_predictions, unnest(entities) as t(e) "
        "where request_id in ('r1', 'r5') order by request_id, e.start",
    )
    assert canonical == [(None, None, None), (None, None, None), ("Nike", "exact", False), (None, None, True)]
    checks = [c for c in result.get_asset_check_evaluations() if c.asset_key == dg.AssetKey("novel_entities")]
    assert checks and all(c.passed for c in checks)
