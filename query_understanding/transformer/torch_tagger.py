"""PyTorch tagger (kind ``"transformer"``) over a token-classification model.

The reference implementation: the ONNX export is checked against it, and training uses it to
score dev F1, so the number a training run reports is produced by the serving decoder.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from query_understanding.schema import LABELS
from query_understanding.transformer.alignment import DEFAULT_MAX_LENGTH, ENCODER_CONFIG, EncodedBatch, WordEncoder
from query_understanding.transformer.subword import SubwordTagger


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """``"auto"``/None -> CUDA when available, else CPU; anything else as given."""
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def label_map(config) -> dict[int, str]:
    """``id2label`` of a model config, checked against the project's BIO label set."""
    id2label = {int(k): v for k, v in config.id2label.items()}
    unknown = sorted(set(id2label.values()) - set(LABELS))
    if unknown:
        raise ValueError(f"model labels {unknown} are not in the project's label set {LABELS}")
    return id2label


def to_tensors(batch: EncodedBatch, device: torch.device) -> dict[str, torch.Tensor]:
    """The batch's model inputs as tensors on ``device``."""
    return {k: torch.from_numpy(v).to(device) for k, v in batch.arrays.items()}


class TorchTagger(SubwordTagger):
    """Batched inference in eval mode without gradients; word tags plus confidences."""

    kind = "transformer"

    def __init__(
        self,
        model,
        tokenizer,
        batch_size: int = 64,
        max_length: int = DEFAULT_MAX_LENGTH,
        device: str | torch.device | None = None,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.encoder = tokenizer if isinstance(tokenizer, WordEncoder) else WordEncoder.from_hf(tokenizer, max_length)
        self.batch_size = batch_size
        self.id2label = label_map(model.config)
        # None keeps the model where it is (training scores dev F1 on the training device).
        self.device = next(model.parameters()).device if device is None else resolve_device(device)
        self.model.to(self.device)

    @classmethod
    def from_dir(cls, directory: str | Path, device: str | None = "auto", **kwargs) -> "TorchTagger":
        """Load a directory written by :meth:`save` (model, fast tokenizer, label maps in config,
        the encoder settings such as ``max_length`` in ``word_encoder.json``)."""
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        model = AutoModelForTokenClassification.from_pretrained(str(directory))
        tokenizer = AutoTokenizer.from_pretrained(str(directory))
        encoder_config = Path(directory) / ENCODER_CONFIG
        if encoder_config.is_file() and "max_length" not in kwargs:
            kwargs["max_length"] = int(json.loads(encoder_config.read_text())["max_length"])
        return cls(model, tokenizer, device=device, **kwargs)

    def config_dict(self) -> dict:
        """What the artifact manifest records about this tagger."""
        return {
            "max_length": self.encoder.max_length,
            "batch_size": self.batch_size,
            "base_model": getattr(self.model.config, "_name_or_path", None),
        }

    def save(self, directory: str | Path) -> None:
        """``save_pretrained`` model (label maps in config.json) and tokenizer into ``directory``,
        plus the encoder settings inference depends on (``max_length``) in ``word_encoder.json``."""
        if isinstance(self.tokenizer, WordEncoder):
            raise TypeError("saving needs the Hugging Face tokenizer the tagger was built with")
        self.model.save_pretrained(str(directory))
        self.tokenizer.save_pretrained(str(directory))
        self.encoder.save_settings(directory)

    def batch_logits(self, batch: EncodedBatch) -> np.ndarray:
        """Float32 logits ``[batch, seq, labels]`` of one encoded batch."""
        self.model.eval()
        with torch.no_grad():
            out = self.model(**to_tensors(batch, self.device)).logits
        return out.float().cpu().numpy()
