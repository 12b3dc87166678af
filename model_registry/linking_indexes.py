"""Linking indexes in the BentoML model store, beside the models: ``linking-index:<version>``.

A linking index (:mod:`query_understanding.linking`) is versioned by its content hash, built by
the pipeline from the merged catalog and packed into the bento next to the served model, so a
deployed service links against exactly the catalog it was built with. It is stored under its
own name, outside the ``qu-*`` namespace: it is not a tagger, and the champion rule, the
leaderboard and ``qu-registry list`` never see it. Which index serves: ``QU_LINKING_INDEX``
(a tag, or ``off``), else the newest one in the store.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import bentoml
from bentoml._internal.tag import Tag
from bentoml.exceptions import BentoMLException, NotFound

from model_registry.registry import ModelRegistry, RegistryError
from query_understanding.linking import INDEX_FILE, LinkingIndex, LinkingIndexError

LINKING_MODEL = "linking-index"


def register_linking_index(registry: ModelRegistry, index_dir: str | Path) -> str:
    """Copy the index in ``index_dir`` into the store (idempotent by version); return its tag."""
    try:
        index = LinkingIndex.load(Path(index_dir) / INDEX_FILE)
    except (LinkingIndexError, OSError, ValueError) as exc:
        raise RegistryError(f"cannot register linking index {index_dir}: {exc}") from exc
    tag = Tag(LINKING_MODEL, index.version)
    try:
        return str(registry.store.get(tag).tag)
    except (NotFound, BentoMLException):
        pass
    labels = {"kind": "linking-index", "version": index.version, "registered_by": "model_registry"}
    metadata = {"surfaces": len(index), "fuzzy": {t: float(v) for t, v in index.fuzzy.items()}}
    with bentoml.models.create(tag, labels=labels, metadata=metadata, _model_store=registry.store) as model:
        shutil.copytree(index_dir, model.path, dirs_exist_ok=True)
    return str(model.tag)


def linking_index_tags(registry: ModelRegistry) -> list[str]:
    """Tags of the stored linking indexes, oldest registration first."""
    try:
        models = [m for m in registry.store.list() if m.tag.name == LINKING_MODEL]
    except (FileNotFoundError, NotFound):
        return []
    return [str(m.tag) for m in sorted(models, key=lambda m: m.info.creation_time)]


def load_linking_index(registry: ModelRegistry, tag: str) -> LinkingIndex:
    """The stored index of ``tag`` (``linking-index:latest`` allowed), its hash checked."""
    try:
        model = registry.store.get(tag)
    except (NotFound, ValueError, BentoMLException) as exc:
        known = ", ".join(linking_index_tags(registry)) or "none"
        raise RegistryError(f"unknown linking index {tag!r} (registered: {known})") from exc
    if model.tag.name != LINKING_MODEL:
        raise RegistryError(f"{tag!r} is not a linking index ({LINKING_MODEL}:*)")
    try:
        return LinkingIndex.load(Path(model.path) / INDEX_FILE)
    except (LinkingIndexError, OSError, ValueError) as exc:
        raise RegistryError(f"{model.tag}: {exc}") from exc
