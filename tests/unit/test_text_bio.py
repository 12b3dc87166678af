"""Specification of tokenization, normalization and BIO <-> span <-> entity conversion."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from query_understanding.bio import (
    BIOError,
    Span,
    bio_to_spans,
    entities_from_tags,
    entities_to_tags,
    repair_bio,
    spans_to_bio,
    validate_bio,
)
from query_understanding.schema import ENTITY_TYPES, LABELS, Entity
from query_understanding.text import (
    MAX_QUERY_CHARS,
    QueryError,
    normalize_query,
    tokenize,
    validate_query,
)

# --- strategies --------------------------------------------------------------------------

words = st.text(alphabet=st.characters(blacklist_categories=("Z", "C")), min_size=1, max_size=8)
separators = st.sampled_from([" ", "  ", "\t", " \n "])


def spans_and_length_of(length: int):
    """Non-overlapping spans (up to 3 tokens each) over ``length`` tokens."""

    @st.composite
    def build(draw):
        spans, i = [], 0
        while i < length:
            if draw(st.booleans()):
                end = draw(st.integers(i + 1, min(length, i + 3)))
                spans.append(Span(draw(st.sampled_from(ENTITY_TYPES)), i, end))
                i = end
            else:
                i += 1
        return spans

    return build()


def spans_and_length():
    return st.integers(0, 12).flatmap(lambda n: spans_and_length_of(n).map(lambda s: (s, n)))


def valid_bio(length: int):
    return spans_and_length_of(length).map(lambda spans: spans_to_bio(spans, length))


@st.composite
def query_and_tags(draw):
    """A query with irregular whitespace and valid BIO tags over its tokens."""
    tokens = draw(st.lists(words, min_size=1, max_size=8))
    seps = draw(st.lists(separators, min_size=len(tokens) + 1, max_size=len(tokens) + 1))
    query = seps[0] + "".join(t + s for t, s in zip(tokens, seps[1:]))
    tags = draw(valid_bio(len(tokens)))
    return query, tokens, tags


# --- text ----------------------------------------------------------------------------------


def test_tokenize_keeps_offsets_and_casing_of_the_original_query():
    tokens = tokenize("  Nike AIR  max ")
    assert [(t.text, t.start, t.end) for t in tokens] == [
        ("Nike", 2, 6),
        ("AIR", 7, 10),
        ("max", 12, 15),
    ]


def test_tokenize_splits_on_whitespace_only():
    assert [t.text for t in tokenize("men's 3/4 t-shirt")] == ["men's", "3/4", "t-shirt"]


@given(st.text(max_size=40))
def test_every_token_is_the_slice_of_the_query_at_its_offsets(query):
    tokens = tokenize(query)
    assert [t.text for t in tokens] == query.split()
    assert all(query[t.start : t.end] == t.text for t in tokens)


@given(st.text(max_size=40))
def test_normalize_query_is_idempotent_and_ignores_case_and_spacing(query):
    norm = normalize_query(query)
    assert normalize_query(norm) == norm
    assert normalize_query("  " + query.upper().replace(" ", "   ")) == normalize_query(query.upper())


def test_normalize_query_lowercases_and_single_spaces():
    assert normalize_query("  The  NORTH\tFace ") == "the north face"


@pytest.mark.parametrize(
    "bad, reason",
    [("", "empty"), ("   ", "empty"), ("x" * (MAX_QUERY_CHARS + 1), "limit"), (42, "string")],
)
def test_validate_query_rejects_bad_input_with_a_reason(bad, reason):
    with pytest.raises(QueryError, match=reason):
        validate_query(bad)


def test_validate_query_returns_good_input_unchanged():
    assert validate_query(" red shoes ") == " red shoes "


# --- BIO <-> spans -------------------------------------------------------------------------


def test_bio_to_spans_reads_multi_token_entities():
    tags = ["B-BRAND", "I-BRAND", "I-BRAND", "B-COLOR", "O", "B-TYPE", "B-TYPE"]
    assert bio_to_spans(tags) == [
        Span("BRAND", 0, 3),
        Span("COLOR", 3, 4),
        Span("TYPE", 5, 6),
        Span("TYPE", 6, 7),
    ]


@given(spans_and_length())
def test_spans_to_bio_and_back_is_the_identity(spans_length):
    spans, length = spans_length
    tags = spans_to_bio(spans, length)
    assert len(tags) == length
    assert bio_to_spans(tags) == spans


@given(st.integers(0, 10).flatmap(valid_bio))
def test_valid_bio_to_spans_and_back_is_the_identity(tags):
    assert spans_to_bio(bio_to_spans(tags), len(tags)) == tags


@given(st.lists(st.sampled_from(LABELS), max_size=10))
def test_repair_bio_makes_any_tag_sequence_valid_and_is_idempotent(tags):
    repaired = repair_bio(tags)
    validate_bio(repaired)
    assert repair_bio(repaired) == repaired
    assert [t.split("-")[-1] for t in repaired] == [t.split("-")[-1] for t in tags]


@given(st.integers(0, 10).flatmap(valid_bio))
def test_repair_bio_leaves_valid_tags_unchanged(tags):
    assert repair_bio(tags) == tags


def test_repair_bio_turns_a_stray_inside_tag_into_a_beginning():
    repaired = repair_bio(["O", "I-TYPE", "B-BRAND", "I-COLOR"])
    assert repaired == ["O", "B-TYPE", "B-BRAND", "B-COLOR"]


@pytest.mark.parametrize(
    "tags, message",
    [
        (["I-TYPE"], "I-TYPE at position 0 follows the start of the query"),
        (["O", "I-TYPE"], "I-TYPE at position 1 follows O"),
        (["B-BRAND", "I-TYPE"], "follows a BRAND tag"),
        (["B-SIZE"], "'B-SIZE' at position 0 is not one of"),
        (["b-TYPE"], "is not one of"),
        (["TYPE"], "is not one of"),
    ],
)
def test_validate_bio_says_what_is_wrong_and_where(tags, message):
    with pytest.raises(BIOError, match=message):
        validate_bio(tags)


def test_validate_bio_checks_length_against_tokens():
    with pytest.raises(BIOError, match="2 tokens but 1 tags"):
        validate_bio(["O"], ["a", "b"])


@pytest.mark.parametrize(
    "spans, message",
    [
        ([Span("TYPE", 0, 2), Span("BRAND", 1, 3)], "overlaps"),
        ([Span("TYPE", 2, 4)], "outside"),
        ([Span("TYPE", 1, 1)], "empty"),
        ([Span("SIZE", 0, 1)], "unknown entity type"),
    ],
)
def test_spans_to_bio_rejects_invalid_spans(spans, message):
    with pytest.raises(BIOError, match=message):
        spans_to_bio(spans, 3)


# --- entities with character offsets -------------------------------------------------------


def test_entities_from_tags_point_into_the_original_query():
    query = "  Blue  shoes by The North Face"
    tags = ["B-COLOR", "B-TYPE", "O", "B-BRAND", "I-BRAND", "I-BRAND"]
    entities = entities_from_tags(query, tags)
    assert [(e.type, e.text, e.start, e.end) for e in entities] == [
        ("COLOR", "Blue", 2, 6),
        ("TYPE", "shoes", 8, 13),
        ("BRAND", "The North Face", 17, 31),
    ]


def test_entity_score_is_the_mean_of_its_token_scores():
    entities = entities_from_tags("the north face", ["B-BRAND", "I-BRAND", "I-BRAND"], scores=[0.9, 0.6, 0.3])
    assert entities[0].score == pytest.approx(0.6)


def test_entities_from_tags_repairs_model_output():
    entities = entities_from_tags("red shoes", ["O", "I-TYPE"])
    assert [(e.type, e.text) for e in entities] == [("TYPE", "shoes")]


@settings(max_examples=200)
@given(query_and_tags())
def test_tags_to_entities_and_back_is_the_identity(case):
    query, tokens, tags = case
    entities = entities_from_tags(query, tags)
    for entity in entities:
        assert query[entity.start : entity.end] == entity.text
    joined = [" ".join(tokens[s.start : s.end]) for s in bio_to_spans(tags)]
    assert [" ".join(e.text.split()) for e in entities] == joined
    assert entities_to_tags(query, entities) == tags


def test_entities_to_tags_rejects_an_entity_inside_a_token():
    with pytest.raises(BIOError, match="does not align"):
        entities_to_tags("running shoes", [Entity("TYPE", "shoe", 8, 12)])


def test_entities_from_tags_rejects_a_length_mismatch():
    with pytest.raises(BIOError, match="2 tokens but 1 tags"):
        entities_from_tags("red shoes", ["O"])
