"""Per-word label probabilities -> project BIO tags: label collapsing and constrained decoding.

Both sub-word taggers (PyTorch and ONNX) decode through :func:`decode_word_probs`, so whatever
is chosen here runs identically on both sides of an export; it is numpy only (no torch).

- **Collapse.** A model may be trained on a finer label set than the project's (QueryNER's 17
  types). ``label_collapse`` maps a source type to a project type (``creator -> BRAND``);
  unmapped types become ``O``. Probabilities are *summed* into the project labels, so
  ``P(B-BRAND)`` is the mass of every source label that means "a brand starts here".
- **Decoding.** ``"argmax"`` takes each word's best label (may emit ``I-X`` after ``O``, which
  span extraction then repairs); ``"viterbi"`` finds the best BIO-valid sequence under the
  word probabilities with fixed transitions: no ``I-X`` at the start, after ``O`` or after
  another type.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from query_understanding.schema import LABELS, QUERYNER_COLLAPSE, collapse_label

__all__ = ["QUERYNER_COLLAPSE", "DecoderSettings", "LabelSpace", "collapse_label", "decode_word_probs", "viterbi"]

#: File, beside the model, holding :class:`DecoderSettings` (torch folders and ONNX exports).
DECODER_CONFIG = "decoder.json"
DECODINGS = ("argmax", "viterbi")


@dataclass
class DecoderSettings:
    """How a tagger turns label probabilities into project tags (saved with the model)."""

    decoding: str = "argmax"
    label_collapse: dict[str, str] | None = None  # None: the model's labels are project labels

    def __post_init__(self) -> None:
        if self.decoding not in DECODINGS:
            raise ValueError(f"decoding must be one of {DECODINGS}, got {self.decoding!r}")

    def save(self, directory: str | Path) -> None:
        Path(directory).mkdir(parents=True, exist_ok=True)
        (Path(directory) / DECODER_CONFIG).write_text(json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, directory: str | Path) -> "DecoderSettings":
        """The saved settings, or the defaults for a folder written before they existed."""
        path = Path(directory) / DECODER_CONFIG
        return cls(**json.loads(path.read_text())) if path.is_file() else cls()


@dataclass
class LabelSpace:
    """The model's labels, the project labels they collapse onto, and the summing matrix."""

    model_id2label: dict[int, str]
    collapse: dict[str, str] | None = None
    matrix: np.ndarray = field(init=False)  # [model labels, project labels]

    def __post_init__(self) -> None:
        targets = {i: collapse_label(label, self.collapse) for i, label in self.model_id2label.items()}
        unknown = sorted(set(targets.values()) - set(LABELS))
        if unknown:
            raise ValueError(f"model labels collapse to {unknown}, not in the project's label set {LABELS}")
        self.matrix = np.zeros((len(self.model_id2label), len(LABELS)))
        for i, target in targets.items():
            self.matrix[i, LABELS.index(target)] = 1.0


def allowed_transitions() -> tuple[np.ndarray, np.ndarray]:
    """``(start [L], transition [L, L])`` booleans over :data:`LABELS` for strict BIO."""
    start = np.array([not label.startswith("I-") for label in LABELS])
    allowed = np.ones((len(LABELS), len(LABELS)), dtype=bool)
    for j, label in enumerate(LABELS):
        if label.startswith("I-"):
            entity_type = label[2:]
            allowed[:, j] = [prev in (f"B-{entity_type}", f"I-{entity_type}") for prev in LABELS]
    return start, allowed


_START, _ALLOWED = allowed_transitions()


def viterbi(probs: np.ndarray) -> np.ndarray:
    """Label indices (into :data:`LABELS`) of the most probable BIO-valid path; ``probs`` is
    ``[words, len(LABELS)]``. Forbidden moves cost ``-inf``, allowed ones nothing."""
    if len(probs) == 0:
        return np.zeros(0, dtype=np.int64)
    log_p = np.log(np.clip(probs, 1e-12, None))
    penalty = np.where(_ALLOWED, 0.0, -np.inf)
    score = log_p[0] + np.where(_START, 0.0, -np.inf)
    back = np.zeros((len(probs), len(LABELS)), dtype=np.int64)
    for t in range(1, len(probs)):
        candidates = score[:, None] + penalty  # [previous, current]
        back[t] = candidates.argmax(axis=0)
        score = candidates.max(axis=0) + log_p[t]
    path = [int(score.argmax())]
    for t in range(len(probs) - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return np.array(path[::-1], dtype=np.int64)


def decode_word_probs(
    model_probs: np.ndarray, space: LabelSpace, decoding: str = "argmax"
) -> tuple[list[str], list[float]]:
    """Project tags and confidences of words from their model-label probabilities ``[words, L]``."""
    probs = model_probs @ space.matrix
    best = viterbi(probs) if decoding == "viterbi" else probs.argmax(axis=-1)
    return [LABELS[int(i)] for i in best], [float(probs[w, int(i)]) for w, i in enumerate(best)]
