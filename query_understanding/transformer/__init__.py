"""Transformer taggers: fine-tuning, PyTorch inference, ONNX export and ONNX Runtime serving.

Importing this package is cheap and torch-free: submodules load on demand, so a server that
only uses :mod:`~query_understanding.transformer.onnx_tagger` never imports torch. The
artifacts module calls :func:`register_loaders` to learn how to open the two artifact kinds:

- ``"transformer"``: a ``save_pretrained`` folder -> :class:`TorchTagger`;
- ``"onnx"``: a folder with ``model.onnx`` / ``model.int8.onnx``, ``tokenizer.json``,
  ``word_encoder.json`` and ``onnx_tagger.json`` -> :class:`OnnxTagger`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import query_understanding.offline  # noqa: F401

MANIFEST_NAMES = ("manifest.json",)


def _model_folder(path: str | Path, marker: str) -> Path:
    """The folder holding ``marker``: ``path`` itself, its parent (a file was given) or a child."""
    path = Path(path)
    folder = path.parent if path.is_file() else path
    if (folder / marker).exists():
        return folder
    children = [c for c in sorted(folder.iterdir()) if c.is_dir() and (c / marker).exists()]
    if len(children) == 1:
        return children[0]
    raise FileNotFoundError(f"no {marker} in {folder} or exactly one of its sub-folders")


def _manifest(folder: Path, manifest: Any) -> dict:
    if isinstance(manifest, dict):
        return manifest
    for name in MANIFEST_NAMES:
        for candidate in (folder / name, folder.parent / name):
            if candidate.exists():
                return json.loads(candidate.read_text())
    return {}


def load_transformer_tagger(path: str | Path, manifest: Any = None, **options):
    """Open a ``save_pretrained`` folder as a :class:`TorchTagger` (options: device, batch_size)."""
    from query_understanding.transformer.torch_tagger import TorchTagger

    return TorchTagger.from_dir(_model_folder(path, "config.json"), **options)


def load_onnx_tagger(path: str | Path, manifest: Any = None, **options):
    """Open an exported folder as an :class:`OnnxTagger`.

    The variant comes from ``options``, else the manifest's ``variant`` (or ``onnx_variant``),
    (top level, ``config`` or ``extra``), else int8 when that file exists, else fp32.
    """
    from query_understanding.transformer.onnx_tagger import ONNX_FILES, TAGGER_CONFIG, OnnxTagger

    folder = _model_folder(path, TAGGER_CONFIG)
    meta = _manifest(folder, manifest)
    sections = [meta, meta.get("config") or {}, meta.get("extra") or {}]
    variant = options.pop("variant", None) or next(
        (d[k] for d in sections for k in ("variant", "onnx_variant") if d.get(k)), None
    )
    if variant is None:
        variant = "int8" if (folder / ONNX_FILES["int8"]).exists() else "fp32"
    return OnnxTagger.from_dir(folder, variant=variant, **options)


def register_loaders(register: Callable[[str, Callable[..., Any]], Any]) -> None:
    """Register the ``"transformer"`` and ``"onnx"`` loaders with ``register(kind, fn)``.

    Each ``fn(path, manifest=None, **options)`` returns a
    :class:`~query_understanding.tagger.Tagger`; ``path`` may be the model folder, a file in
    it, or an artifact folder with the model in a single sub-folder.
    """
    register("transformer", load_transformer_tagger)
    register("onnx", load_onnx_tagger)


def _register_with_artifacts() -> None:
    """``artifacts.load_tagger`` imports this package for unknown kinds: register on import."""
    from query_understanding import artifacts

    register_loaders(artifacts.register_loader)


_register_with_artifacts()

__all__ = ["load_onnx_tagger", "load_transformer_tagger", "register_loaders"]
