"""How well linking works where the truth is known: synthetic noise, and hand-labelled real spans.

**Synthetic** (:func:`synthetic_linking_report`): products from the synthesizer's product
universe, each entity written the way shoppers write it, one noise kind at a time: ``clean``
(the canonical name), ``alias`` and ``misspelling`` (a catalog alias of that kind), ``typo``
(one random typo), ``plural`` / ``synonym`` (a product-type surface form) and ``novel``: a
brand or type left out of the index (10% of them, by hash), whose right answer is "no link".
The index is built and calibrated without the held-out entries, exactly as the pipeline builds
it, so the novel rows measure false links honestly. Every entity is linked with the others of
its product as context, as in a real query.

**Real** (:func:`fixture_linking_report`): gold spans of real queries with the catalog entry a
person chose (or "not in catalog"), e.g. ``tests/fixtures/linking/queryner_dev_links.jsonl``.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from query_understanding.catalog import Catalog
from query_understanding.linking.calibration import calibrate
from query_understanding.linking.index import LinkingIndex
from query_understanding.linking.linker import link_entities
from query_understanding.schema import Entity
from query_understanding.synth.noise import typo
from query_understanding.synth.products import build_products

HOLDOUT_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class Case:
    """One entity to link: its type, how it is written, the noise kind and the right entry (None: novel)."""

    entity_type: str
    text: str
    noise: str
    truth: str | None


@dataclass(frozen=True, slots=True)
class LinkingScore:
    """Precision (right links / links made) and recall (right links / linkable cases) of one cell."""

    entity_type: str
    noise: str
    n: int
    n_linked: int
    n_correct: int

    @property
    def precision(self) -> float:
        return self.n_correct / self.n_linked if self.n_linked else 1.0

    @property
    def recall(self) -> float | None:
        """None for the ``novel`` cell, where nothing is linkable (its precision says it all)."""
        linkable = self.n if self.noise != "novel" else 0
        return self.n_correct / linkable if linkable else None

    def to_dict(self) -> dict:
        return {
            "type": self.entity_type,
            "noise": self.noise,
            "n": self.n,
            "linked": self.n_linked,
            "correct": self.n_correct,
            "precision": round(self.precision, 4),
            "recall": None if self.recall is None else round(self.recall, 4),
        }


def _held_out(key: str) -> bool:
    return int(hashlib.md5(key.encode()).hexdigest()[:8], 16) % 1000 < HOLDOUT_SHARE * 1000


def _without_holdout(catalog: Catalog) -> Catalog:
    brands = tuple(b for b in catalog.brands if not _held_out(b.brand))
    types = tuple(t for t in catalog.product_types if not _held_out(t.product_type))
    return Catalog(brands=brands, colors=catalog.colors, product_types=types)


def _brand_cases(catalog: Catalog, brand: str, rng: random.Random) -> list[Case]:
    if _held_out(brand):
        return [Case("BRAND", catalog.brand(brand).display_name, "novel", None)]
    aliases = catalog.brand(brand).aliases
    cases = [Case("BRAND", rng.choice([brand, catalog.brand(brand).display_name]), "clean", brand)]
    for kind in ("alias", "misspelling"):
        pool = [a for a, k in aliases if k == kind]
        if pool:
            cases.append(Case("BRAND", rng.choice(pool), kind, brand))
    cases += _typo_case("BRAND", brand, rng)
    return cases


def _type_cases(catalog: Catalog, product_type: str, rng: random.Random) -> list[Case]:
    if _held_out(product_type):
        return [Case("TYPE", product_type, "novel", None)]
    cases = [Case("TYPE", product_type, "clean", product_type)]
    forms = catalog.product_type(product_type).surfaces
    for kind, wanted in (("plural", ("plural", "singular")), ("synonym", ("synonym",))):
        pool = [s for s, form in forms if form in wanted]
        if pool:
            cases.append(Case("TYPE", rng.choice(pool), kind, product_type))
    cases += _typo_case("TYPE", product_type, rng)
    return cases


def _typo_case(entity_type: str, key: str, rng: random.Random) -> list[Case]:
    words = key.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return []
    i = rng.choice(candidates)
    words[i] = typo(words[i], rng)
    return [Case(entity_type, " ".join(words), "typo", key)]


def synthetic_cases(catalog: Catalog, n_products: int = 1500, seed: int = 0) -> list[list[Case]]:
    """Per product, the cases of its entities (every noise kind that applies)."""
    rng = random.Random(seed)
    out = []
    for product in build_products(catalog, rng, n_products):
        cases = _brand_cases(catalog, product.brand, rng) + _type_cases(catalog, product.product_type, rng)
        if product.color:
            cases.append(Case("COLOR", product.color, "clean", product.color))
            cases += _typo_case("COLOR", product.color, rng)
        out.append(cases)
    return out


def score_cases(index: LinkingIndex, groups: list[list[Case]]) -> list[LinkingScore]:
    """Link each product's cases together (one query each: clean context first) and score them."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for cases in groups:
        # a query holds one entity per type: pair every noisy case with the clean others
        clean = {c.entity_type: c for c in cases if c.noise in ("clean", "novel")}
        for case in cases:
            others = [c for t, c in clean.items() if t != case.entity_type]
            entities = [Entity(c.entity_type, c.text, 0, len(c.text)) for c in [case, *others]]
            linked = link_entities(index, entities)[0]
            cell = counts[(case.entity_type, case.noise)]
            entry = linked.canonical["id"] if linked.canonical else None
            cell[0] += 1
            cell[1] += entry is not None
            cell[2] += entry is not None and entry == case.truth
    return [LinkingScore(t, noise, *counts[(t, noise)]) for t, noise in sorted(counts)]


def synthetic_linking_report(catalog: Catalog, n_products: int = 1500, seed: int = 0) -> list[LinkingScore]:
    """Per entity type and noise kind, precision and recall of the canonical id (see module doc)."""
    index, _ = calibrate(LinkingIndex.from_catalog(_without_holdout(catalog)), seed=seed)
    return score_cases(index, synthetic_cases(catalog, n_products, seed))


@dataclass(frozen=True)
class FixtureReport:
    """Link precision on hand-labelled spans and the share of spans the catalog covers."""

    per_type: dict[str, dict]
    errors: list[dict]

    def to_dict(self) -> dict:
        return {"per_type": self.per_type, "errors": self.errors}


def fixture_linking_report(index: LinkingIndex, fixture: str | Path) -> FixtureReport:
    """Link every labelled span (with the other labelled spans of its query as context) and
    compare with the label: precision of links made, recall on covered spans, coverage."""
    rows = [json.loads(line) for line in Path(fixture).read_text(encoding="utf-8").splitlines() if line.strip()]
    by_query: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_query[row["id"]].append(row)
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # n, covered, linked, correct
    errors = []
    for spans in by_query.values():
        entities = [Entity(r["type"], r["span"], 0, len(r["span"])) for r in spans]
        for row, entity in zip(spans, link_entities(index, entities)):
            got = entity.canonical["id"] if entity.canonical else None
            cell = stats[row["type"]]
            cell[0] += 1
            cell[1] += row["canonical"] is not None
            cell[2] += got is not None
            cell[3] += got is not None and got == row["canonical"]
            if got != row["canonical"]:
                errors.append({**row, "linked": got, "method": entity.link_method})
    per_type = {}
    for entity_type, (n, covered, linked, correct) in sorted(stats.items()):
        per_type[entity_type] = {
            "n": n,
            "coverage": round(covered / n, 4),
            "precision": round(correct / linked, 4) if linked else None,
            "recall": round(correct / covered, 4) if covered else None,
            "linked": linked,
            "correct": correct,
        }
    return FixtureReport(per_type, errors)
