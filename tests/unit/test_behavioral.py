"""Behavioral tests run on real taggers (a trained CRF and the per-word majority baseline)."""

from __future__ import annotations

from query_understanding.bio import bio_to_spans
from query_understanding.crf import CRFConfig, train_crf
from query_understanding.evaluation import MostFrequentTagTagger
from query_understanding.evaluation.behavioral import (
    brand_swap_test,
    filler_invariance,
    run_behavioral,
    swap_brands,
    uppercase_invariance,
)
from query_understanding.example import Example

UNSEEN = ["zorbex", "kalimar tech"]


def test_swap_brands_replaces_every_brand_span_and_relabels_it():
    example = Example("nike shoes by adidas".split(), ["B-BRAND", "B-TYPE", "O", "B-BRAND"])
    swapped = swap_brands(example, UNSEEN)
    assert swapped.tokens == ["zorbex", "shoes", "by", "kalimar", "tech"]
    assert swapped.tags == ["B-BRAND", "B-TYPE", "O", "B-BRAND", "I-BRAND"]


def test_swap_brands_keeps_other_entities_and_skips_examples_without_brands():
    example = Example("red the north face jacket".split(), ["B-COLOR", "B-BRAND", "I-BRAND", "I-BRAND", "B-TYPE"])
    swapped = swap_brands(example, UNSEEN, offset=1)
    assert swapped.entity_texts() == [("COLOR", "red"), ("BRAND", "kalimar tech"), ("TYPE", "jacket")]
    assert swap_brands(Example(["shoes"], ["B-TYPE"]), UNSEEN) is None


def test_a_lowercasing_lookup_tagger_is_uppercase_and_filler_invariant(tiny_examples):
    baseline = MostFrequentTagTagger.train(tiny_examples)
    results = run_behavioral(baseline, tiny_examples, unseen_brands=UNSEEN)
    by_name = {r.name: r for r in results}
    assert set(by_name) == {"inv_uppercase", "inv_filler_cheap", "inv_filler_for_men", "brand_swap_unseen"}
    for name in ("inv_uppercase", "inv_filler_cheap", "inv_filler_for_men"):
        assert by_name[name].n == len(tiny_examples)
        assert by_name[name].failure_rate == 0.0 and by_name[name].failures == []


def test_a_tagger_that_tags_the_filler_fails_filler_invariance_everywhere(tiny_examples):
    cheap_is_a_type = [Example(["cheap"], ["B-TYPE"])]
    baseline = MostFrequentTagTagger.train(tiny_examples + cheap_is_a_type)
    result = filler_invariance(baseline, tiny_examples, "cheap", max_failures=3)
    assert result.name == "inv_filler_cheap"
    assert (result.n, result.n_failed, result.failure_rate) == (len(tiny_examples),) * 2 + (1.0,)
    assert len(result.failures) == 3
    first = result.failures[0]
    assert first["perturbed"] == first["tokens"] + ["cheap"]
    assert ["TYPE", len(first["tokens"]), len(first["tokens"]) + 1, "cheap"] in first["got"]


def test_a_memorizing_tagger_fails_brand_swap_on_every_branded_example(tiny_examples):
    baseline = MostFrequentTagTagger.train(tiny_examples)
    result = brand_swap_test(baseline, tiny_examples, UNSEEN)
    branded = [e for e in tiny_examples if any(s.type == "BRAND" for s in e.spans())]
    assert result.n == len(branded) > 0
    assert result.failure_rate == 1.0
    assert result.failures[0]["expected_brands"][0] in UNSEEN


def test_brand_swap_passes_when_the_new_brand_is_predicted_over_its_exact_span(tiny_examples):
    knows_unseen = [Example(["zorbex"], ["B-BRAND"]), Example(["kalimar", "tech"], ["B-BRAND", "I-BRAND"])]
    baseline = MostFrequentTagTagger.train(tiny_examples + knows_unseen)
    assert brand_swap_test(baseline, tiny_examples, UNSEEN).n_failed == 0


def test_a_crf_without_casing_features_is_exactly_uppercase_invariant(tiny_examples):
    tagger = train_crf(tiny_examples, CRFConfig(max_iterations=30, use_shape=False))
    uppercased = [Example([t.upper() for t in e.tokens], e.tags) for e in tiny_examples]
    result = uppercase_invariance(tagger, tiny_examples + uppercased)
    assert result.n == 2 * len(tiny_examples)
    assert result.n_failed == 0


def test_reported_failures_are_real_prediction_changes(tiny_crf, tiny_examples):
    result = filler_invariance(tiny_crf, tiny_examples, "for men", max_failures=1000)
    assert result.n == len(tiny_examples)
    assert result.n_failed == len(result.failures)
    recount = 0
    for example in tiny_examples:
        before, after = tiny_crf.predict_tags([example.tokens, example.tokens + ["for", "men"]])
        if bio_to_spans(before) != bio_to_spans(after):
            recount += 1
    assert result.n_failed == recount
    for failure in result.failures:
        assert failure["expected"] != failure["got"]


def test_results_serialize_with_rate_and_counts(tiny_crf, tiny_examples):
    d = uppercase_invariance(tiny_crf, tiny_examples[:5]).to_dict()
    assert set(d) == {"name", "n", "n_failed", "failure_rate", "failures"}
    assert d["n"] == 5 and 0.0 <= d["failure_rate"] <= 1.0
