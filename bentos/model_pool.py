"""The models one serving process holds: the served tag, optional A/B arms, their taggers.

A :class:`ModelSet` is immutable; a reload builds a new one (reusing already loaded taggers
by tag) and the service swaps it in only when every model loaded, so a failed reload leaves
the old set serving. Every model is opened with
:func:`query_understanding.artifacts.load_tagger`, the loader evaluation uses, which verifies
the files against the manifest's hashes first.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from bentos.config import SERVED_ALIASES, ServeSettings, choose_arm
from bentos.linking import LoadedIndex, load_linking
from model_registry import ModelRegistry, RegistryError
from query_understanding.artifacts import load_tagger
from query_understanding.linking import link_parsed
from query_understanding.tagger import Tagger
from query_understanding.text import MAX_QUERY_CHARS

logger = logging.getLogger("bentoml.qu.models")  # under "bentoml": shown in serve logs


class ModelLoadError(RuntimeError):
    """The served or an A/B model could not be resolved or loaded; the message says which."""


@dataclass(frozen=True)
class LoadedModel:
    tag: str
    path: Path
    manifest: dict
    tagger: Tagger
    provider: str
    load_seconds: float

    def info(self) -> dict:
        m = self.manifest
        return {
            "tag": self.tag,
            "kind": m.get("model_kind"),
            "model_id": m.get("model_id"),
            "created_at": m.get("created_at"),
            "data_version": m.get("data_version"),
            "code_version": m.get("code_version"),
            "parent_model_id": m.get("parent_model_id"),
            "config": m.get("config") or {},
            "metrics": m.get("metrics") or {},
            "provider": self.provider,
            "load_seconds": round(self.load_seconds, 3),
            # a cascade's rule, members and the share of this process's queries it routed
            **({"cascade": self.tagger.routing_info()} if hasattr(self.tagger, "routing_info") else {}),
        }


def execution_provider(tagger: Tagger) -> str:
    """What runs the model: ONNX Runtime's active provider, else a description of the kind."""
    provider = getattr(tagger, "provider", None)
    if provider:
        return str(provider)
    device = getattr(tagger, "device", None)
    if device is not None:
        return f"torch:{device}"
    return "CPU (crfsuite)" if getattr(tagger, "kind", "") == "crf" else "CPU"


def load_model(registry: ModelRegistry, tag: str) -> LoadedModel:
    started = time.perf_counter()
    path, manifest = registry.get(tag)
    tagger = load_tagger(path)
    model = LoadedModel(
        tag, path, manifest.to_dict(), tagger, execution_provider(tagger), time.perf_counter() - started
    )
    logger.info(
        "loaded %s (kind=%s, model_id=%s) on %s in %.2fs",
        tag,
        manifest.model_kind,
        manifest.model_id,
        model.provider,
        model.load_seconds,
    )
    return model


@dataclass(frozen=True)
class ModelSet:
    """The served tag, the A/B arms (resolved tags and weights), the loaded models and the
    linking index: swapped as one, so a request is tagged and linked by one consistent set."""

    served_tag: str
    arms: list[tuple[str, float]]
    models: dict[str, LoadedModel]
    source: str
    linking: LoadedIndex | None = None
    loaded_at: float = field(default_factory=time.time)

    def choose(self, request_id: str) -> str:
        return choose_arm(self.arms, request_id) if self.arms else self.served_tag

    def info(self) -> dict:
        served = self.models[self.served_tag]
        return {
            **served.info(),
            "served_tag_source": self.source,
            "ab": {
                "enabled": bool(self.arms),
                "arms": [{"tag": t, "weight": round(w, 6)} for t, w in self.arms],
                "assignment": "sha256(request_id) bucket; send X-Request-ID for a stable arm",
            },
            "models": {tag: m.info() for tag, m in self.models.items()},
            "linking": self.linking.info() if self.linking else None,
            "loaded_at": self.loaded_at,
        }


def resolve_served_tag(
    registry: ModelRegistry, settings: ServeSettings, fallback_tags: Iterable[str] = ()
) -> tuple[str, str]:
    """(tag, where it came from): QU_SERVE_TAG, else the registry's pin/champion, else the
    first model baked into the bento being served."""
    if settings.serve_tag:
        return settings.serve_tag, "QU_SERVE_TAG"
    state = registry.state()
    if state.pinned:
        return state.pinned, "registry pin"
    if state.champion:
        return state.champion, "registry champion"
    for tag in fallback_tags:
        return tag, "bento model"
    raise ModelLoadError(
        f"no model to serve: QU_SERVE_TAG is not set and the registry at {registry.home} has no "
        "champion or pin (promote one: qu-registry promote TAG)"
    )


def load_model_set(
    registry: ModelRegistry,
    settings: ServeSettings,
    previous: ModelSet | None = None,
    fallback_tags: Iterable[str] = (),
) -> ModelSet:
    """Resolve and load everything to serve; raise :class:`ModelLoadError` naming what failed."""
    served, source = resolve_served_tag(registry, settings, fallback_tags)
    try:
        served = registry.resolve(served)
        arms = [((served if t in SERVED_ALIASES else registry.resolve(t)), w) for t, w in settings.ab_arms]
    except RegistryError as exc:
        raise ModelLoadError(str(exc)) from exc
    reuse = previous.models if previous is not None else {}
    models: dict[str, LoadedModel] = {}
    for tag in dict.fromkeys([served] + [t for t, _ in arms]):
        if tag in reuse:
            models[tag] = reuse[tag]
            continue
        try:
            models[tag] = load_model(registry, tag)
        except Exception as exc:  # any loader failure must leave the old set serving
            raise ModelLoadError(f"loading {tag} failed: {type(exc).__name__}: {exc}") from exc
    try:
        linking = load_linking(registry, settings, previous.linking if previous is not None else None)
    except RegistryError as exc:
        raise ModelLoadError(f"linking index: {exc}") from exc
    return ModelSet(served, arms, models, source, linking)


def declared_tags(settings: ServeSettings) -> list[str]:
    """Tags the service declares at import, so ``bentoml build`` packs exactly them by tag:
    the served tag, then the A/B arms (empty when nothing resolves; serving checks again)."""
    try:
        registry = ModelRegistry.from_bentoml_config()
        served, _ = resolve_served_tag(registry, settings)
        tags = [registry.resolve(served)]
        tags += [registry.resolve(t) for t, _ in settings.ab_arms if t not in SERVED_ALIASES]
        return list(dict.fromkeys(tags))
    except Exception as exc:  # nothing to declare is fine at import; serving checks again
        logger.debug("no model declared at import: %s", exc)
        return []


def bento_model_tags() -> list[str]:
    """Model tags of the bento being served (its bento.yaml), in declaration order: the
    fallback of :func:`resolve_served_tag` in a bento served without a champion log."""
    from bentoml._internal.context import server_context

    if not server_context.bento_name:
        return []
    import yaml

    for candidate in (Path.cwd() / "bento.yaml", Path.cwd().parent / "bento.yaml"):
        if candidate.is_file():
            info = yaml.safe_load(candidate.read_text()) or {}
            for svc in info.get("services") or []:
                return [m["tag"] for m in svc.get("models") or [] if str(m.get("tag", "")).startswith("qu-")]
    return []


def tag_items(
    model_set: ModelSet,
    items: list[dict[str, Any]],
    retired: dict[str, LoadedModel] | None = None,
    max_query_chars: int = MAX_QUERY_CHARS,
) -> list[dict]:
    """Tag ``items`` (``{"tag", "query"}``, already validated) grouped by model and link the
    entities; one result dict per item, with ``model_tag`` of the model that answered and the
    ``linking_index`` version (None: linking off)."""
    results: list[dict | None] = [None] * len(items)
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        tag = (
            item["tag"]
            if item["tag"] in model_set.models or (retired and item["tag"] in retired)
            else model_set.served_tag
        )
        groups.setdefault(tag, []).append(i)
    for tag, indices in groups.items():
        model = model_set.models.get(tag) or (retired or {})[tag]
        parsed = model.tagger.parse([items[i]["query"] for i in indices], max_query_chars)
        if model_set.linking is not None:
            parsed = link_parsed(model_set.linking.index, parsed)
        version = model_set.linking.index.version if model_set.linking is not None else None
        for i, p in zip(indices, parsed):
            results[i] = {**p.to_dict(), "model_tag": tag, "linking_index": version}
    return results  # type: ignore[return-value]
