"""Decoding word probabilities into project BIO tags: label collapse and BIO-constrained Viterbi."""

from __future__ import annotations

import numpy as np
import pytest

from query_understanding.bio import validate_bio
from query_understanding.schema import LABELS
from query_understanding.transformer.decoding import (
    QUERYNER_COLLAPSE,
    DecoderSettings,
    LabelSpace,
    collapse_label,
    decode_word_probs,
    viterbi,
)

PROJECT = LabelSpace(dict(enumerate(LABELS)))


def probs(*rows: dict[str, float]) -> np.ndarray:
    """Rows of probabilities over LABELS from ``{label: p}`` (the rest spread evenly)."""
    out = []
    for row in rows:
        rest = (1.0 - sum(row.values())) / (len(LABELS) - len(row))
        out.append([row.get(label, rest) for label in LABELS])
    return np.array(out)


def test_argmax_may_start_an_entity_with_i_but_viterbi_never_does():
    p = probs({"O": 0.5, "I-TYPE": 0.45}, {"I-TYPE": 0.9})
    argmax_tags, _ = decode_word_probs(p, PROJECT, "argmax")
    viterbi_tags, _ = decode_word_probs(p, PROJECT, "viterbi")
    assert argmax_tags == ["O", "I-TYPE"]
    assert viterbi_tags == ["B-TYPE", "I-TYPE"]


def test_viterbi_does_not_continue_a_different_type():
    p = probs({"B-BRAND": 0.9}, {"I-COLOR": 0.6, "B-COLOR": 0.3})
    tags, _ = decode_word_probs(p, PROJECT, "viterbi")
    assert tags == ["B-BRAND", "B-COLOR"]


def test_viterbi_equals_argmax_when_argmax_is_already_valid():
    p = probs({"B-BRAND": 0.7}, {"I-BRAND": 0.6}, {"O": 0.8}, {"B-TYPE": 0.9})
    assert decode_word_probs(p, PROJECT, "viterbi") == decode_word_probs(p, PROJECT, "argmax")


def test_viterbi_output_is_always_valid_bio():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 8))
        p = rng.dirichlet(np.ones(len(LABELS)) * 0.3, size=n)
        tags = [LABELS[i] for i in viterbi(p)]
        validate_bio(tags, ["w"] * n)


def test_collapse_maps_queryner_types_and_drops_the_rest():
    assert collapse_label("B-creator", QUERYNER_COLLAPSE) == "B-BRAND"
    assert collapse_label("I-core_product_type", QUERYNER_COLLAPSE) == "I-TYPE"
    assert collapse_label("B-modifier", QUERYNER_COLLAPSE) == "O"
    assert collapse_label("O", QUERYNER_COLLAPSE) == "O"


def test_collapsed_probabilities_are_summed_onto_project_labels():
    model_labels = ["O", "B-creator", "I-creator", "B-modifier", "I-modifier"]
    space = LabelSpace(dict(enumerate(model_labels)), QUERYNER_COLLAPSE)
    # O alone (0.4) loses to B-creator (0.45), but O + modifier mass (0.55) wins.
    tags, scores = decode_word_probs(np.array([[0.4, 0.45, 0.0, 0.15, 0.0]]), space)
    assert tags == ["O"] and scores == pytest.approx([0.55])


def test_labels_outside_the_project_set_are_refused_without_a_collapse():
    with pytest.raises(ValueError, match="project's label set"):
        LabelSpace({0: "O", 1: "B-creator", 2: "I-creator"})


def test_settings_round_trip_and_default_for_old_folders(tmp_path):
    assert DecoderSettings.load(tmp_path) == DecoderSettings()
    settings = DecoderSettings("viterbi", dict(QUERYNER_COLLAPSE))
    settings.save(tmp_path)
    assert DecoderSettings.load(tmp_path) == settings
    with pytest.raises(ValueError, match="decoding"):
        DecoderSettings("beam")
