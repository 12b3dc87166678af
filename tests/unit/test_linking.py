"""Specification of entity linking: spans -> catalog entries, methods, fuzzy thresholds, the index file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from query_understanding.catalog import Catalog, load_catalog_from_csv
from query_understanding.linking import LinkingIndex, LinkingIndexError, calibrate, link_entities, link_span
from query_understanding.linking.calibration import GridPoint, choose_threshold, sweep, trials
from query_understanding.linking.evaluation import fixture_linking_report, synthetic_linking_report
from query_understanding.linking.linker import typo_shaped
from query_understanding.schema import Entity

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "linking" / "queryner_dev_links.jsonl"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog_from_csv(REPO / "dbt" / "seeds")


@pytest.fixture(scope="module")
def index(catalog) -> LinkingIndex:
    return calibrate(LinkingIndex.from_catalog(catalog))[0]


def entity(entity_type: str, text: str) -> Entity:
    return Entity(entity_type, text, 0, len(text))


def test_a_misspelt_brand_links_fuzzily_to_its_catalog_entry(index):
    [nike] = link_entities(index, [entity("BRAND", "nikee")])
    assert nike.canonical == {"id": "nike", "name": "Nike"}
    assert nike.link_method == "fuzzy" and 0 < nike.link_score < 1 and nike.novel is False


@pytest.mark.parametrize(
    ("entity_type", "text", "entry", "method"),
    [
        ("BRAND", "Nike", "nike", "exact"),
        ("BRAND", "levis", "levi's", "alias"),
        ("BRAND", "tnf", "the north face", "alias"),
        ("BRAND", "samsung's", "samsung", "exact"),
        ("TYPE", "sneaker", "sneakers", "plural"),
        ("TYPE", "trainers", "sneakers", "synonym"),
        ("COLOR", "blacks", "black", "plural"),
    ],
)
def test_catalog_surfaces_link_with_the_method_that_matched(index, entity_type, text, entry, method):
    link = link_span(index, entity_type, text)
    assert (link.entry_id, link.method) == (entry, method)


def test_colors_carry_their_family_and_types_their_category(index, catalog):
    navy, sneakers = link_entities(index, [entity("COLOR", "Navy Blue"), entity("TYPE", "sneakers")])
    assert navy.canonical == {"id": "navy blue", "name": "navy blue", "family": catalog.color("navy blue").family}
    assert sneakers.canonical["category"] == catalog.product_type("sneakers").category


def test_an_unknown_brand_comes_back_novel_without_a_canonical_entry(index):
    [unknown] = link_entities(index, [entity("BRAND", "qwzxvbrand")])
    assert unknown.canonical is None and unknown.link_method is None and unknown.novel is True


@pytest.mark.parametrize(
    ("key", "surface", "shaped"),
    [
        ("nikee", "nike", True),
        ("american girl", "american eagle", False),  # a different word, not a typo
        ("jean jacket", "rain jacket", False),  # two edits in a short word
        ("skinny", "skinnypop", False),  # a prefix, three letters short
        ("the nort face", "the north face", True),
    ],
)
def test_only_typo_shaped_candidates_are_fuzzy_matches(key, surface, shaped):
    assert typo_shaped(key, surface) is shaped


def test_the_query_context_breaks_a_fuzzy_tie_in_favour_of_a_brand_that_sells_the_type():
    def build(pairs):
        return LinkingIndex(
            surfaces={
                "BRAND": {"acmex": ("acmex", "exact"), "acmez": ("acmez", "exact")},
                "TYPE": {"drill": ("drill", "exact"), "dress": ("dress", "exact")},
                "COLOR": {},
            },
            entries={
                "BRAND": {"acmex": {"name": "Acmex"}, "acmez": {"name": "Acmez"}},
                "TYPE": {"drill": {"name": "drill", "category": "tools"}, "dress": {"name": "dress", "category": "x"}},
                "COLOR": {},
            },
            brand_types=pairs,
            fuzzy={"BRAND": 70.0, "TYPE": 70.0},
        )

    query = [entity("BRAND", "acmey"), entity("TYPE", "drill")]  # one edit from both brands
    assert link_entities(build({("acmez", "drill"): 3}), query)[0].canonical["id"] == "acmez"
    assert link_entities(build({("acmex", "drill"): 3}), query)[0].canonical["id"] == "acmex"


def test_fuzzy_thresholds_are_the_best_f1_point_of_the_simulated_typos_and_novel_names(catalog):
    base = LinkingIndex.from_catalog(catalog)
    simulated = trials(base, "BRAND", seed=0)
    assert {t.kind for t in simulated} == {"typo", "novel"}
    points = sweep("BRAND", simulated)
    calibrated, _ = calibrate(base, seed=0)
    assert calibrated.fuzzy["BRAND"] == max(points, key=lambda p: (round(p.f1, 6), p.threshold)).threshold
    assert calibrated.version != base.version  # thresholds are part of the content
    tie = [GridPoint("BRAND", t, 1.0, 0.5, 0.667, 1, 1) for t in (70.0, 80.0)]
    assert choose_threshold(tie).threshold == 80.0  # ties go to the stricter threshold


def test_the_index_file_round_trips_and_a_tampered_copy_is_refused(index, tmp_path):
    path = index.save(tmp_path)
    assert LinkingIndex.load(tmp_path).version == index.version
    data = json.loads(path.read_text())
    data["surfaces"]["BRAND"]["nikee"] = ["adidas", "exact"]
    path.write_text(json.dumps(data))
    with pytest.raises(LinkingIndexError, match="hashes to"):
        LinkingIndex.load(path)


def test_the_version_is_the_same_for_the_same_catalog_and_changes_with_it(catalog):
    fewer = Catalog(brands=catalog.brands[1:], colors=catalog.colors, product_types=catalog.product_types)
    assert LinkingIndex.from_catalog(catalog).version == LinkingIndex.from_catalog(catalog).version
    assert LinkingIndex.from_catalog(fewer).version != LinkingIndex.from_catalog(catalog).version


def test_on_synthetic_noise_links_are_precise_and_held_out_brands_stay_unlinked(catalog):
    cells = {(s.entity_type, s.noise): s for s in synthetic_linking_report(catalog, n_products=400)}
    for (entity_type, noise), cell in cells.items():
        if noise == "novel":
            continue
        assert cell.precision >= 0.98, (entity_type, noise, cell.to_dict())
    assert cells[("BRAND", "typo")].recall >= 0.9
    assert cells[("BRAND", "novel")].n_linked <= 0.05 * cells[("BRAND", "novel")].n


def test_on_hand_labelled_real_spans_most_links_are_right(index):
    report = fixture_linking_report(index, FIXTURE)
    assert sum(v["n"] for v in report.per_type.values()) >= 150
    linked = sum(v["linked"] for v in report.per_type.values())
    correct = sum(v["correct"] for v in report.per_type.values())
    assert correct / linked >= 0.85, report.errors
