"""Behavioral tests of a tagger (in the spirit of CheckList / RecList).

Held-out F1 says how often a model is right on data like its training data; these tests ask
whether it behaves sensibly under changes a shopper makes all the time:

* **invariance**: uppercasing the query, or appending a filler such as "cheap" or "for men",
  must not change the predicted entities (types, token positions and - case-insensitively -
  texts). Compared prediction against prediction, so gold labels are not needed.
* **brand swap**: every gold BRAND span replaced by a brand the model never saw must still be
  predicted as exactly one BRAND over the new tokens - does the model read context, or only
  memorize brand names?

Each test reports its failure rate over the examples it applies to and a few failing examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from query_understanding.bio import Span, bio_to_spans, repair_bio, spans_to_bio
from query_understanding.example import Example
from query_understanding.tagger import Tagger

#: Filler words appended at the end of a query by the default invariance tests.
DEFAULT_FILLERS: tuple[str, ...] = ("cheap", "for men")


@dataclass(slots=True)
class BehavioralResult:
    """Outcome of one behavioral test: ``n`` cases, ``n_failed`` of them failing."""

    name: str
    n: int
    n_failed: int
    failures: list[dict] = field(default_factory=list)

    @property
    def failure_rate(self) -> float:
        return self.n_failed / self.n if self.n else 0.0

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "n": self.n,
            "n_failed": self.n_failed,
            "failure_rate": self.failure_rate,
            "failures": list(self.failures),
        }


def _entities(tokens: Sequence[str], tags: Sequence[str]) -> list[tuple[str, int, int, str]]:
    """(type, start, end, lowercased text) of each entity: casing-insensitive comparison key."""
    return [(s.type, s.start, s.end, " ".join(tokens[s.start : s.end]).lower()) for s in bio_to_spans(repair_bio(tags))]


def invariance_test(
    tagger: Tagger,
    examples: Sequence[Example],
    name: str,
    perturb: Callable[[list[str]], list[str]],
    max_failures: int = 10,
) -> BehavioralResult:
    """Predicted entities on ``perturb(tokens)`` must equal those on the original tokens.

    ``perturb`` may change token casing or append tokens, but must keep the original tokens at
    their positions, so entities are comparable by position and lowercased text.
    """
    originals = [list(e.tokens) for e in examples if e.tokens]
    perturbed = [perturb(tokens) for tokens in originals]
    before = tagger.predict_tags(originals)
    after = tagger.predict_tags(perturbed)
    failures, n_failed = [], 0
    for tokens, new_tokens, tags, new_tags in zip(originals, perturbed, before, after):
        expected, got = _entities(tokens, tags), _entities(new_tokens, new_tags)
        if expected != got:
            n_failed += 1
            if len(failures) < max_failures:
                failures.append(
                    {
                        "tokens": tokens,
                        "perturbed": new_tokens,
                        "expected": [list(e) for e in expected],
                        "got": [list(e) for e in got],
                    }
                )
    return BehavioralResult(name, len(originals), n_failed, failures)


def uppercase_invariance(tagger: Tagger, examples: Sequence[Example], **kw) -> BehavioralResult:
    """Uppercasing the whole query must not change the entities."""
    return invariance_test(tagger, examples, "inv_uppercase", lambda toks: [t.upper() for t in toks], **kw)


def filler_invariance(tagger: Tagger, examples: Sequence[Example], filler: str, **kw) -> BehavioralResult:
    """Appending ``filler`` (e.g. "cheap", "for men") must not change or add entities."""
    extra = filler.split()
    name = "inv_filler_" + "_".join(extra)
    return invariance_test(tagger, examples, name, lambda toks: toks + extra, **kw)


def swap_brands(example: Example, brands: Sequence[str], offset: int = 0) -> Example | None:
    """``example`` with each gold BRAND span replaced by ``brands[(offset + k) % len]``.

    Multi-word brands become several tokens; gold tags are rebuilt so that the new example is
    fully labeled. Returns None when the example has no BRAND (the test does not apply).
    """
    spans = example.spans()
    if not brands or not any(s.type == "BRAND" for s in spans):
        return None
    tokens: list[str] = []
    new_spans: list[Span] = []
    cursor, k = 0, 0
    for span in spans:
        tokens.extend(example.tokens[cursor : span.start])
        if span.type == "BRAND":
            replacement = brands[(offset + k) % len(brands)].split()
            k += 1
        else:
            replacement = example.tokens[span.start : span.end]
        new_spans.append(Span(span.type, len(tokens), len(tokens) + len(replacement)))
        tokens.extend(replacement)
        cursor = span.end
    tokens.extend(example.tokens[cursor:])
    tags = spans_to_bio(new_spans, len(tokens))
    return Example(tokens, tags, flags=dict(example.flags), source=example.source, id=example.id)


def brand_swap_test(
    tagger: Tagger,
    examples: Sequence[Example],
    unseen_brands: Sequence[str],
    max_failures: int = 10,
) -> BehavioralResult:
    """Swap in unseen brands; each new BRAND span must be predicted exactly as BRAND.

    Brands are assigned round-robin over ``unseen_brands`` so the result is deterministic.
    """
    swapped: list[Example] = []
    for example in examples:
        new = swap_brands(example, unseen_brands, offset=len(swapped))
        if new is not None:
            swapped.append(new)
    predictions = tagger.predict_tags([e.tokens for e in swapped])
    failures, n_failed = [], 0
    for example, tags in zip(swapped, predictions):
        predicted = set(bio_to_spans(repair_bio(tags)))
        missed = [s for s in example.spans() if s.type == "BRAND" and s not in predicted]
        if missed:
            n_failed += 1
            if len(failures) < max_failures:
                failures.append(
                    {
                        "tokens": example.tokens,
                        "expected_brands": [" ".join(example.tokens[s.start : s.end]) for s in missed],
                        "predicted_tags": list(tags),
                    }
                )
    return BehavioralResult("brand_swap_unseen", len(swapped), n_failed, failures)


def unseen_brand_pool(catalog_brands: Iterable[str], train: Iterable[Example], limit: int = 50) -> list[str]:
    """Catalog brands (single words) that never appear as a BRAND in ``train``: the brand-swap pool."""
    seen = {text.lower() for e in train for kind, text in e.entity_texts() if kind == "BRAND"}
    return [b for b in sorted(catalog_brands) if b not in seen and " " not in b][:limit]


def run_behavioral(
    tagger: Tagger,
    examples: Sequence[Example],
    unseen_brands: Sequence[str] | None = None,
    fillers: Sequence[str] = DEFAULT_FILLERS,
    max_failures: int = 10,
) -> list[BehavioralResult]:
    """The default behavioral suite: uppercase + filler invariance, and brand swap if brands."""
    results = [uppercase_invariance(tagger, examples, max_failures=max_failures)]
    results += [filler_invariance(tagger, examples, f, max_failures=max_failures) for f in fillers]
    if unseen_brands:
        results.append(brand_swap_test(tagger, examples, unseen_brands, max_failures))
    return results
