"""The experiment harness's pure parts: variant overlays, training mixes, result rows, mean ± sd."""

from __future__ import annotations

import pytest

from query_understanding.crf import CRFConfig
from query_understanding.evaluation import evaluate_tagger
from query_understanding.evaluation.scores import summarize
from query_understanding.example import Example
from query_understanding.experiments.data import ExperimentData
from query_understanding.experiments.results import RESULT_COLUMNS, aggregate, mean_sd, report_markdown, result_row
from query_understanding.experiments.variants import VARIANTS, apply_overlay, get_variant
from query_understanding.tagger import Tagger
from query_understanding.training_rows import select_rows
from query_understanding.transformer.config import TransformerConfig


def ex(text: str, tags: str, source: str = "annotated", id: str | None = None) -> Example:
    return Example(text.split(), tags.split(), source=source, id=id)


class Echo(Tagger):
    """Tags every query as the gold data it was built from says (a perfect tagger), or all O."""

    kind = "echo"

    def __init__(self, gold: list[Example] | None = None):
        self.gold = {tuple(e.tokens): e.tags for e in gold or []}

    def predict_tags_with_scores(self, token_lists):
        return [(list(self.gold.get(tuple(t), ["O"] * len(t))), None) for t in token_lists]


DEV = [ex("nike red shoes", "B-BRAND B-COLOR B-TYPE"), ex("blue jeans", "B-COLOR B-TYPE")]


def row(variant: str, seed: int, micro: float, kind: str = "crf") -> dict:
    summary = summarize(evaluate_tagger(Echo(DEV), DEV, behavioral=False))
    built = result_row(variant, kind, {"c1": 0.1}, seed, summary, n_train=3, train_seconds=1.5, code_version="abc")
    return {**built, "micro_f1": micro}


def test_an_overlay_changes_only_the_named_fields():
    config = apply_overlay(CRFConfig(), {"c1": 0.3})
    assert config.c1 == 0.3 and config.c2 == CRFConfig().c2 and config.use_gazetteer
    transformer = apply_overlay(TransformerConfig(seed=5), {"decoding": "viterbi"})
    assert transformer.seed == 5 and transformer.decoding == "viterbi" and transformer.epochs == 3


def test_an_overlay_with_a_misspelt_field_is_refused():
    with pytest.raises(ValueError, match="no fields"):
        apply_overlay(CRFConfig(), {"c_1": 0.3})


def test_every_registered_variant_overlays_its_config_cleanly():
    for (kind, _), variant in VARIANTS.items():
        apply_overlay(CRFConfig() if kind == "crf" else TransformerConfig(), variant.overlay)
    assert get_variant("transformer", "default").mix.max_synthetic == 4000  # what the asset samples
    with pytest.raises(KeyError, match="known"):
        get_variant("crf", "nope")


def test_the_mix_keeps_every_annotated_row_and_samples_synthetic_rows_by_id():
    rows = [ex("a", "O", "synthetic", "s2"), ex("b", "O", "annotated", "a1"), ex("c", "O", "synthetic", "s1")]
    assert [e.id for e in select_rows(rows, ["annotated", "synthetic"], 1)] == ["a1", "s1"]
    assert [e.id for e in select_rows(rows, ["synthetic"], None)] == ["s1", "s2"]
    with pytest.raises(ValueError, match="unknown train sources"):
        select_rows(rows, ["gold"])


def test_full_types_relabel_annotated_rows_by_id_and_rename_synthetic_ones():
    from query_understanding.training_rows import SourceTagged

    annotated = ex("nike running shoes", "B-BRAND O B-TYPE", id="q1")
    synthetic = ex("red dress", "B-COLOR B-TYPE", "synthetic", "s1")
    full = {"q1": SourceTagged(["nike", "running", "shoes"], ["B-creator", "B-modifier", "B-core_product_type"])}
    data = ExperimentData([annotated], DEV, [synthetic], full)
    rows = data.training_rows(("annotated", "synthetic"), None, full_types=True)
    assert [r.tags for r in rows] == [
        ["B-creator", "B-modifier", "B-core_product_type"],
        ["B-color", "B-core_product_type"],
    ]
    with pytest.raises(ValueError, match="no row"):
        ExperimentData([ex("x", "O", id="q2")], DEV, [], full).training_rows(("annotated",), None, True)


def test_a_result_row_has_exactly_the_table_columns_and_the_evaluation_figures():
    perfect = row("default", 13, 1.0)
    assert tuple(perfect) == RESULT_COLUMNS
    summary = summarize(evaluate_tagger(Echo(), DEV, behavioral=False))
    empty = result_row("x", "crf", {}, 1, summary, n_train=0, train_seconds=0, code_version="v")
    assert empty["micro_f1"] == 0.0 and empty["f1_BRAND"] == 0.0
    assert perfect["f1_COLOR"] == 1.0 and perfect["fail_inv_filler_cheap"] is None  # not run here


def test_mean_and_sample_sd():
    assert mean_sd([0.7, 0.8]) == pytest.approx((0.75, 0.0707107), rel=1e-5)
    assert mean_sd([0.5]) == (0.5, 0.0)
    with pytest.raises(ValueError):
        mean_sd([])


def test_aggregate_groups_by_kind_and_variant_over_seeds():
    rows = [row("default", 1, 0.6), row("default", 2, 0.8), row("default", 1, 0.9, "transformer")]
    records = {(r["model_kind"], r["variant"]): r for r in aggregate(rows)}
    assert records[("crf", "default")]["seeds"] == [1, 2]
    assert records[("crf", "default")]["micro_f1"] == pytest.approx((0.7, 0.141421), rel=1e-5)
    assert records[("transformer", "default")]["micro_f1"] == (0.9, 0.0)


def test_the_report_shows_mean_sd_and_the_delta_against_default_of_the_same_kind():
    rows = [
        row("default", 1, 0.6),
        row("default", 2, 0.8),
        row("wider", 1, 0.75),
        row("default", 1, 0.5, "transformer"),
    ]
    table = report_markdown(rows)
    wider = next(line for line in table.splitlines() if "| wider |" in line)
    assert "0.750 ± 0.000" in wider and "+0.050" in wider
    assert "0.700 ± 0.141" in table
