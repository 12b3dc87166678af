"""The head-query cache in the service: which one answers, and answering from it before any model.

``QU_HEAD_CACHE``: ``off``, a ``head-cache:<version>`` tag, or unset: the newest stored cache
built for the served tag (in a built bento: the one packed beside the model). On start and on
every reload the chosen cache is checked against what the service really serves, the served
tag and the linking-index version: a cache built for anything else is ignored, with a log line
and the reason in ``/model_info`` (``head_cache``), so a new champion never answers from the
old one's cache. Not having a cache is never an error: every query then goes to the model.

Per request the cache answers only when the request's model (A/B arm included) is the cache's
model tag; a hit is a query sent exactly in normalized form (see
:mod:`query_understanding.head_cache`), marked ``"source": "cache"`` in the answer and in the
prediction log; everything else goes to the model and is marked ``"model"``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bentos.config import ServeSettings
from model_registry import ModelRegistry, RegistryError
from model_registry.head_caches import head_cache_tags, load_stored_head_cache
from query_understanding.head_cache import HeadCache

logger = logging.getLogger("bentoml.qu.head_cache")

OFF = ("off", "none", "0", "false")


@dataclass
class ServedHeadCache:
    """The cache in use (``cache`` None: none, and ``reason`` says why) and its hit counts."""

    cache: HeadCache | None
    tag: str | None
    reason: str | None
    hits: int = field(default=0)
    misses: int = field(default=0)

    def lookup(self, model_tag: str, queries: list[str]) -> list[dict | None] | None:
        """Cached answers by position (None: ask the model); None when the cache cannot answer
        for ``model_tag`` at all."""
        cache = self.cache
        if cache is None or model_tag != cache.model_tag:
            return None
        answers: list[dict | None] = []
        for query in queries:
            entry = cache.entries.get(query)
            answers.append(
                None
                if entry is None
                else {**entry, "model_tag": cache.model_tag, "linking_index": cache.linking_version, "source": "cache"}
            )
        hits = sum(a is not None for a in answers)
        self.hits += hits
        self.misses += len(answers) - hits
        return answers

    def info(self) -> dict:
        return {
            "enabled": self.cache is not None,
            "tag": self.tag,
            "reason_unused": self.reason,
            "entries": len(self.cache) if self.cache else 0,
            "model_tag": self.cache.model_tag if self.cache else None,
            "linking_version": self.cache.linking_version if self.cache else None,
            "coverage_at_build": (self.cache.stats or {}).get("coverage") if self.cache else None,
            "hits": self.hits,
            "misses": self.misses,
        }


def merge_answers(cached: list[dict | None] | None, model_results: list[dict]) -> list[dict]:
    """Cached answers in their places, the model's results (marked ``"model"``) in the gaps."""
    marked = iter({**r, "source": "model"} for r in model_results)
    if cached is None:
        return list(marked)
    return [c if c is not None else next(marked) for c in cached]


def misses(cached: list[dict | None] | None, queries: list[str]) -> list[str]:
    """The queries the model must answer."""
    return list(queries) if cached is None else [q for q, c in zip(queries, cached) if c is None]


def resolve_head_cache(
    registry: ModelRegistry, settings: ServeSettings, served_tag: str, linking_version: str | None
) -> ServedHeadCache:
    """The cache to answer with for ``served_tag`` linked by ``linking_version``, or none and why."""
    wanted = settings.head_cache
    if wanted and wanted.lower() in OFF:
        return ServedHeadCache(None, None, f"off (QU_HEAD_CACHE={wanted})")
    candidates = [wanted] if wanted else list(reversed(head_cache_tags(registry, served_tag)))
    if not candidates:
        newest = head_cache_tags(registry)
        reason = f"no head cache built for {served_tag}" + (f" (newest stored: {newest[-1]})" if newest else "")
        logger.info("head cache not used: %s", reason)
        return ServedHeadCache(None, None, reason)
    reason = ""
    for tag in candidates:
        try:
            cache = load_stored_head_cache(registry, tag)
        except RegistryError as exc:
            reason = f"{tag} refused: {exc}"
            logger.error("head cache not used: %s", reason)
            continue
        unusable = cache.unusable_reason(served_tag, linking_version)
        if unusable is None:
            logger.info("head cache %s: %d queries for %s", tag, len(cache), served_tag)
            return ServedHeadCache(cache, tag, None)
        reason = f"{tag} is stale: {unusable}"
        logger.warning("head cache not used: %s", reason)
    return ServedHeadCache(None, candidates[0], reason)


def declared_head_cache_tag(settings: ServeSettings) -> str | None:
    """The cache tag to declare at import so ``bentoml build`` packs it: only an explicit tag
    (the ``bento`` asset sets ``QU_HEAD_CACHE`` to the cache built for the served model)."""
    wanted = settings.head_cache
    if not wanted or wanted.lower() in OFF:
        return None
    return wanted
