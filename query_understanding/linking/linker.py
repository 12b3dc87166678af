"""Entity linking: each tagged span -> its catalog entry, how it matched, and how sure that is.

One function for serving, evaluation and the CLI (:func:`link_parsed`). A span is tried, in
order of trust, as an exact catalog surface (canonical name, alias, plural or synonym form), in
its loose form (spaces and punctuation ignored: "levis" ~ "levi's"), as the singular or plural
of a surface (TYPE and COLOR), and last as a typo: the rapidfuzz ``ratio`` against every
surface of its type, kept when it reaches the index's calibrated threshold. Fuzzy candidates
within :data:`TIE_MARGIN` points of the best are told apart by the rest of the query: a brand
that sells the query's product type wins, and a type the query's brand sells; then the higher
score, then the entry id (deterministic).

A span that links nowhere comes back with ``canonical: None`` and ``novel: True``: the
catalog team's list of what shoppers ask for that the catalog lacks (dbt mart ``novel_entities``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from query_understanding.linking.index import LinkingIndex, surface_key
from query_understanding.schema import Entity, ParsedQuery

#: Fuzzy candidates this close (rapidfuzz points, 0-100) to the best are ties for the context to break.
TIE_MARGIN = 3.0
#: Spans shorter than this (characters) are never matched fuzzily: "hp" is one edit from "lg".
MIN_FUZZY_CHARS = 4
#: A typo changes a word's length by a letter or two, not by a syllable: "skinny" is no typo of "skinnypop".
MAX_LENGTH_CHANGE = 2
_CANDIDATES = 32


@dataclass(frozen=True, slots=True)
class Link:
    """Where a span links: the entry id (None: nowhere), the method, a score in [0, 1]."""

    entry_id: str | None
    method: str | None
    score: float | None

    @property
    def linked(self) -> bool:
        return self.entry_id is not None


NO_LINK = Link(None, None, None)


def typo_shaped(key: str, surface: str) -> bool:
    """Whether ``key`` could be ``surface`` with a typo: same number of words, one word changed
    by at most two edits (one for words under five letters) and :data:`MAX_LENGTH_CHANGE`
    letters. "american girl" is not "american eagle" misspelt, nor "jean jacket" "rain jacket"."""
    words, target = key.split(), surface.split()
    if len(words) != len(target) or abs(len(key) - len(surface)) > MAX_LENGTH_CHANGE:
        return False
    changed = [(a, b) for a, b in zip(words, target) if a != b]
    if len(changed) > 1:
        return False
    return all(DamerauLevenshtein.distance(a, b) <= (1 if len(b) < 5 else 2) for a, b in changed)


def fuzzy_candidates(
    index: LinkingIndex, entity_type: str, key: str, cutoff: float = 0.0, exclude: str | None = None
) -> list[tuple[str, float]]:
    """``(entry id, score 0-100)`` of typo-shaped surfaces scoring at least ``cutoff``, best
    first, one per entry; ``exclude`` leaves an entry out (calibration's novel names)."""
    choices = index.surfaces.get(entity_type, {})
    if len(key) < MIN_FUZZY_CHARS or not choices:
        return []
    best: dict[str, float] = {}
    for surface, score, _ in process.extract(
        key, choices.keys(), scorer=fuzz.ratio, limit=_CANDIDATES, score_cutoff=cutoff
    ):
        entry_id = choices[surface][0]
        if entry_id != exclude and typo_shaped(key, surface):
            best[entry_id] = max(best.get(entry_id, 0.0), score)
    return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))


def _plural_variants(key: str) -> list[str]:
    """Singular / plural forms of the last word ("boots" -> "boot", "dress" -> "dresses")."""
    head, _, last = key.rpartition(" ")
    prefix = f"{head} " if head else ""
    forms = []
    if last.endswith("ies") and len(last) > 4:
        forms.append(last[:-3] + "y")
    if last.endswith("es") and len(last) > 3:
        forms.append(last[:-2])
    if last.endswith("s") and len(last) > 3:
        forms.append(last[:-1])
    else:
        forms += [last + "s", last + "es"]
    return [prefix + f for f in forms]


def _direct_link(index: LinkingIndex, entity_type: str, key: str) -> Link | None:
    """The catalog surface ``key`` is, up to case, spacing, a possessive or a plural; else None."""
    hit = index.exact(entity_type, key)
    if hit:
        return Link(hit[0], hit[1], 1.0)
    hit = index.loose(entity_type, key)
    if hit:
        return Link(hit[0], hit[1], 0.99)
    if key.endswith(("'s", "’s")):  # "samsung's", "levi's" is a surface itself
        hit = index.exact(entity_type, key[:-2]) or index.loose(entity_type, key[:-2])
        if hit:
            return Link(hit[0], hit[1], 0.99)
    if entity_type in ("TYPE", "COLOR"):
        for variant in _plural_variants(key):
            hit = index.exact(entity_type, variant)
            if hit:
                return Link(hit[0], "plural", 0.98)
    return None


def _typo_candidates(index: LinkingIndex, entity_type: str, key: str) -> list[tuple[str, float]]:
    """Fuzzy candidates at the type's calibrated threshold (none when the type has no threshold)."""
    cutoff = index.fuzzy.get(entity_type)
    return [] if cutoff is None else fuzzy_candidates(index, entity_type, key, cutoff)


def _fuzzy_link(
    index: LinkingIndex, entity_type: str, candidates: list[tuple[str, float]], context: dict[str, str]
) -> Link:
    if not candidates:
        return NO_LINK
    entry_id, score = _resolve(index, entity_type, candidates, context)
    return Link(entry_id, "fuzzy", round(score / 100.0, 4))


def link_span(index: LinkingIndex, entity_type: str, text: str, context: dict[str, str] | None = None) -> Link:
    """Link one span of ``entity_type``; ``context`` maps the other types to their linked ids."""
    key = surface_key(text)
    if not key:
        return NO_LINK
    direct = _direct_link(index, entity_type, key)
    if direct:
        return direct
    return _fuzzy_link(index, entity_type, _typo_candidates(index, entity_type, key), context or {})


def _resolve(
    index: LinkingIndex, entity_type: str, candidates: list[tuple[str, float]], context: dict[str, str]
) -> tuple[str, float]:
    top = candidates[0][1]
    contenders = [(entry_id, score) for entry_id, score in candidates if score >= top - TIE_MARGIN]

    def supported(entry_id: str) -> bool:
        if entity_type == "BRAND" and "TYPE" in context:
            return index.sells(entry_id, context["TYPE"])
        if entity_type == "TYPE" and "BRAND" in context:
            return index.sells(context["BRAND"], entry_id)
        return False

    return min(contenders, key=lambda c: (not supported(c[0]), -c[1], c[0]))


def canonical_entry(index: LinkingIndex, entity_type: str, entry_id: str) -> dict:
    """What a client filters on: ``id`` (the catalog key), ``name``, and the color family or type category."""
    record = index.record(entity_type, entry_id)
    out = {"id": entry_id, "name": record["name"]}
    if entity_type == "COLOR":
        out["family"] = record.get("family")
    elif entity_type == "TYPE":
        out["category"] = record.get("category")
    return out


def link_entities(index: LinkingIndex, entities: Sequence[Entity]) -> list[Entity]:
    """The entities with ``canonical``, ``link_method``, ``link_score`` and ``novel`` set.

    Two passes: direct (non-fuzzy) links first, so that a fuzzy brand can be chosen by the
    query's type (and the reverse); the first directly linked entity of each type is the
    context. Fuzzy candidates are searched once per span, in the first pass."""
    keys = [surface_key(e.text) for e in entities]
    direct = [_direct_link(index, e.type, key) if key else NO_LINK for e, key in zip(entities, keys)]
    context: dict[str, str] = {}
    for entity, link in zip(entities, direct):
        if link and link.linked:
            context.setdefault(entity.type, link.entry_id)
    linked = []
    for entity, key, link in zip(entities, keys, direct):
        if link is None:
            link = _fuzzy_link(index, entity.type, _typo_candidates(index, entity.type, key), context)
        if link.linked:
            canonical = canonical_entry(index, entity.type, link.entry_id)
            linked.append(
                replace(entity, canonical=canonical, link_method=link.method, link_score=link.score, novel=False)
            )
        else:
            linked.append(replace(entity, canonical=None, link_method=None, link_score=None, novel=True))
    return linked


def link_parsed(index: LinkingIndex, parsed: Sequence[ParsedQuery]) -> list[ParsedQuery]:
    """Every parsed query with its entities linked (queries otherwise unchanged)."""
    return [replace(p, entities=link_entities(index, p.entities)) for p in parsed]
