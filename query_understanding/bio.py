"""BIO tags <-> entity spans, with validation that says exactly what is wrong.

Two decoders on purpose: gold data must be *valid* BIO (:func:`validate_bio` raises on an
``I-X`` after ``O`` or after another type), while model output is decoded leniently by
:func:`repair_bio`, which turns such a stray ``I-X`` into ``B-X`` the way seqeval's default mode
reads it. Spans are half-open token ranges ``[start, end)``; :func:`entities_from_tags` turns them
into character spans of the original query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Sequence

from query_understanding.schema import ENTITY_TYPES, Entity
from query_understanding.text import Token, tokenize


class BIOError(ValueError):
    """Tags that are not valid BIO over this project's entity types."""


@dataclass(frozen=True, slots=True)
class Span:
    """Entity ``type`` over tokens ``[start, end)``."""

    type: str
    start: int
    end: int


def _split_tag(tag: str, position: int, entity_types: Collection[str] = ENTITY_TYPES) -> tuple[str, str | None]:
    if tag == "O":
        return "O", None
    prefix, sep, entity_type = tag.partition("-")
    if not sep or prefix not in ("B", "I") or entity_type not in entity_types:
        raise BIOError(
            f"tag {tag!r} at position {position} is not one of O, B-X, I-X with X in {', '.join(entity_types)}"
        )
    return prefix, entity_type


def validate_bio(
    tags: Sequence[str], tokens: Sequence[str] | None = None, entity_types: Collection[str] = ENTITY_TYPES
) -> None:
    """Raise :class:`BIOError` unless ``tags`` is valid BIO (and as long as ``tokens``) over
    ``entity_types`` (the project's by default; a finer source label set when training on one)."""
    if tokens is not None and len(tokens) != len(tags):
        raise BIOError(f"{len(tokens)} tokens but {len(tags)} tags")
    previous: str | None = None  # entity type of the previous tag, None after O
    for i, tag in enumerate(tags):
        prefix, entity_type = _split_tag(tag, i, entity_types)
        if prefix == "I" and previous != entity_type:
            after = "O" if previous is None else f"a {previous} tag"
            if i == 0:
                after = "the start of the query"
            raise BIOError(f"{tag} at position {i} follows {after}; an entity must start with B-")
        previous = entity_type


def repair_bio(tags: Sequence[str]) -> list[str]:
    """Make model output valid BIO: a stray ``I-X`` starts a new entity (becomes ``B-X``)."""
    repaired: list[str] = []
    previous: str | None = None
    for i, tag in enumerate(tags):
        prefix, entity_type = _split_tag(tag, i)
        if prefix == "I" and previous != entity_type:
            tag = f"B-{entity_type}"
        repaired.append(tag)
        previous = entity_type
    return repaired


def bio_to_spans(tags: Sequence[str]) -> list[Span]:
    """Entity spans of valid BIO ``tags`` (call :func:`repair_bio` first on model output)."""
    validate_bio(tags)
    spans: list[Span] = []
    for i, tag in enumerate(tags):
        if tag.startswith("B-"):
            spans.append(Span(tag[2:], i, i + 1))
        elif tag.startswith("I-"):
            last = spans[-1]
            spans[-1] = Span(last.type, last.start, i + 1)
    return spans


def spans_to_bio(spans: Sequence[Span], length: int) -> list[str]:
    """BIO tags of ``length`` tokens for non-overlapping ``spans``."""
    tags = ["O"] * length
    for span in sorted(spans, key=lambda s: s.start):
        if span.type not in ENTITY_TYPES:
            raise BIOError(f"unknown entity type {span.type!r}")
        if not 0 <= span.start < span.end <= length:
            raise BIOError(f"span {span} is outside 0..{length} or empty")
        if any(t != "O" for t in tags[span.start : span.end]):
            raise BIOError(f"span {span} overlaps another span")
        tags[span.start] = f"B-{span.type}"
        for i in range(span.start + 1, span.end):
            tags[i] = f"I-{span.type}"
    return tags


def entities_from_tags(
    query: str,
    tags: Sequence[str],
    tokens: Sequence[Token] | None = None,
    scores: Sequence[float] | None = None,
) -> list[Entity]:
    """Character-offset entities of ``query`` from one tag per whitespace token.

    ``scores`` (one per token, e.g. the model's probability of the chosen tag) are averaged
    over each entity's tokens into its confidence.
    """
    tokens = list(tokens) if tokens is not None else tokenize(query)
    if len(tokens) != len(tags):
        raise BIOError(f"{len(tokens)} tokens but {len(tags)} tags")
    entities = []
    for span in bio_to_spans(repair_bio(tags)):
        start, end = tokens[span.start].start, tokens[span.end - 1].end
        score = None
        if scores is not None:
            window = scores[span.start : span.end]
            score = round(float(sum(window) / len(window)), 4)
        entities.append(Entity(span.type, query[start:end], start, end, score))
    return entities


def entities_to_tags(query: str, entities: Sequence[Entity]) -> list[str]:
    """BIO tags over the whitespace tokens of ``query`` for character-offset ``entities``.

    Each entity must start at a token start and end at a token end; anything else raises
    :class:`BIOError` naming the entity, since silently snapping it would corrupt labels.
    """
    tokens = tokenize(query)
    starts = {t.start: i for i, t in enumerate(tokens)}
    ends = {t.end: i for i, t in enumerate(tokens)}
    spans = []
    for entity in entities:
        if entity.start not in starts or entity.end not in ends:
            raise BIOError(f"entity {entity} does not align with token boundaries of {query!r}")
        spans.append(Span(entity.type, starts[entity.start], ends[entity.end] + 1))
    return spans_to_bio(spans, len(tokens))


def format_tagged(tokens: Sequence[str], tags: Sequence[str]) -> str:
    """Human-readable tagging, e.g. ``[blue](COLOR) [shoes](TYPE) by [prada](BRAND)``."""
    words = list(tokens)
    for span in reversed(bio_to_spans(repair_bio(tags))):
        text = " ".join(words[span.start : span.end])
        words[span.start : span.end] = [f"[{text}]({span.type})"]
    return " ".join(words)
