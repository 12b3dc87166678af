"""Strict entity-level metrics: hand-computed cases and agreement with seqeval."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from query_understanding.bio import BIOError, Span, repair_bio, spans_to_bio
from query_understanding.evaluation.metrics import Counts, entity_metrics
from query_understanding.schema import ENTITY_TYPES, LABELS

# --- hand-computed cases -------------------------------------------------------------------


def test_exact_match_is_a_true_positive():
    m = entity_metrics([["B-BRAND", "I-BRAND", "B-TYPE"]], [["B-BRAND", "I-BRAND", "B-TYPE"]])
    assert m.per_type["BRAND"] == Counts(tp=1, fp=0, fn=0)
    assert m.micro.f1 == 1.0


def test_a_span_one_token_short_is_one_false_positive_and_one_false_negative():
    gold = [["B-BRAND", "I-BRAND", "I-BRAND", "B-TYPE"]]  # [the north face] [jacket]
    pred = [["B-BRAND", "I-BRAND", "O", "B-TYPE"]]  # [the north] face [jacket]
    m = entity_metrics(gold, pred)
    assert m.per_type["BRAND"] == Counts(tp=0, fp=1, fn=1)
    assert m.per_type["TYPE"] == Counts(tp=1, fp=0, fn=0)
    assert (m.micro.tp, m.micro.fp, m.micro.fn) == (1, 1, 1)
    assert m.micro.precision == 0.5 and m.micro.recall == 0.5 and m.micro.f1 == 0.5


def test_a_span_one_token_too_long_is_also_wrong():
    m = entity_metrics([["B-TYPE", "O"]], [["B-TYPE", "I-TYPE"]])
    assert m.per_type["TYPE"] == Counts(tp=0, fp=1, fn=1)


def test_right_span_wrong_type_counts_against_both_types():
    m = entity_metrics([["B-COLOR", "B-TYPE"]], [["B-BRAND", "B-TYPE"]])
    assert m.per_type["COLOR"] == Counts(0, 0, 1)
    assert m.per_type["BRAND"] == Counts(0, 1, 0)
    assert m.per_type["TYPE"] == Counts(1, 0, 0)


def test_two_adjacent_entities_are_not_one_long_entity():
    m = entity_metrics([["B-COLOR", "B-COLOR"]], [["B-COLOR", "I-COLOR"]])
    assert m.per_type["COLOR"] == Counts(tp=0, fp=1, fn=2)


def test_hand_computed_precision_recall_f1_over_several_sequences():
    gold = [["B-BRAND", "B-TYPE"], ["B-COLOR", "B-TYPE", "I-TYPE"], ["O", "B-TYPE"]]
    pred = [["B-BRAND", "B-TYPE"], ["O", "B-TYPE", "O"], ["B-BRAND", "B-TYPE"]]
    m = entity_metrics(gold, pred)
    # TYPE: 2 right, 1 cut short (fp + fn). BRAND: 1 right, 1 spurious. COLOR: 1 missed.
    assert m.per_type["TYPE"] == Counts(2, 1, 1)
    assert m.per_type["BRAND"] == Counts(1, 1, 0)
    assert m.per_type["COLOR"] == Counts(0, 0, 1)
    assert m.micro == Counts(3, 2, 2)
    assert m.micro.f1 == pytest.approx(0.6)
    type_f1, brand_f1, color_f1 = 2 / 3, 2 * 0.5 * 1 / 1.5, 0.0
    assert m.macro_f1 == pytest.approx((type_f1 + brand_f1 + color_f1) / 3)
    assert m.per_type["TYPE"].support == 3


def test_macro_average_skips_types_absent_from_gold_and_predictions():
    m = entity_metrics([["B-TYPE"]], [["B-TYPE"]])
    assert m.macro_f1 == 1.0  # BRAND and COLOR never occur, so they do not count as 0
    assert set(m.per_type) == set(ENTITY_TYPES)  # but they are listed, with zero counts


def test_no_entities_anywhere_gives_zero_not_an_error():
    m = entity_metrics([["O", "O"]], [["O", "O"]])
    assert (m.micro.precision, m.micro.recall, m.micro.f1, m.macro_f1) == (0.0, 0.0, 0.0, 0.0)


def test_stray_inside_tags_in_predictions_are_read_as_entity_starts():
    m = entity_metrics([["O", "B-TYPE"]], [["O", "I-TYPE"]])
    assert m.per_type["TYPE"] == Counts(1, 0, 0)


def test_invalid_gold_is_an_error_naming_the_sequence():
    with pytest.raises(BIOError, match="sequence 1"):
        entity_metrics([["O"], ["I-TYPE"]], [["O"], ["B-TYPE"]])


@pytest.mark.parametrize(
    "gold, pred, message",
    [
        ([["O"]], [], "1 gold sequences but 0"),
        ([["O", "O"]], [["O"]], "2 gold tags but 1"),
    ],
)
def test_length_mismatches_are_errors(gold, pred, message):
    with pytest.raises(ValueError, match=message):
        entity_metrics(gold, pred)


def test_to_dict_reports_counts_and_scores():
    d = entity_metrics([["B-TYPE", "O"]], [["B-TYPE", "B-COLOR"]]).to_dict()
    assert d["micro"] == {
        "precision": 0.5,
        "recall": 1.0,
        "f1": pytest.approx(2 / 3),
        "tp": 1,
        "fp": 1,
        "fn": 0,
        "support": 1,
    }
    assert d["per_type"]["COLOR"]["fp"] == 1
    assert d["n_sequences"] == 1


# --- agreement with seqeval ----------------------------------------------------------------


@st.composite
def valid_tags(draw, length):
    spans, i = [], 0
    while i < length:
        if draw(st.integers(0, 2)) == 0:
            end = draw(st.integers(i + 1, min(length, i + 3)))
            spans.append(Span(draw(st.sampled_from(ENTITY_TYPES)), i, end))
            i = end
        else:
            i += 1
    return spans_to_bio(spans, length)


@st.composite
def gold_and_pred(draw, valid_predictions: bool):
    lengths = draw(st.lists(st.integers(1, 8), min_size=1, max_size=6))
    gold = [draw(valid_tags(n)) for n in lengths]
    if valid_predictions:
        pred = [draw(valid_tags(n)) for n in lengths]
    else:
        pred = [draw(st.lists(st.sampled_from(LABELS), min_size=n, max_size=n)) for n in lengths]
    return gold, pred


def seqeval_report(gold, pred, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return classification_report(gold, pred, output_dict=True, zero_division=0, **kwargs)


def assert_matches_seqeval(ours, theirs):
    entity_types = [k for k in theirs if not k.endswith(" avg")]
    for t in entity_types:
        counts = ours.per_type[t]
        assert counts.precision == pytest.approx(theirs[t]["precision"])
        assert counts.recall == pytest.approx(theirs[t]["recall"])
        assert counts.f1 == pytest.approx(theirs[t]["f1-score"])
        assert counts.support == theirs[t]["support"]
    assert ours.micro.precision == pytest.approx(theirs["micro avg"]["precision"])
    assert ours.micro.recall == pytest.approx(theirs["micro avg"]["recall"])
    assert ours.micro.f1 == pytest.approx(theirs["micro avg"]["f1-score"])
    assert ours.macro_precision == pytest.approx(theirs["macro avg"]["precision"])
    assert ours.macro_recall == pytest.approx(theirs["macro avg"]["recall"])
    assert ours.macro_f1 == pytest.approx(theirs["macro avg"]["f1-score"])


def has_entities(case):
    gold, pred = case
    return any(t != "O" for seq in gold + pred for t in seq)


@settings(max_examples=150, deadline=None)
@given(gold_and_pred(valid_predictions=True).filter(has_entities))
def test_agrees_with_seqeval_strict_iob2_on_valid_predictions(case):
    gold, pred = case
    assert_matches_seqeval(entity_metrics(gold, pred), seqeval_report(gold, pred, mode="strict", scheme=IOB2))


@settings(max_examples=150, deadline=None)
@given(gold_and_pred(valid_predictions=False).filter(has_entities))
def test_raw_predictions_are_scored_as_serving_decodes_them(case):
    gold, pred = case
    ours = entity_metrics(gold, pred)
    repaired = [repair_bio(p) for p in pred]
    if any(t != "O" for seq in gold + repaired for t in seq):
        # Repaired output is valid IOB2, so seqeval's strict mode must agree ...
        assert_matches_seqeval(ours, seqeval_report(gold, repaired, mode="strict", scheme=IOB2))
        # ... and so must seqeval's default mode on the raw, unrepaired tags.
        assert_matches_seqeval(ours, seqeval_report(gold, pred))
