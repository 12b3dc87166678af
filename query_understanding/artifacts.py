"""Versioned, content-addressed model artifacts with lineage, and kind-dispatched loading.

An artifact is a directory ``<root>/<kind>/<model_id>/`` holding the model's own files plus
``manifest.json``: what was trained (kind, config), on what (data_version), by which code
(code_version), how well it did (metrics) and from what (parent model, e.g. the PyTorch model
an ONNX export came from). ``model_id`` is a hash of the files and config, so retraining the
same thing gives the same id and any change gives a new one. Directories appear atomically
(written under a temp name, then renamed): a reader never sees half an artifact.

Loading dispatches on ``model_kind`` through the static table :data:`LOADERS` of lazily
imported functions, so CRF-only use never imports torch.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import shutil
import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from query_understanding.tagger import Tagger

MANIFEST = "manifest.json"
PACKAGE_DIR = Path(__file__).resolve().parent


class ArtifactError(ValueError):
    """A directory that is not a loadable artifact (missing manifest, bad hash, unknown kind)."""


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _canonical_json(obj: object) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def code_version(package_dir: Path = PACKAGE_DIR) -> str:
    """Hash of the package's ``*.py`` sources (paths + contents): any code edit changes it."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


_package_code_version = code_version  # save_artifact's parameter shadows the name


def data_version(paths: Iterable[str | Path]) -> str:
    """Hash of data files' contents (in the given order): a version for file-based training data."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(_sha256_file(Path(path)).encode())
    return digest.hexdigest()[:12]


@dataclass(slots=True)
class ModelManifest:
    """What an artifact is and where it came from; ``files`` lists {path, sha256, bytes}."""

    model_kind: str
    model_id: str
    created_at: str
    data_version: str | None = None
    code_version: str | None = None
    config: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    parent_model_id: str | None = None
    files: list[dict] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, default=str) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> "ModelManifest":
        known = {f.name for f in fields(cls)}
        missing = {"model_kind", "model_id", "created_at"} - set(data)
        if missing:
            raise ArtifactError(f"manifest lacks {sorted(missing)}")
        return cls(**{k: v for k, v in data.items() if k in known})


def _file_entries(directory: Path) -> list[dict]:
    return [
        {"path": p.relative_to(directory).as_posix(), "sha256": _sha256_file(p), "bytes": p.stat().st_size}
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    ]


def content_model_id(kind: str, files: list[dict], config: dict) -> str:
    """``<kind>-<12 hex>`` from the files' hashes and the config."""
    payload = _canonical_json({"kind": kind, "files": [(f["path"], f["sha256"]) for f in files], "config": config})
    return f"{kind}-{hashlib.sha256(payload.encode()).hexdigest()[:12]}"


def save_artifact(
    write_files: Callable[[Path], None],
    root: str | Path,
    *,
    model_kind: str,
    config: dict | None = None,
    data_version: str | None = None,
    code_version: str | None = None,
    metrics: dict | None = None,
    parent_model_id: str | None = None,
    extra: dict | None = None,
) -> tuple[Path, ModelManifest]:
    """Write an artifact under ``<root>/<model_kind>/<model_id>/`` and return (path, manifest).

    ``write_files(dir)`` writes the model's files into an empty directory (e.g.
    ``tagger.save``); ``code_version`` defaults to :func:`code_version` of this package.
    If an artifact with the same id already exists it is kept as is (same files and config)
    and returned; the new call's metrics are then not recorded.
    """
    kind_dir = Path(root) / model_kind
    kind_dir.mkdir(parents=True, exist_ok=True)
    tmp = kind_dir / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        write_files(tmp)
        files = _file_entries(tmp)
        config = dict(config or {})
        manifest = ModelManifest(
            model_kind=model_kind,
            model_id=content_model_id(model_kind, files, config),
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            data_version=data_version,
            code_version=code_version if code_version is not None else _package_code_version(),
            config=config,
            metrics=dict(metrics or {}),
            parent_model_id=parent_model_id,
            files=files,
            extra=dict(extra or {}),
        )
        (tmp / MANIFEST).write_text(manifest.to_json())
        final = kind_dir / manifest.model_id
        try:
            tmp.rename(final)
        except OSError:
            if not (final / MANIFEST).is_file():
                raise
            shutil.rmtree(tmp)  # same content already saved (possibly by a concurrent writer)
            return final, load_manifest(final)
        return final, manifest
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def save_tagger(tagger: Tagger, root: str | Path, **manifest_fields) -> tuple[Path, ModelManifest]:
    """:func:`save_artifact` for a tagger with ``save(dir)`` (config from ``config_dict()``)."""
    manifest_fields.setdefault("config", getattr(tagger, "config_dict", dict)())
    return save_artifact(tagger.save, root, model_kind=tagger.kind, **manifest_fields)


def load_manifest(path: str | Path) -> ModelManifest:
    """The manifest of the artifact directory ``path``; :class:`ArtifactError` if unreadable."""
    manifest_path = Path(path) / MANIFEST
    if not manifest_path.is_file():
        raise ArtifactError(f"{path} is not a model artifact: no {MANIFEST}")
    try:
        return ModelManifest.from_dict(json.loads(manifest_path.read_text()))
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"{manifest_path}: invalid JSON ({exc})") from exc


def verify_artifact(path: str | Path) -> ModelManifest:
    """Check that every file listed in the manifest is present with the recorded hash."""
    path = Path(path)
    manifest = load_manifest(path)
    for entry in manifest.files:
        file = path / entry["path"]
        if not file.is_file():
            raise ArtifactError(f"{path}: listed file {entry['path']} is missing")
        if _sha256_file(file) != entry["sha256"]:
            raise ArtifactError(f"{path}: {entry['path']} does not match its recorded sha256")
    return manifest


#: ``model_kind`` -> ``"module:attribute"`` of the function that opens it, imported on first
#: use: loading a CRF never imports torch, loading an ONNX model never imports transformers.
LOADERS: dict[str, str] = {
    "crf": "query_understanding.crf.tagger:CRFTagger.load",
    "transformer": "query_understanding.transformer.loaders:load_transformer_tagger",
    "onnx": "query_understanding.transformer.loaders:load_onnx_tagger",
    "cascade": "query_understanding.cascade:CascadeTagger.load",
}


def loader_for(kind: str) -> Callable[..., Tagger]:
    """The function that opens artifacts of ``kind``; :class:`ArtifactError` for an unknown kind."""
    if kind not in LOADERS:
        raise ArtifactError(f"no loader for model kind {kind!r} (known: {', '.join(sorted(LOADERS))})")
    module_name, _, attribute = LOADERS[kind].partition(":")
    target: Any = importlib.import_module(module_name)
    for name in attribute.split("."):
        target = getattr(target, name)
    return target


def load_tagger(path: str | Path, verify: bool = True, **options) -> Tagger:
    """Load the tagger in artifact directory ``path``, dispatching on its ``model_kind``.

    ``verify`` checks file hashes against the manifest first; ``options`` go to the loader
    (e.g. a device or ONNX variant for transformer kinds; the CRF loader takes none).
    """
    path = Path(path)
    manifest = verify_artifact(path) if verify else load_manifest(path)
    try:
        loader = loader_for(manifest.model_kind)
    except ImportError as exc:
        raise ArtifactError(f"{path}: cannot load {manifest.model_kind!r} models here: {exc}") from exc
    return loader(path, **options)
