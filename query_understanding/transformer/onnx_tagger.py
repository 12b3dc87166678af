"""ONNX Runtime tagger (kind ``"onnx"``): the serving model, with no torch or transformers.

``import transformers`` imports torch (about 1.5 s and hundreds of MB), so this module reads
the tokenizer with the Rust ``tokenizers`` package and decodes with numpy through the same
:mod:`~query_understanding.transformer.alignment` code the PyTorch tagger uses. A unit test
checks in a fresh interpreter that importing and running it leaves torch out of ``sys.modules``.

The execution provider is chosen by :func:`select_providers` (CUDA first when this onnxruntime
build offers it) and the one that actually runs is recorded in :attr:`OnnxTagger.provider`:
ONNX Runtime silently falls back to CPU when CUDA libraries are missing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Sequence

import numpy as np
import onnxruntime as ort

from query_understanding.transformer.alignment import EncodedBatch, WordEncoder
from query_understanding.transformer.decoding import DecoderSettings
from query_understanding.transformer.subword import SubwordTagger

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"
#: Files of an exported directory (written by :mod:`query_understanding.transformer.export`).
ONNX_FILES = {"fp32": "model.onnx", "int8": "model.int8.onnx"}
TAGGER_CONFIG = "onnx_tagger.json"


def select_providers(available: Sequence[str], prefer_gpu: bool = True) -> list[str]:
    """Providers to request, in order: CUDA (when offered and wanted), then always CPU.

    Pure, so the choice is testable on machines without a GPU; CPU stays as the fallback
    ONNX Runtime uses for any operator or device the first provider cannot take.
    """
    providers = [CUDA] if prefer_gpu and CUDA in available else []
    return providers + [CPU]


def make_session(
    model_path: str | Path,
    prefer_gpu: bool = True,
    intra_op_threads: int | None = None,
) -> ort.InferenceSession:
    """An inference session with full graph optimisation and the selected providers.

    ``intra_op_threads`` bounds the threads one request uses (None: ONNX Runtime's default,
    one per core); a service running several workers on a small machine wants 1 or 2.
    """
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.inter_op_num_threads = 1
    if intra_op_threads:
        options.intra_op_num_threads = intra_op_threads
    options.log_severity_level = 3  # errors only: CUDA-fallback notices would flood service logs
    providers = select_providers(ort.get_available_providers(), prefer_gpu)
    return ort.InferenceSession(str(model_path), sess_options=options, providers=providers)


class OnnxTagger(SubwordTagger):
    """Batched, length-sorted ONNX inference decoded to word tags and confidences."""

    kind = "onnx"

    def __init__(
        self,
        model_path: str | Path,
        encoder: WordEncoder,
        id2label: dict[int, str],
        batch_size: int = 64,
        intra_op_threads: int | None = None,
        prefer_gpu: bool = True,
        variant: str | None = None,
        decoder: DecoderSettings | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        self.encoder = encoder
        self.id2label = {int(k): v for k, v in id2label.items()}
        self.set_decoder(decoder)  # raises on labels outside the project's set
        self.batch_size = batch_size
        self.variant = variant
        self.session = make_session(self.model_path, prefer_gpu, intra_op_threads)
        #: The provider that really runs the graph, e.g. "CPUExecutionProvider".
        self.provider: str = self.session.get_providers()[0]
        self.input_names = [i.name for i in self.session.get_inputs()]
        missing = set(self.input_names) - {"input_ids", "attention_mask", "token_type_ids"}
        if missing:
            raise ValueError(f"{self.model_path} expects unsupported inputs {sorted(missing)}")

    @classmethod
    def from_dir(
        cls,
        directory: str | Path,
        variant: str = "int8",
        max_length: int | None = None,
        **kwargs,
    ) -> "OnnxTagger":
        """Load an exported directory; ``variant`` is ``"int8"`` (default) or ``"fp32"``."""
        if variant not in ONNX_FILES:
            raise ValueError(f"variant must be one of {sorted(ONNX_FILES)}, got {variant!r}")
        directory = Path(directory)
        config = json.loads((directory / TAGGER_CONFIG).read_text())
        files = config.get("files") or ONNX_FILES
        if variant not in files:
            raise FileNotFoundError(f"{directory} holds no {variant!r} graph (has {sorted(files)})")
        model_path = directory / files[variant]
        if not model_path.exists():
            raise FileNotFoundError(f"{model_path} not found (variant {variant!r})")
        encoder = WordEncoder.from_dir(directory, max_length)
        kwargs.setdefault("decoder", DecoderSettings.load(directory))
        return cls(model_path, encoder, config["id2label"], variant=variant, **kwargs)

    def config_dict(self) -> dict:
        """What the artifact manifest records about this tagger."""
        return {
            "variant": self.variant,
            "max_length": self.encoder.max_length,
            "batch_size": self.batch_size,
            "decoding": self.decoder.decoding,
            "label_collapse": self.decoder.label_collapse,
        }

    def save(self, directory: str | Path) -> None:
        """Write a self-contained folder holding only this tagger's graph (one variant)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        variant = self.variant or "fp32"
        shutil.copyfile(self.model_path, directory / ONNX_FILES[variant])
        self.encoder.save(directory)
        self.decoder.save(directory)
        config = {
            "format_version": 1,
            "id2label": {str(k): v for k, v in self.id2label.items()},
            "files": {variant: ONNX_FILES[variant]},
            "input_names": self.input_names,
        }
        (directory / TAGGER_CONFIG).write_text(json.dumps(config, indent=2) + "\n")

    def batch_logits(self, batch: EncodedBatch) -> np.ndarray:
        """Logits ``[batch, seq, labels]`` of one encoded batch (inputs the graph lacks are ignored)."""
        feed = {name: batch.arrays[name] for name in self.input_names}
        return self.session.run(["logits"], feed)[0]
