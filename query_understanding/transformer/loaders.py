"""Opening transformer artifacts: the entries of ``query_understanding.artifacts.LOADERS``.

- ``"transformer"``: a folder written by :meth:`TorchTagger.save` -> :class:`TorchTagger`;
- ``"onnx"``: a folder with ``model.onnx`` / ``model.int8.onnx``, ``tokenizer.json``,
  ``word_encoder.json`` and ``onnx_tagger.json`` -> :class:`OnnxTagger`.

Each function imports its tagger module when called, so opening an ONNX model never imports torch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
