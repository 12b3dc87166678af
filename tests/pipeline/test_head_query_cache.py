"""Specification: the ``head_query_cache`` asset counts normalized queries in the search log and
the prediction log, parses the most frequent with the champion's model and the linking index,
and registers the cache beside the models, stamped with both and reporting its coverage."""

from __future__ import annotations

import dagster as dg
import duckdb
import pandas as pd
from tiny_crf import train_tiny_crf

from model_registry import ModelRegistry
from model_registry.head_caches import head_cache_tags, load_stored_head_cache
from model_registry.linking_indexes import load_linking_index, register_linking_index
from query_understanding.artifacts import load_tagger
from query_understanding.catalog import load_catalog_from_csv
from query_understanding.head_cache import model_answers
from query_understanding.linking import LinkingIndex
from resources import DuckDBWarehouse, ModelStore

REPO = __import__("pathlib").Path(__file__).resolve().parents[2]


def write_logs(path) -> None:
    day1, day2 = pd.Timestamp("2026-11-30 10:00"), pd.Timestamp("2026-12-01 09:00")
    searches = pd.DataFrame(
        {
            "query_text": ["blue shoes by prada"] * 5 + ["Nike red sneakers"] * 3 + ["zara"],
            "event_ts": [day1] * 4 + [day2] + [day1] * 3 + [day2],
        }
    )
    served = pd.DataFrame(
        {"query": ["nike  red sneakers"] * 2 + ["levis jeans in grey"], "predicted_at": [day1, day1, day2]}
    )
    with duckdb.connect(str(path)) as con:
        con.register("searches_frame", searches)
        con.register("served_frame", served)
        con.execute("CREATE TABLE main.stg_query_logs AS SELECT * FROM searches_frame")
        con.execute("CREATE TABLE main.stg_predictions AS SELECT * FROM served_frame")


def test_the_asset_caches_the_champions_answers_to_the_most_frequent_queries(tmp_path):
    from assets.head_cache import HeadCacheConfig, head_query_cache

    write_logs(tmp_path / "warehouse.duckdb")
    registry = ModelRegistry(tmp_path / "registry")
    model_tag = registry.register(train_tiny_crf(tmp_path / "models", seed=7))
    index_dir = LinkingIndex.from_catalog(load_catalog_from_csv(REPO / "dbt" / "seeds")).save(tmp_path / "li").parent
    linking_tag = register_linking_index(registry, index_dir)

    output = head_query_cache(
        context=dg.build_asset_context(),
        config=HeadCacheConfig(top_n=2),
        served_tag=model_tag,
        linking_tag=linking_tag,
        warehouse=DuckDBWarehouse(path=str(tmp_path / "warehouse.duckdb")),
        model_store=ModelStore(root=str(tmp_path / "models"), registry_home=str(tmp_path / "registry")),
    )

    assert head_cache_tags(registry, model_tag) == [output.value]
    cache = load_stored_head_cache(registry, output.value)
    assert set(cache.entries) == {"blue shoes by prada", "nike red sneakers"}  # 5 and 3 + 2, normalized
    assert output.metadata["traffic_covered"].value == round(10 / 12, 6)
    assert output.metadata["model_tag"].value == model_tag and output.metadata["size"].value == 2
    # built from 2026-11-30 alone, the cache would have answered 1 of the 3 queries of 2026-12-01
    assert output.metadata["held_out_day_hit_rate"].value == round(1 / 3, 4)
    assert output.metadata["held_out_day"].value == {
        "day": "2026-12-01",
        "days_before": 1,
        "queries": 3,
        "hit_rate": 0.3333,
    }
    index = load_linking_index(registry, linking_tag)
    assert cache.model_tag == model_tag and cache.linking_version == index.version
    tagger = load_tagger(registry.get(model_tag)[0])
    expected = model_answers(tagger, index)(["nike red sneakers"])[0]
    assert cache.get("nike red sneakers") == expected and expected["entities"][0]["canonical"] is not None
