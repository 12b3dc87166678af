"""The blend of CRF marginals and transformer probabilities (query_understanding.blending)."""

from __future__ import annotations

import numpy as np
import pytest

from query_understanding.blending import best_weight, blend_counts, blend_tags
from query_understanding.schema import LABELS
from query_understanding.transformer.decoding import viterbi


def one_hot_ish(tags: list[str], sure: float) -> np.ndarray:
    """Probabilities that put ``sure`` on each tag and spread the rest evenly."""
    probs = np.full((len(tags), len(LABELS)), (1.0 - sure) / (len(LABELS) - 1))
    for i, tag in enumerate(tags):
        probs[i, LABELS.index(tag)] = sure
    return probs


def test_a_weight_of_one_is_the_transformer_and_zero_the_crf():
    crf = one_hot_ish(["B-BRAND", "O", "B-TYPE"], 0.8)
    transformer = one_hot_ish(["B-COLOR", "O", "B-TYPE"], 0.7)
    assert blend_tags(crf, transformer, 1.0) == [LABELS[i] for i in viterbi(transformer)]
    assert blend_tags(crf, transformer, 0.0) == ["B-BRAND", "O", "B-TYPE"]


def test_the_more_confident_model_wins_a_disagreement_at_equal_weight():
    crf = one_hot_ish(["B-BRAND", "B-TYPE"], 0.9)
    transformer = one_hot_ish(["B-COLOR", "B-TYPE"], 0.5)
    assert blend_tags(crf, transformer, 0.5) == ["B-BRAND", "B-TYPE"]
    assert blend_tags(crf, transformer, 0.9) == ["B-COLOR", "B-TYPE"]


def test_the_blend_is_decoded_as_valid_bio():
    crf = one_hot_ish(["O", "I-BRAND"], 0.9)  # an I- without its B-: not a valid path
    tags = blend_tags(crf, crf, 0.5)
    assert tags[1] != "I-BRAND" or tags[0] in ("B-BRAND", "I-BRAND")


def test_bad_shapes_and_weights_are_refused():
    with pytest.raises(ValueError, match="shapes"):
        blend_tags(one_hot_ish(["O"], 0.9), one_hot_ish(["O", "O"], 0.9), 0.5)
    with pytest.raises(ValueError, match="weight"):
        blend_tags(one_hot_ish(["O"], 0.9), one_hot_ish(["O"], 0.9), 1.5)


def test_best_weight_finds_the_side_that_is_right():
    gold = [["B-BRAND", "B-TYPE"], ["B-COLOR", "B-TYPE"]]
    crf = [one_hot_ish(["B-BRAND", "B-TYPE"], 0.9), one_hot_ish(["B-BRAND", "B-TYPE"], 0.9)]
    transformer = [one_hot_ish(["B-COLOR", "B-TYPE"], 0.6), one_hot_ish(["B-COLOR", "B-TYPE"], 0.6)]
    weight, f1 = best_weight(gold, crf, transformer, [0.0, 0.5, 1.0])
    assert f1 == blend_counts(gold, crf, transformer, weight).f1
    assert f1 == pytest.approx(0.75) and weight in (0.0, 1.0)  # each side gets 3 of 4 entities
    assert weight == 1.0  # a tie goes to the transformer


def test_crf_marginals_cover_every_label_and_match_its_scores(tiny_crf):
    lists = [["nike", "red", "shoes"], ["blue", "dress"], []]
    probs = tiny_crf.predict_label_probs(lists)
    decoded = tiny_crf.predict_tags_with_scores(lists)
    assert [p.shape for p in probs] == [(3, len(LABELS)), (2, len(LABELS)), (0, len(LABELS))]
    for p, (tags, scores) in zip(probs, decoded):
        assert p.sum(axis=1) == pytest.approx([1.0] * len(p), abs=1e-6)
        assert [p[t, LABELS.index(tag)] for t, tag in enumerate(tags)] == pytest.approx(scores, abs=1e-6)
