"""Specification of the synthetic click logs (raw.query_logs, docs/data_model.md)."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from query_understanding.catalog import Catalog, load_catalog_from_csv
from query_understanding.synth import QUERY_LOG_COLUMNS, generate_query_logs
from query_understanding.synth.noise import typo
from query_understanding.synth.vocab import CATEGORY_GROUPS, MODIFIERS, all_phrases

ROOT = Path(__file__).resolve().parents[2]
SEED_DIR = ROOT / "dbt" / "seeds"
N = 6000


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog_from_csv(SEED_DIR)


@pytest.fixture(scope="module")
def logs(catalog) -> pd.DataFrame:
    return generate_query_logs(catalog, n_events=N, seed=11)


def frame_digest(df: pd.DataFrame) -> str:
    return hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()


def spans(query: str, surfaces: dict[str, str], max_len: int = 4) -> list[str]:
    """Canonical values of the surfaces in ``query``: greedy longest match, left to right.

    "navy blue jeans" gives "navy blue", not also "navy" and "blue", the way a gazetteer reads it.
    """
    toks = query.lower().split()
    found, i = [], 0
    while i < len(toks):
        for j in range(min(i + max_len, len(toks)), i, -1):
            if " ".join(toks[i:j]) in surfaces:
                found.append(surfaces[" ".join(toks[i:j])])
                i = j
                break
        else:
            i += 1
    return found


# ---------------------------------------------------------------- schema
class TestSchema:
    def test_columns_are_exactly_raw_query_logs(self, logs):
        assert (
            tuple(logs.columns)
            == QUERY_LOG_COLUMNS
            == (
                "event_id",
                "session_id",
                "event_ts",
                "query_text",
                "clicked_product_id",
                "product_brand",
                "product_color",
                "product_type",
                "product_title",
            )
        )

    def test_dtypes(self, logs):
        assert pd.api.types.is_datetime64_dtype(logs["event_ts"])
        for col in QUERY_LOG_COLUMNS:
            if col != "event_ts":
                assert pd.api.types.is_string_dtype(logs[col]), col

    def test_exact_size_and_unique_event_ids(self, logs):
        assert len(logs) == N
        assert logs["event_id"].is_unique

    def test_only_product_color_is_nullable(self, logs):
        assert logs.drop(columns="product_color").notna().all().all()
        assert 0.05 < logs["product_color"].isna().mean() < 0.6

    def test_queries_are_single_spaced_and_non_empty(self, logs):
        q = logs["query_text"]
        assert (q.str.len() > 0).all()
        assert (q == q.str.split().str.join(" ")).all()

    def test_zero_events_gives_an_empty_frame_with_the_columns(self, catalog):
        empty = generate_query_logs(catalog, n_events=0, seed=1)
        assert empty.empty and tuple(empty.columns) == QUERY_LOG_COLUMNS


# ---------------------------------------------------------------- determinism
class TestDeterminism:
    def test_same_seed_gives_a_byte_identical_frame(self, catalog, logs):
        again = generate_query_logs(catalog, n_events=N, seed=11)
        pd.testing.assert_frame_equal(logs, again)
        assert frame_digest(logs) == frame_digest(again)

    def test_different_seed_gives_a_different_frame(self, catalog, logs):
        other = generate_query_logs(catalog, n_events=N, seed=12)
        assert (other["query_text"] != logs["query_text"]).mean() > 0.5

    def test_global_random_state_is_not_used(self, catalog):
        random.seed(1)
        a = generate_query_logs(catalog, n_events=500, seed=3)
        random.seed(2)
        b = generate_query_logs(catalog, n_events=500, seed=3)
        pd.testing.assert_frame_equal(a, b)

    def test_independent_of_hash_randomization(self, catalog):
        """Another interpreter with another PYTHONHASHSEED produces the same bytes."""
        code = (
            "import hashlib;from query_understanding.catalog import load_catalog_from_csv as l;"
            "from query_understanding.synth import generate_query_logs as g;"
            f"df=g(l({str(SEED_DIR)!r}),n_events=800,seed=5);"
            "print(hashlib.sha256(df.to_csv(index=False).encode()).hexdigest())"
        )
        env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        assert out == frame_digest(generate_query_logs(catalog, n_events=800, seed=5))


# ---------------------------------------------------------------- sessions and products
class TestSessionsAndProducts:
    def test_sessions_have_one_to_four_queries_with_increasing_timestamps(self, logs):
        sizes = logs.groupby("session_id").size()
        assert sizes.min() >= 1 and sizes.max() <= 4
        assert (sizes > 1).any()
        for _, g in logs.groupby("session_id"):
            assert g["event_ts"].is_monotonic_increasing and g["event_ts"].is_unique

    def test_timestamps_start_at_start_and_span_weeks(self, catalog):
        start = datetime(2025, 3, 1, 12, 0)
        df = generate_query_logs(catalog, n_events=2000, seed=4, start=start)
        assert df["event_ts"].min() >= pd.Timestamp(start)
        assert df["event_ts"].is_monotonic_increasing
        assert df["event_ts"].max() - df["event_ts"].min() > pd.Timedelta(days=7)

    def test_products_are_consistent_with_the_catalog(self, catalog, logs):
        colors = set(catalog.color_surfaces())
        for row in logs.drop_duplicates("clicked_product_id").itertuples():
            ptype = catalog.product_type(row.product_type)
            assert ptype.category in catalog.brand(row.product_brand).categories, row
            assert pd.isna(row.product_color) or row.product_color in colors
            assert catalog.brand(row.product_brand).display_name in row.product_title

    def test_a_product_id_always_has_the_same_attributes(self, logs):
        cols = ["product_brand", "product_color", "product_type", "product_title"]
        assert (logs.groupby("clicked_product_id")[cols].nunique(dropna=False) == 1).all().all()

    def test_groceries_have_no_color(self, catalog, logs):
        grocery = logs[logs["product_type"].map(lambda t: catalog.product_type(t).vertical) == "grocery"]
        assert len(grocery) > 0 and grocery["product_color"].isna().all()


# ---------------------------------------------------------------- realism
class TestRealism:
    def test_queries_describe_the_clicked_product(self, catalog, logs):
        brands, types = catalog.brand_surfaces(), catalog.type_surfaces()
        hits = [
            row.product_brand in spans(row.query_text, brands) or row.product_type in spans(row.query_text, types)
            for row in logs.itertuples()
        ]
        assert sum(hits) / len(hits) > 0.85

    def test_type_is_usually_present_brand_and_color_often_missing(self, catalog, logs):
        types, brands, colors = catalog.type_surfaces(), catalog.brand_surfaces(), catalog.color_surfaces()
        q = logs["query_text"]
        assert q.map(lambda s: bool(spans(s, types))).mean() > 0.8
        assert 0.3 < q.map(lambda s: bool(spans(s, brands))).mean() < 0.7
        assert 0.1 < q.map(lambda s: bool(spans(s, colors))).mean() < 0.5

    def test_about_ten_percent_casing_variants(self, logs):
        q = logs["query_text"]
        share = (q != q.str.lower()).mean()
        assert 0.05 < share < 0.16
        assert (q == q.str.upper()).any() and (q == q.str.title()).any()

    def test_some_typos_in_entity_words(self, catalog, logs):
        known = {
            w
            for d in (catalog.brand_surfaces(), catalog.color_surfaces(), catalog.type_surfaces())
            for s in d
            for w in s.split()
        }
        filler = {w for p in all_phrases() for w in p.split()}
        unknown = logs["query_text"].map(
            lambda s: any(w.isalpha() and w not in known and w not in filler for w in s.lower().split())
        )
        assert 0.02 < unknown.mean() < 0.1

    def test_model_numbers_appear_as_context(self, logs):
        model = logs["query_text"].str.contains(r"\b[a-z]{1,3}\d{2,4}[a-z0-9]*\b")
        assert 0.005 < model.mean() < 0.1

    def test_brand_aliases_and_misspellings_are_used(self, catalog, logs):
        aliases = catalog.brand_surfaces(kinds=("alias",))
        misspelled = catalog.brand_surfaces(kinds=("misspelling",))
        q = logs["query_text"]
        assert q.map(lambda s: bool(spans(s, aliases))).mean() > 0.02
        assert q.map(lambda s: bool(spans(s, misspelled))).mean() > 0.005

    def test_varied_word_orders(self, catalog, logs):
        brands, types = catalog.brand_surfaces(kinds=("canonical",)), catalog.type_surfaces()

        def type_before_brand(s: str) -> bool:
            toks = s.lower().split()
            t = [i for i in range(len(toks)) if toks[i] in types]
            b = [i for i in range(len(toks)) if toks[i] in brands]
            return bool(t and b and t[0] < b[0])

        q = logs["query_text"].str.lower()
        assert q.map(type_before_brand).mean() > 0.02  # "shoes prada"
        assert q.str.contains(r" by | from ").any()  # "blue shoes by prada"
        assert q.str.contains(r" in ").any()  # "jeans in black"

    def test_plural_and_synonym_type_surfaces_appear(self, catalog, logs):
        non_canonical = {s for s, t in catalog.type_surfaces().items() if s != t}
        q = logs["query_text"].str.lower()
        assert q.map(lambda s: any(x in non_canonical for x in spans(s, {k: k for k in non_canonical}))).mean() > 0.15

    def test_multi_word_entities_appear(self, catalog, logs):
        multi = {
            s: s
            for d in (catalog.brand_surfaces(), catalog.color_surfaces(), catalog.type_surfaces())
            for s in d
            if " " in s
        }
        assert logs["query_text"].map(lambda s: bool(spans(s, multi))).mean() > 0.2

    def test_filler_words_that_stay_o(self, logs):
        q = " " + logs["query_text"].str.lower() + " "
        for word in (" size ", " mens ", " for women ", " cheap ", " pack of "):
            assert q.str.contains(word, regex=False).any(), word

    def test_some_queries_contradict_the_clicked_product(self, catalog, logs):
        colors = catalog.color_surfaces()
        families = {c.color: c.family for c in catalog.colors}
        wrong = [
            any(c != row.product_color and c != families.get(row.product_color) for c in spans(row.query_text, colors))
            for row in logs.itertuples()
            if isinstance(row.product_color, str)
        ]
        assert 0.002 < sum(wrong) / len(wrong) < 0.05

    def test_popular_queries_repeat(self, logs):
        counts = logs["query_text"].value_counts()
        assert counts.iloc[0] >= 10
        assert logs["query_text"].nunique() < 0.85 * len(logs)
        assert counts.iloc[0] < 0.03 * len(logs)  # but no single query dominates


# ---------------------------------------------------------------- building blocks
def test_modifier_groups_name_real_categories(catalog):
    assert set(CATEGORY_GROUPS) <= set(catalog.categories())
    assert {g for groups in CATEGORY_GROUPS.values() for g in groups} <= set(MODIFIERS)


def test_filler_phrases_contain_no_catalog_surface(catalog):
    surfaces = {s: s for d in (catalog.brand_surfaces(), catalog.color_surfaces(), catalog.type_surfaces()) for s in d}
    offending = {p: spans(p, surfaces) for p in all_phrases() if spans(p, surfaces)}
    assert not offending


@pytest.mark.parametrize("seed", range(20))
def test_typo_changes_one_character_and_keeps_the_first_letter(seed):
    word = "sneakers"
    out = typo(word, random.Random(seed))
    assert out != word and out[0] == word[0]
    assert abs(len(out) - len(word)) <= 1
