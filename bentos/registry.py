"""Model registry over the BentoML model store, plus an append-only champion log.

Versions: every registered artifact (a directory with ``manifest.json``, see
:mod:`query_understanding.artifacts`) becomes a BentoML model ``qu-<kind>:<model_id>`` (e.g.
``qu-crf:crf-0123456789ab``) whose labels and metadata carry the manifest's lineage (kind,
model id, data and code version, config, metrics). Registering the same ``model_id`` twice
returns the existing tag. The artifact files are copied in unchanged, so the served directory
is byte-for-byte the evaluated one and :func:`~query_understanding.artifacts.load_tagger`
verifies it against the manifest's hashes on every load.

Champion state: ``<home>/champion_events.jsonl`` holds one JSON event per line
(``time, action, tag, previous_tag, reason``; actions ``promote | rollback | pin | unpin``).
The current state is the replay of that log; nothing else is authoritative. Rollback steps
back along the chain of promotions (promote A, promote B, rollback -> A). A pin fixes the
served model regardless of promotions until ``unpin``. Appends are made under an exclusive
file lock, flushed and fsynced; a line torn by a crash is skipped on replay (and terminated
before the next append). ``champion.json`` is a derived snapshot for humans and dashboards,
written to a temporary file, fsynced and renamed into place, so it is never half-written.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import query_understanding.offline  # noqa: F401  (BENTOML_DO_NOT_TRACK before bentoml loads)

import bentoml
from bentoml._internal.models import ModelStore
from bentoml._internal.tag import Tag
from bentoml.exceptions import BentoMLException, NotFound

from query_understanding.artifacts import ArtifactError, ModelManifest, load_manifest, verify_artifact

logger = logging.getLogger("bentoml.qu.registry")

MODEL_PREFIX = "qu-"
EVENTS_FILE = "champion_events.jsonl"
SNAPSHOT_FILE = "champion.json"
LOCK_FILE = ".champion.lock"
ACTIONS = ("promote", "rollback", "pin", "unpin")
_TAG_PART = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$")


class RegistryError(Exception):
    """A registry operation that cannot be done; the message says why."""


class UnknownTagError(RegistryError, LookupError):
    """No model with this tag in the store."""


def default_home() -> Path:
    """``$BENTOML_HOME``, else BentoML's default ``~/bentoml``."""
    return Path(os.environ.get("BENTOML_HOME") or Path.home() / "bentoml")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _metadata_safe(value: Any) -> Any:
    """BentoML metadata refuses None: drop None entries from dicts, stringify them in lists."""
    if isinstance(value, dict):
        return {str(k): _metadata_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [("null" if v is None else _metadata_safe(v)) for v in value]
    if isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a fsynced temporary file renamed over it."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


@dataclass
class ChampionState:
    """Replayed champion state. ``chain[-1]`` is the champion; earlier entries are what
    successive rollbacks return to."""

    chain: list[str] = field(default_factory=list)
    pinned: str | None = None
    events: int = 0
    skipped_lines: int = 0
    updated_at: str | None = None

    @property
    def champion(self) -> str | None:
        return self.chain[-1] if self.chain else None

    @property
    def previous(self) -> str | None:
        return self.chain[-2] if len(self.chain) > 1 else None

    @property
    def served(self) -> str | None:
        return self.pinned or self.champion

    def to_dict(self) -> dict:
        return {
            "champion": self.champion,
            "previous": self.previous,
            "pinned": self.pinned,
            "served": self.served,
            "chain": list(self.chain),
            "events": self.events,
            "skipped_lines": self.skipped_lines,
            "updated_at": self.updated_at,
        }


def replay(events: list[dict]) -> ChampionState:
    """The champion state after ``events`` (in order)."""
    state = ChampionState()
    for event in events:
        action, tag = event.get("action"), event.get("tag")
        if action == "promote" and tag:
            state.chain.append(tag)
        elif action == "rollback" and tag:
            if state.chain:
                state.chain.pop()
            if not state.chain or state.chain[-1] != tag:
                state.chain.append(tag)  # trust the recorded outcome
        elif action == "pin" and tag:
            state.pinned = tag
        elif action == "unpin":
            state.pinned = None
        else:
            logger.warning("ignoring unknown champion event %r", event)
            continue
        state.events += 1
        state.updated_at = event.get("time")
    return state


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

    def __init__(self, home: str | Path | None = None, model_store: ModelStore | None = None):
        self.home = Path(home) if home is not None else default_home()
        self.home.mkdir(parents=True, exist_ok=True)
        if model_store is None:
            (self.home / "models").mkdir(parents=True, exist_ok=True)
            model_store = ModelStore(self.home / "models")
        self.store = model_store
        self.events_path = self.home / EVENTS_FILE
        self.snapshot_path = self.home / SNAPSHOT_FILE

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
            "registered_by": "bentos.registry",
        }
        metadata = _metadata_safe({
            "kind": manifest.model_kind,
            "model_id": manifest.model_id,
            "created_at": manifest.created_at,
            "data_version": manifest.data_version,
            "code_version": manifest.code_version,
            "parent_model_id": manifest.parent_model_id,
            "config": manifest.config,
            "metrics": manifest.metrics,
            "source_path": str(artifact_dir.resolve()),
        })
        try:
            with bentoml.models.create(
                tag, labels=labels, metadata=metadata, _model_store=self.store
            ) as model:
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
            out.append(ModelVersion(
                tag=str(model.tag),
                kind=meta.get("kind") or labels.get("kind") or model.tag.name[len(MODEL_PREFIX):],
                model_id=labels.get("model_id") or meta.get("model_id") or "",
                created_at=meta.get("created_at"),
                registered_at=model.info.creation_time.isoformat(timespec="seconds"),
                data_version=meta.get("data_version"),
                code_version=meta.get("code_version"),
                metrics=dict(meta.get("metrics") or {}),
                path=str(model.path),
            ))
        return out

    # ------------------------------------------------------------------ champion log
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.home / LOCK_FILE, "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _read_events(self) -> tuple[list[dict], int]:
        if not self.events_path.exists():
            return [], 0
        events, skipped = [], 0
        with open(self.events_path, "rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    event = json.loads(raw)
                    if not isinstance(event, dict) or event.get("action") not in ACTIONS:
                        raise ValueError("not a champion event")
                except ValueError:
                    skipped += 1
                    logger.warning("%s:%d: skipping unreadable line (torn write?)", self.events_path, lineno)
                    continue
                events.append(event)
        return events, skipped

    def state(self) -> ChampionState:
        events, skipped = self._read_events()
        state = replay(events)
        state.skipped_lines = skipped
        return state

    def history(self) -> list[dict]:
        """Every champion event, oldest first."""
        return self._read_events()[0]

    def champion(self) -> str | None:
        return self.state().champion

    def served_tag(self) -> str | None:
        """The tag to serve: the pin if set, else the champion (None when neither exists)."""
        return self.state().served

    def _append(self, event: dict) -> ChampionState:
        """Append ``event`` durably (caller holds the lock) and refresh the snapshot."""
        created = not self.events_path.exists()
        line = (json.dumps(event, sort_keys=True) + "\n").encode("utf-8")
        with open(self.events_path, "ab") as fh:
            if fh.tell() > 0:
                with open(self.events_path, "rb") as check:
                    check.seek(-1, os.SEEK_END)
                    if check.read(1) != b"\n":
                        fh.write(b"\n")  # terminate a line torn by a crash; replay skips it
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        if created:
            _fsync_dir(self.home)
        state = self.state()
        atomic_write_text(self.snapshot_path, json.dumps(state.to_dict(), indent=2) + "\n")
        return state

    def _event(self, action: str, tag: str | None, previous: str | None, reason: str) -> dict:
        return {"time": _now(), "action": action, "tag": tag, "previous_tag": previous,
                "reason": reason or ""}

    def promote(self, tag: str, reason: str = "") -> ChampionState:
        """Make ``tag`` the champion (no event when it already is)."""
        full = self.resolve(tag)
        with self._locked():
            state = self.state()
            if state.champion == full:
                return state
            return self._append(self._event("promote", full, state.champion, reason))

    def rollback(self, reason: str = "") -> ChampionState:
        """Make the previous champion the champion again."""
        with self._locked():
            state = self.state()
            if state.previous is None:
                raise RegistryError(
                    "nothing to roll back to: "
                    + (f"{state.champion} is the only champion so far" if state.champion
                       else "no model has been promoted")
                )
            return self._append(self._event("rollback", state.previous, state.champion, reason))

    def pin(self, tag: str, reason: str = "") -> ChampionState:
        """Serve ``tag`` regardless of promotions until :meth:`unpin`."""
        full = self.resolve(tag)
        with self._locked():
            state = self.state()
            return self._append(self._event("pin", full, state.pinned, reason))

    def unpin(self, reason: str = "") -> ChampionState:
        """Serve the champion again (no event when nothing is pinned)."""
        with self._locked():
            state = self.state()
            if state.pinned is None:
                return state
            return self._append(self._event("unpin", None, state.pinned, reason))
