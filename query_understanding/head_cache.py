"""The head-query cache: the served model's answers to the most frequent queries, precomputed.

Search traffic is head-heavy: a few hundred normalized queries are a large share of all
requests, and their answers do not change until the model or the catalog does. The cache maps
each of the top-N normalized queries (:func:`~query_understanding.text.normalize_query`) to the
full ``/parse`` answer of one query (tags, entities, links), and is stamped with what made
those answers: the model tag and the linking-index version. A cache is valid only for exactly
that pair; the service checks both before it answers from it, so a new champion never serves
answers of the old one.

Keys are normalized, and a lookup is by the query *as sent*: only a query already in
normalized form (lowercase, single spaces, NFKC) can hit. Why not normalize the incoming query:
the models see casing and offsets point into the raw text, so the answer to ``"nike shoes"`` is
not the answer to ``"Nike  Shoes"``; the exact lookup also costs one dict probe and no
normalization per request.

The file is JSON with a SHA-256 of its content (entries and stamps); :func:`load_head_cache`
refuses a file whose content does not hash to its recorded ``version``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from query_understanding.text import normalize_query

CACHE_FILE = "head_cache.json"
FORMAT_VERSION = 1


class HeadCacheError(ValueError):
    """A cache file that cannot be used (unreadable, unknown format, content not matching its hash)."""


def _content_hash(content: Mapping) -> str:
    body = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(body.encode("ascii")).hexdigest()[:16]


@dataclass(frozen=True)
class HeadCache:
    """Answers by normalized query, for one model tag and one linking-index version."""

    model_tag: str
    linking_version: str | None
    entries: dict[str, dict]
    #: How the queries were chosen (counts, coverage): reported, not part of the answers.
    stats: dict = field(default_factory=dict)
    _version: str = field(init=False, repr=False, compare=False, default="")

    def __post_init__(self) -> None:
        object.__setattr__(self, "_version", _content_hash(self.content()))

    def content(self) -> dict:
        return {
            "format_version": FORMAT_VERSION,
            "model_tag": self.model_tag,
            "linking_version": self.linking_version,
            "entries": self.entries,
            "stats": self.stats,
        }

    @property
    def version(self) -> str:
        """Hash of the content: the same answers from the same model give the same version."""
        return self._version

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, query: str) -> dict | None:
        """The cached answer of ``query`` as sent (None: not a cached normalized query)."""
        return self.entries.get(query)

    def unusable_reason(self, model_tag: str, linking_version: str | None) -> str | None:
        """Why this cache must not answer for ``model_tag`` linked by ``linking_version`` (None: it may)."""
        if self.model_tag != model_tag:
            return f"built with {self.model_tag}, serving {model_tag}"
        if self.linking_version != linking_version:
            return f"built with linking index {self.linking_version}, serving {linking_version}"
        return None


def count_normalized(queries: Iterable[tuple[str, int]]) -> Counter:
    """``(query, count)`` pairs summed by normalized query (blank queries dropped)."""
    counts: Counter = Counter()
    for query, n in queries:
        key = normalize_query(query)
        if key:
            counts[key] += int(n)
    return counts


def top_queries(counts: Mapping[str, int], n: int) -> list[str]:
    """The ``n`` most frequent keys; ties broken by the text, so the choice is reproducible."""
    return [q for q, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: max(n, 0)]]


def held_out_day_hit_rate(dated_queries: Iterable[tuple[str, str, int]], top_n: int) -> dict | None:
    """How often a cache built from every day but the last would have answered the last day.

    ``dated_queries`` are ``(day, query, count)``; the cache's queries are the ``top_n`` most
    frequent normalized queries of the earlier days. An honest figure for the cache the asset
    builds (whose own coverage is measured on the traffic it was chosen from). None with fewer
    than two days of traffic."""
    by_day: dict[str, Counter] = {}
    for day, query, n in dated_queries:
        key = normalize_query(query)
        if key:
            by_day.setdefault(str(day), Counter())[key] += int(n)
    if len(by_day) < 2:
        return None
    *earlier, last = sorted(by_day)
    head = set(top_queries(sum((by_day[d] for d in earlier), Counter()), top_n))
    held_out = by_day[last]
    total = sum(held_out.values())
    hits = sum(n for q, n in held_out.items() if q in head)
    return {"day": last, "days_before": len(earlier), "queries": total, "hit_rate": round(hits / total, 4)}


def build_head_cache(
    counts: Mapping[str, int],
    answer: Callable[[Sequence[str]], list[dict]],
    model_tag: str,
    linking_version: str | None,
    top_n: int,
    max_query_chars: int | None = None,
) -> HeadCache:
    """The cache of the ``top_n`` most frequent normalized queries of ``counts``.

    ``answer`` parses a batch of queries with the model of ``model_tag`` (and links them with
    ``linking_version``), one answer dict per query: what the service returns for one query.
    Queries longer than ``max_query_chars`` are skipped (the service refuses them anyway)."""
    eligible = {q: c for q, c in counts.items() if max_query_chars is None or len(q) <= max_query_chars}
    chosen = top_queries(eligible, top_n)
    answers = answer(chosen) if chosen else []
    if len(answers) != len(chosen):
        raise HeadCacheError(f"answer() returned {len(answers)} answers for {len(chosen)} queries")
    entries = {}
    for query, result in zip(chosen, answers):
        if result.get("query") != query:
            raise HeadCacheError(f"answer for {query!r} is for {result.get('query')!r}")
        entries[query] = {k: v for k, v in result.items() if k not in ("model_tag", "linking_index", "source")}
    total = sum(counts.values())
    covered = sum(counts[q] for q in chosen)
    stats = {
        "distinct_queries": len(counts),
        "total_count": int(total),
        "covered_count": int(covered),
        "coverage": round(covered / total, 6) if total else 0.0,
    }
    return HeadCache(model_tag, linking_version, entries, stats)


def save_head_cache(cache: HeadCache, directory: str | Path) -> Path:
    """Write ``head_cache.json`` (content and version) into ``directory``; returns the file."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CACHE_FILE
    body = {"version": cache.version, **cache.content()}
    path.write_text(json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":")) + "\n")
    return path


def load_head_cache(path: str | Path) -> HeadCache:
    """Read a cache file (or the one in a directory); its content must hash to its version."""
    path = Path(path)
    if path.is_dir():
        path = path / CACHE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HeadCacheError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        raise HeadCacheError(f"{path}: unsupported head cache format")
    recorded = data.pop("version", None)
    try:
        cache = HeadCache(data["model_tag"], data["linking_version"], data["entries"], data.get("stats") or {})
    except (KeyError, TypeError) as exc:
        raise HeadCacheError(f"{path}: missing field {exc}") from exc
    if cache.version != recorded:
        raise HeadCacheError(f"{path}: content hashes to {cache.version}, file says {recorded!r} (corrupted?)")
    return cache


def model_answers(
    tagger, linking_index=None, max_query_chars: int | None = None
) -> Callable[[Sequence[str]], list[dict]]:
    """What the service answers for each query with ``tagger`` and ``linking_index`` (None:
    linking off): ``ParsedQuery.to_dict()`` after linking, as ``bentos.model_pool.tag_items`` does."""
    from query_understanding.linking import link_parsed
    from query_understanding.text import MAX_QUERY_CHARS

    def answer(queries: Sequence[str]) -> list[dict]:
        parsed = tagger.parse(list(queries), max_query_chars or MAX_QUERY_CHARS)
        if linking_index is not None:
            parsed = link_parsed(linking_index, parsed)
        return [p.to_dict() for p in parsed]

    return answer
