"""PyTorch tagger (kind ``"transformer"``) over a token-classification model.

The reference implementation: the ONNX export is checked against it, and training uses it to
score dev F1, so the number a training run reports is produced by the serving decoder.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from query_understanding.transformer.alignment import DEFAULT_MAX_LENGTH, ENCODER_CONFIG, EncodedBatch, WordEncoder
from query_understanding.transformer.decoding import DecoderSettings, LabelSpace
from query_understanding.transformer.subword import SubwordTagger


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """``"auto"``/None -> CUDA when available, else CPU; anything else as given."""
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def label_map(config, collapse: dict[str, str] | None = None) -> dict[int, str]:
    """``id2label`` of a model config, checked to (collapse onto) the project's BIO label set."""
    id2label = {int(k): v for k, v in config.id2label.items()}
    LabelSpace(id2label, collapse)  # raises on a label outside the project's set
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
        decoder: DecoderSettings | None = None,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.encoder = tokenizer if isinstance(tokenizer, WordEncoder) else WordEncoder.from_hf(tokenizer, max_length)
        self.batch_size = batch_size
        self.id2label = {int(k): v for k, v in model.config.id2label.items()}
        self.set_decoder(decoder)
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
        kwargs.setdefault("decoder", DecoderSettings.load(directory))
        return cls(model, tokenizer, device=device, **kwargs)

    def config_dict(self) -> dict:
        """What the artifact manifest records about this tagger."""
        return {
            "max_length": self.encoder.max_length,
            "batch_size": self.batch_size,
            "base_model": getattr(self.model.config, "_name_or_path", None),
            "decoding": self.decoder.decoding,
            "label_collapse": self.decoder.label_collapse,
        }

    def save(self, directory: str | Path) -> None:
        """``save_pretrained`` model (label maps in config.json) and tokenizer into ``directory``,
        plus the encoder settings inference depends on (``max_length``) in ``word_encoder.json``
        and the decoder settings in ``decoder.json``."""
        if isinstance(self.tokenizer, WordEncoder):
            raise TypeError("saving needs the Hugging Face tokenizer the tagger was built with")
        self.model.save_pretrained(str(directory))
        self.tokenizer.save_pretrained(str(directory))
        self.encoder.save_settings(directory)
        self.decoder.save(directory)

    def batch_logits(self, batch: EncodedBatch) -> np.ndarray:
        """Float32 logits ``[batch, seq, labels]`` of one encoded batch."""
        self.model.eval()
        with torch.no_grad():
            out = self.model(**to_tensors(batch, self.device)).logits
        return out.float().cpu().numpy()
