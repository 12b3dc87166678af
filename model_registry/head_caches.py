"""Head-query caches in the BentoML model store, beside the models: ``head-cache:<version>``.

A head cache (:mod:`query_understanding.head_cache`) holds one model's answers to the most
frequent queries; it is versioned by its content hash and labelled with the model tag and the
linking-index version it was built with, so the service can pick the cache of the model it
serves and the ``bento`` asset can pack it beside that model, as it packs the linking index.
Stored outside the ``qu-*`` namespace: the champion rule and ``qu-registry list`` never see it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import bentoml
from bentoml._internal.tag import Tag
from bentoml.exceptions import BentoMLException, NotFound

from model_registry.registry import ModelRegistry, RegistryError
from query_understanding.head_cache import HeadCache, HeadCacheError, load_head_cache

HEAD_CACHE_MODEL = "head-cache"


def register_head_cache(registry: ModelRegistry, cache_dir: str | Path) -> str:
    """Copy the cache in ``cache_dir`` into the store (idempotent by version); return its tag."""
    try:
        cache = load_head_cache(cache_dir)
    except HeadCacheError as exc:
        raise RegistryError(f"cannot register head cache {cache_dir}: {exc}") from exc
    tag = Tag(HEAD_CACHE_MODEL, cache.version)
    try:
        return str(registry.store.get(tag).tag)
    except (NotFound, BentoMLException):
        pass
    labels = {
        "kind": "head-cache",
        "version": cache.version,
        "model_tag": cache.model_tag,
        "linking_version": cache.linking_version or "off",
        "registered_by": "model_registry",
    }
    metadata = {"entries": len(cache), **cache.stats}
    with bentoml.models.create(tag, labels=labels, metadata=metadata, _model_store=registry.store) as model:
        shutil.copytree(cache_dir, model.path, dirs_exist_ok=True)
    return str(model.tag)


def head_cache_tags(registry: ModelRegistry, model_tag: str | None = None) -> list[str]:
    """Tags of the stored head caches (only those built with ``model_tag`` when given), oldest first."""
    try:
        models = [m for m in registry.store.list() if m.tag.name == HEAD_CACHE_MODEL]
    except (FileNotFoundError, NotFound):
        return []
    if model_tag is not None:
        models = [m for m in models if m.info.labels.get("model_tag") == model_tag]
    return [str(m.tag) for m in sorted(models, key=lambda m: m.info.creation_time)]


def load_stored_head_cache(registry: ModelRegistry, tag: str) -> HeadCache:
    """The stored cache of ``tag``, its hash checked; :class:`RegistryError` says why not."""
    try:
        model = registry.store.get(tag)
    except (NotFound, ValueError, BentoMLException) as exc:
        known = ", ".join(head_cache_tags(registry)) or "none"
        raise RegistryError(f"unknown head cache {tag!r} (registered: {known})") from exc
    if model.tag.name != HEAD_CACHE_MODEL:
        raise RegistryError(f"{tag!r} is not a head cache ({HEAD_CACHE_MODEL}:*)")
    try:
        return load_head_cache(Path(model.path))
    except HeadCacheError as exc:
        raise RegistryError(f"{model.tag}: {exc}") from exc
