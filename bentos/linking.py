"""Which linking index the service links with, and loading it (see model_registry.linking_indexes).

``QU_LINKING_INDEX``: a ``linking-index:<version>`` tag, or ``off``; unset, the newest index in
the store (in a built bento: the one packed beside the model). No index at all is not an error:
entities then come back unlinked (``canonical``/``novel`` null) and ``/model_info`` says so. A
named index that does not load is an error, like a named model that does not load.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bentos.config import ServeSettings
from model_registry import ModelRegistry, RegistryError
from model_registry.linking_indexes import linking_index_tags, load_linking_index
from query_understanding.linking import LinkingIndex

logger = logging.getLogger("bentoml.qu.linking")

OFF = ("off", "none", "0", "false")


@dataclass(frozen=True)
class LoadedIndex:
    tag: str
    index: LinkingIndex

    def info(self) -> dict:
        return {
            "tag": self.tag,
            "version": self.index.version,
            "surfaces": {t: len(s) for t, s in sorted(self.index.surfaces.items())},
            "fuzzy_thresholds": dict(sorted(self.index.fuzzy.items())),
        }


def linking_tag(registry: ModelRegistry, settings: ServeSettings) -> str | None:
    """The tag to link with (None: linking off or no index stored)."""
    wanted = settings.linking_index
    if wanted and wanted.lower() in OFF:
        return None
    if wanted:
        return wanted
    tags = linking_index_tags(registry)
    return tags[-1] if tags else None


def load_linking(registry: ModelRegistry, settings: ServeSettings, previous: LoadedIndex | None) -> LoadedIndex | None:
    """Resolve and load the index (reusing ``previous`` when the tag is unchanged); raises
    :class:`~model_registry.RegistryError` when a resolved index does not load."""
    tag = linking_tag(registry, settings)
    if tag is None:
        return None
    if previous is not None and previous.tag == tag:
        return previous
    index = load_linking_index(registry, tag)
    full = f"linking-index:{index.version}"
    logger.info("linking with %s (%d surfaces)", full, len(index))
    return LoadedIndex(full, index)


def declared_linking_tag(settings: ServeSettings) -> str | None:
    """The index tag to declare at import, so ``bentoml build`` packs it beside the model."""
    try:
        return linking_tag(ModelRegistry.from_bentoml_config(), settings)
    except (RegistryError, OSError) as exc:
        logger.debug("no linking index declared at import: %s", exc)
        return None
