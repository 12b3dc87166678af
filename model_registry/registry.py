"""Model registry: versions in the BentoML model store, champion in an append-only log.

Versions: every registered artifact (a directory with ``manifest.json``, see
:mod:`query_understanding.artifacts`) becomes a BentoML model ``qu-<kind>:<model_id>`` (e.g.
``qu-crf:crf-0123456789ab``) whose labels and metadata carry the manifest's lineage (kind,
model id, data and code version, config, metrics). Registering the same ``model_id`` twice
returns the existing tag. The artifact files are copied in unchanged, so the served directory
is byte-for-byte the evaluated one and :func:`~query_understanding.artifacts.load_tagger`
verifies it against the manifest's hashes on every load.

Champion state: ``<home>/champion_events.jsonl``, replayed on every read; the log format, its
durability and the promote / rollback / pin rules live in :mod:`model_registry.champion_log`.
This module resolves tags against the store first, so the log only ever names registered models.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import bentoml
from bentoml._internal.models import ModelStore
from bentoml._internal.tag import Tag
from bentoml.exceptions import BentoMLException, NotFound

from model_registry.champion_log import ChampionLog, ChampionState, NothingToRollBack
from query_understanding.artifacts import ArtifactError, ModelManifest, load_manifest, verify_artifact

logger = logging.getLogger("bentoml.qu.registry")

MODEL_PREFIX = "qu-"
_TAG_PART = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$")


class RegistryError(Exception):
    """A registry operation that cannot be done; the message says why."""


class UnknownTagError(RegistryError, LookupError):
    """No model with this tag in the store."""


def _metadata_safe(value: Any) -> Any:
    """BentoML metadata refuses None: drop None entries from dicts, stringify them in lists."""
    if isinstance(value, dict):
        return {str(k): _metadata_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [("null" if v is None else _metadata_safe(v)) for v in value]
    if isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


@dataclass(frozen=True)
class ModelVersion:
    """One registered model version, as listed by :meth:`ModelRegistry.list_versions`."""

    tag: str
    kind: str
    model_id: str
    created_at: str | None
    registered_at: str
    data_version: str | None
    code_version: str | None
    parent_model_id: str | None
    config: dict
    metrics: dict
    path: str

    def to_dict(self) -> dict:
        return asdict(self)


class ModelRegistry:
    """Registry of ``qu-*`` models in the BentoML model store under ``home``.

    ``home`` plays the role of ``BENTOML_HOME``: models live in ``home/models`` unless another
    ``model_store`` is passed (the service passes BentoML's own store, which is the bento's
    when serving a built bento), and the champion log lives in ``home``.
    """

    def __init__(self, home: str | Path, model_store: ModelStore | None = None):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        if model_store is None:
            (self.home / "models").mkdir(parents=True, exist_ok=True)
            model_store = ModelStore(self.home / "models")
        self.store = model_store
        self.champion_log = ChampionLog(self.home)

    @classmethod
    def from_bentoml_config(cls) -> "ModelRegistry":
        """The registry BentoML itself uses (its configured home and model store)."""
        from bentoml._internal.configuration.containers import BentoMLContainer

        return cls(BentoMLContainer.bentoml_home.get(), BentoMLContainer.model_store.get())

    # ------------------------------------------------------------------ versions
    def _models(self) -> list[Any]:
        try:
            items = self.store.list()
        except (FileNotFoundError, NotFound):
            return []
        return [m for m in items if m.tag.name.startswith(MODEL_PREFIX)]

    def find_by_model_id(self, model_id: str) -> str | None:
        for model in self._models():
            if model.info.labels.get("model_id") == model_id:
                return str(model.tag)
        return None

    def register(self, artifact_dir: str | Path) -> str:
        """Copy the artifact at ``artifact_dir`` into the store; return its tag.

        Idempotent: an already registered ``model_id`` returns the existing tag (a stored copy
        that no longer matches its manifest's hashes is replaced).
        """
        artifact_dir = Path(artifact_dir)
        try:
            manifest = verify_artifact(artifact_dir)
        except (ArtifactError, OSError) as exc:
            raise RegistryError(f"cannot register {artifact_dir}: {exc}") from exc
        existing = self.find_by_model_id(manifest.model_id)
        if existing is not None:
            path = Path(self.store.get(existing).path)
            try:
                verify_artifact(path)
                return existing
            except (ArtifactError, OSError) as exc:
                logger.warning("stored copy of %s is damaged (%s); registering it again", existing, exc)
                self.store.delete(existing)
        name = f"{MODEL_PREFIX}{manifest.model_kind}".lower()
        if not _TAG_PART.match(name):
            raise RegistryError(f"model kind {manifest.model_kind!r} does not make a valid tag name")
        version = manifest.model_id.lower()
        tag = Tag(name, version) if _TAG_PART.match(version) else Tag(name)
        labels = {
            "kind": manifest.model_kind,
            "model_id": manifest.model_id,
            "data_version": str(manifest.data_version or ""),
            "code_version": str(manifest.code_version or ""),
            "created_at": manifest.created_at,
            "registered_by": "model_registry",
        }
        metadata = _metadata_safe(
            {
                "kind": manifest.model_kind,
                "model_id": manifest.model_id,
                "created_at": manifest.created_at,
                "data_version": manifest.data_version,
                "code_version": manifest.code_version,
                "parent_model_id": manifest.parent_model_id,
                "config": manifest.config,
                "metrics": manifest.metrics,
                "source_path": str(artifact_dir.resolve()),
            }
        )
        try:
            with bentoml.models.create(tag, labels=labels, metadata=metadata, _model_store=self.store) as model:
                shutil.copytree(artifact_dir, model.path, dirs_exist_ok=True)
        except BentoMLException:
            # a concurrent registration of the same model_id won the race
            existing = self.find_by_model_id(manifest.model_id)
            if existing is None:
                raise
            return existing
        logger.info("registered %s as %s", artifact_dir, model.tag)
        return str(model.tag)

    def resolve(self, tag: str) -> str:
        """The full ``name:version`` of ``tag`` (``name`` or ``name:latest`` allowed)."""
        try:
            model = self.store.get(tag)
        except (NotFound, ValueError, BentoMLException) as exc:
            known = ", ".join(v.tag for v in self.list_versions()) or "none"
            raise UnknownTagError(f"unknown model tag {tag!r} (registered: {known})") from exc
        if not model.tag.name.startswith(MODEL_PREFIX):
            raise UnknownTagError(f"{tag!r} is not a query-understanding model (qu-*)")
        return str(model.tag)

    def get(self, tag: str) -> tuple[Path, ModelManifest]:
        """The stored artifact directory of ``tag`` and its manifest."""
        full = self.resolve(tag)
        path = Path(self.store.get(full).path)
        try:
            return path, load_manifest(path)
        except ArtifactError as exc:
            raise RegistryError(f"{full}: {exc}") from exc

    def list_versions(self) -> list[ModelVersion]:
        """All registered versions, oldest registration first."""
        out = []
        for model in sorted(self._models(), key=lambda m: m.info.creation_time):
            meta = model.info.metadata or {}
            labels = model.info.labels or {}
            out.append(
                ModelVersion(
                    tag=str(model.tag),
                    kind=meta.get("kind") or labels.get("kind") or model.tag.name[len(MODEL_PREFIX) :],
                    model_id=labels.get("model_id") or meta.get("model_id") or "",
                    created_at=meta.get("created_at"),
                    registered_at=model.info.creation_time.isoformat(timespec="seconds"),
                    data_version=meta.get("data_version"),
                    code_version=meta.get("code_version"),
                    parent_model_id=meta.get("parent_model_id"),
                    config=dict(meta.get("config") or {}),
                    metrics=dict(meta.get("metrics") or {}),
                    path=str(model.path),
                )
            )
        return out

    # ------------------------------------------------------------------ champion log
    def state(self) -> ChampionState:
        """The replayed champion state (also counts unreadable, skipped lines)."""
        return self.champion_log.state()

    def history(self) -> list[dict]:
        """Every champion event, oldest first."""
        return self.champion_log.read_events()[0]

    def champion(self) -> str | None:
        return self.state().champion

    def served_tag(self) -> str | None:
        """The tag to serve: the pin if set, else the champion (None when neither exists)."""
        return self.state().served

    def promote(self, tag: str, reason: str = "") -> ChampionState:
        """Make ``tag`` the champion (no event when it already is)."""
        return self.champion_log.promote(self.resolve(tag), reason)

    def rollback(self, reason: str = "") -> ChampionState:
        """Make the previous champion the champion again."""
        try:
            return self.champion_log.rollback(reason)
        except NothingToRollBack as exc:
            raise RegistryError(str(exc)) from None

    def pin(self, tag: str, reason: str = "") -> ChampionState:
        """Serve ``tag`` regardless of promotions until :meth:`unpin`."""
        return self.champion_log.pin(self.resolve(tag), reason)

    def unpin(self, reason: str = "") -> ChampionState:
        """Serve the champion again (no event when nothing is pinned)."""
        return self.champion_log.unpin(reason)
