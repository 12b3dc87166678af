"""Which rows a model learns from: the source mix, the synthetic sample, the finer QueryNER tags.

One definition for the model assets and the experiment harness, so an experiment's ``default``
variant trains on exactly the rows the main job does. Synthetic (weak-label) rows are plentiful
and follow catalog conventions (modifiers inside TYPE) that human QueryNER labels do not, so how
many of them to mix in is a setting; annotated rows always stay in full.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from query_understanding.bio import validate_bio
from query_understanding.example import Example

SOURCES = ("synthetic", "annotated")


@dataclass(frozen=True)
class SourceTagged:
    """A training row tagged in source types (``B-creator``): what the trainers read
    (``tokens``, ``tags``), not an :class:`Example`, whose tags are project labels only."""

    tokens: list[str]
    tags: list[str]
    id: str | None = None
    source: str | None = None
    entity_types: frozenset[str] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        validate_bio(self.tags, self.tokens, self.entity_types or {t[2:] for t in self.tags if t != "O"})


def select_rows(examples: Iterable[Example], sources: Sequence[str], max_synthetic: int | None = None) -> list[Example]:
    """Annotated rows (if chosen), then the first ``max_synthetic`` synthetic rows by query id.

    Sorting synthetic rows by id makes the sample deterministic: the same data version and
    setting always give the same rows. ``None`` keeps every synthetic row.
    """
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown:
        raise ValueError(f"unknown train sources {unknown}; choose from {SOURCES}")
    examples = list(examples)
    rows = [e for e in examples if e.source == "annotated"] if "annotated" in sources else []
    if "synthetic" in sources:
        synthetic = sorted((e for e in examples if e.source == "synthetic"), key=lambda e: e.id or "")
        rows += synthetic if max_synthetic is None else synthetic[:max_synthetic]
    return rows


def with_source_tags(
    rows: Sequence[Example], source_tags: Mapping[str, SourceTagged], expand: Mapping[str, str]
) -> list[SourceTagged]:
    """``rows`` relabelled with finer source types where known, for a model that collapses them.

    An annotated row takes the tags of the ``source_tags`` row with the same id (QueryNER's
    17-type file; its tokens must match). Any other row (synthetic) keeps its project tags,
    renamed through ``expand`` (project type -> source type, e.g. ``BRAND -> creator``), so every
    training row speaks the same label set.
    """
    out = []
    for row in rows:
        full = source_tags.get(row.id or "") if row.source == "annotated" else None
        if full is not None:
            if full.tokens != row.tokens:
                raise ValueError(f"row {row.id}: the 17-type file has other tokens ({full.tokens} != {row.tokens})")
            out.append(SourceTagged(list(full.tokens), list(full.tags), row.id, row.source))
        elif row.source == "annotated":
            raise ValueError(f"annotated row {row.id!r} has no row in the source-tag file")
        else:
            tags = [t if t == "O" else f"{t[:2]}{expand[t[2:]]}" for t in row.tags]
            out.append(SourceTagged(list(row.tokens), tags, row.id, row.source))
    return out
