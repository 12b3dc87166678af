"""Slices: which examples belong where, and metrics computed over members only."""

from __future__ import annotations

import pytest

from query_understanding.evaluation.slices import (
    length_bucket,
    slice_membership,
    slice_metrics,
    slice_names,
)
from query_understanding.example import Example


def ex(text: str, tags: str, **kwargs) -> Example:
    return Example(text.split(), tags.split(), **kwargs)


NIKE = ex("nike shoes", "B-BRAND B-TYPE")
TNF = ex("the north face jacket", "B-BRAND I-BRAND I-BRAND B-TYPE")
NO_BRAND = ex("red running shoes for men", "B-COLOR B-TYPE I-TYPE O O")


@pytest.mark.parametrize("n, bucket", [(1, "1-2"), (2, "1-2"), (3, "3-4"), (4, "3-4"), (5, "5+"), (12, "5+")])
def test_length_buckets(n, bucket):
    assert length_bucket(n) == bucket


def test_unseen_brand_is_computed_from_training_brands_when_there_is_no_flag():
    assert "brand=seen" in slice_names(NIKE, {"nike"})
    assert "brand=unseen" in slice_names(TNF, {"nike"})


def test_the_has_unseen_brand_flag_wins_over_the_training_brand_list():
    flagged = ex("nike shoes", "B-BRAND B-TYPE", flags={"has_unseen_brand": True})
    assert "brand=unseen" in slice_names(flagged, {"nike"})


def test_brand_slices_need_a_gold_brand_and_a_source_of_truth():
    assert not any(n.startswith("brand=") for n in slice_names(NO_BRAND, {"nike"}))
    assert not any(n.startswith("brand=") for n in slice_names(NIKE, None))


def test_training_brands_are_compared_in_normalized_form():
    upper = ex("The North Face jacket", "B-BRAND I-BRAND I-BRAND B-TYPE")
    members = slice_membership([upper], train_brands=["the  NORTH face"])
    assert members["brand=seen"] == [0]


def test_typo_slices_come_only_from_the_flag():
    assert "typo" in slice_names(ex("nkie shoes", "B-BRAND B-TYPE", flags={"has_typo": True}))
    assert "no_typo" in slice_names(ex("nike shoes", "B-BRAND B-TYPE", flags={"has_typo": False}))
    assert not {"typo", "no_typo"} & set(slice_names(NIKE))


def test_casing_variant_is_computed_when_not_flagged():
    assert "casing_variant" in slice_names(ex("Nike shoes", "B-BRAND B-TYPE"))
    assert "casing_variant" not in slice_names(NIKE)
    flagged = ex("Nike shoes", "B-BRAND B-TYPE", flags={"has_casing_variant": False})
    assert "casing_variant" not in slice_names(flagged)


def test_multiword_entity_is_computed_from_gold_spans():
    assert "multiword_entity" in slice_names(TNF)
    assert "multiword_entity" in slice_names(NO_BRAND)
    assert "multiword_entity" not in slice_names(NIKE)


def test_source_slice():
    assert "source=synthetic" in slice_names(ex("nike", "B-BRAND", source="synthetic"))
    assert not any(n.startswith("source=") for n in slice_names(NIKE))


def test_membership_lists_indices_per_slice():
    members = slice_membership([NIKE, TNF, NO_BRAND], train_brands=["nike"])
    assert members["brand=seen"] == [0]
    assert members["brand=unseen"] == [1]
    assert members["multiword_entity"] == [1, 2]
    assert members["len=1-2"] == [0]
    assert members["len=3-4"] == [1]
    assert members["len=5+"] == [2]


def test_slice_metrics_only_count_the_slice_members():
    examples = [NIKE, TNF]
    predictions = [NIKE.tags, ["O", "O", "O", "B-TYPE"]]  # right on NIKE, brand missed on TNF
    results = slice_metrics(examples, predictions, train_brands=["nike"])
    assert results["brand=seen"].n == 1
    assert results["brand=seen"].metrics.micro.f1 == 1.0
    unseen = results["brand=unseen"].metrics
    assert unseen.per_type["BRAND"].fn == 1 and unseen.per_type["TYPE"].tp == 1
    assert results["brand=unseen"].to_dict()["n"] == 1


def test_slice_metrics_rejects_misaligned_predictions():
    with pytest.raises(ValueError, match="2 examples but 1 predictions"):
        slice_metrics([NIKE, TNF], [NIKE.tags])
