"""Words <-> sub-tokens: the one encoding and decoding path for training, PyTorch and ONNX.

Queries arrive as whitespace tokens ("words"); a WordPiece model sees sub-tokens. Alignment
follows Hugging Face's ``run_ner.py``: encode the words with ``is_pretokenized`` (what a fast
tokenizer's ``is_split_into_words=True`` does), read ``word_ids()``, put each word's label on its
FIRST sub-token and ``-100`` (ignored by the loss) on later sub-tokens, special tokens and padding.
Decoding mirrors it: a word's tag is the argmax of its first sub-token's logits and its confidence
that tag's softmax probability.

Everything here runs on the Rust ``tokenizers`` backend and numpy, never on ``transformers`` or
``torch``: ``import transformers`` pulls in torch, and the ONNX serving path must not need it.
Training builds the same :class:`WordEncoder` from the Hugging Face tokenizer, so the sub-token
sequence a model is trained on is exactly the one it is served with.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
from tokenizers import Tokenizer

from query_understanding.transformer.decoding import LabelSpace, decode_word_probs

#: Label id of positions the loss and the decoder ignore (PyTorch's CrossEntropyLoss default).
IGNORE_INDEX = -100
#: Sub-token budget per query, specials included: what the default models are trained and
#: served with (saved with each model). Short queries need far less; words past the budget are
#: tagged O.
DEFAULT_MAX_LENGTH = 48
#: File, next to ``tokenizer.json``, holding the encoder settings that file does not carry.
ENCODER_CONFIG = "word_encoder.json"


@dataclass
class EncodedBatch:
    """Padded model inputs (int64 arrays ``[batch, seq]``) and each row's sub-token -> word map."""

    arrays: dict[str, np.ndarray]
    word_ids: list[list[int | None]]
    labels: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.word_ids)


@dataclass
class WordEncoder:
    """Encodes word lists for a token-classification model, padded to the longest in the batch.

    ``model_input_names`` lists what the model takes (BERT: ``token_type_ids`` too), so the same
    batch feeds PyTorch (as tensors) and ONNX Runtime (as the session's inputs).
    """

    backend: Tokenizer
    pad_token: str
    pad_id: int
    unk_token: str
    max_length: int = DEFAULT_MAX_LENGTH
    model_input_names: list[str] = field(default_factory=lambda: ["input_ids", "token_type_ids", "attention_mask"])

    def __post_init__(self) -> None:
        # A private copy: the settings below must not leak into a tokenizer someone else holds.
        self.backend = Tokenizer.from_str(self.backend.to_str())
        self.backend.no_padding()
        self.backend.enable_truncation(self.max_length)
        self.backend.enable_padding(pad_id=self.pad_id, pad_token=self.pad_token)

    @classmethod
    def from_hf(cls, tokenizer, max_length: int = DEFAULT_MAX_LENGTH) -> "WordEncoder":
        """From a Hugging Face *fast* tokenizer (the Rust backend is what word_ids() needs)."""
        if not getattr(tokenizer, "is_fast", False):
            raise TypeError("word alignment needs a fast tokenizer (tokenizer.json)")
        return cls(
            backend=tokenizer.backend_tokenizer,
            pad_token=tokenizer.pad_token,
            pad_id=tokenizer.pad_token_id,
            unk_token=tokenizer.unk_token,
            max_length=max_length,
            model_input_names=list(tokenizer.model_input_names),
        )

    @classmethod
    def from_dir(cls, directory: str | Path, max_length: int | None = None) -> "WordEncoder":
        """From ``tokenizer.json`` plus :data:`ENCODER_CONFIG` as written by :meth:`save`."""
        directory = Path(directory)
        settings = json.loads((directory / ENCODER_CONFIG).read_text())
        if max_length is not None:
            settings["max_length"] = max_length
        return cls(backend=Tokenizer.from_file(str(directory / "tokenizer.json")), **settings)

    def save(self, directory: str | Path) -> None:
        """Write ``tokenizer.json`` (the raw backend, padding/truncation off) and the settings."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        plain = Tokenizer.from_str(self.backend.to_str())
        plain.no_padding()
        plain.no_truncation()
        plain.save(str(directory / "tokenizer.json"))
        self.save_settings(directory)

    def save_settings(self, directory: str | Path) -> None:
        """Write :data:`ENCODER_CONFIG`: what ``tokenizer.json`` does not carry (``max_length``...)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        settings = {
            "pad_token": self.pad_token,
            "pad_id": self.pad_id,
            "unk_token": self.unk_token,
            "max_length": self.max_length,
            "model_input_names": self.model_input_names,
        }
        (directory / ENCODER_CONFIG).write_text(json.dumps(settings, indent=2) + "\n")

    def encode(
        self,
        token_lists: Sequence[Sequence[str]],
        tag_ids: Sequence[Sequence[int]] | None = None,
    ) -> EncodedBatch:
        """Encode a batch; with ``tag_ids`` (one label id per word) also the aligned labels.

        A word the tokenizer drops entirely (a zero-width space, a control character) is
        replaced by the unknown token, so every word owns a first sub-token and gets a tag.
        """
        words = [list(tokens) for tokens in token_lists]
        encodings = self.backend.encode_batch(words, is_pretokenized=True) if words else []
        changed = False
        for i, (ws, enc) in enumerate(zip(words, encodings)):
            if len({w for w in enc.word_ids if w is not None}) < len(ws):  # dropped or truncated
                filled = self._fill_dropped(ws)
                changed |= filled != ws
                words[i] = filled
        if changed:
            encodings = self.backend.encode_batch(words, is_pretokenized=True)
        arrays = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        if not encodings:
            arrays = {k: v.reshape(0, 0) for k, v in arrays.items()}
        arrays = {k: v for k, v in arrays.items() if k in self.model_input_names}
        word_ids = [list(e.word_ids) for e in encodings]
        labels = None
        if tag_ids is not None:
            if len(tag_ids) != len(words):
                raise ValueError(f"{len(words)} token lists but {len(tag_ids)} tag lists")
            rows = [align_labels(ids, tags) for ids, tags in zip(word_ids, tag_ids)]
            labels = np.array(rows, dtype=np.int64).reshape(len(rows), -1)
        return EncodedBatch(arrays, word_ids, labels)

    def _fill_dropped(self, words: list[str]) -> list[str]:
        """``words`` with each word that yields no sub-token replaced by the unknown token."""
        pieces = [self.backend.encode([w], is_pretokenized=True, add_special_tokens=False) for w in words]
        return [w if any(i is not None for i in p.word_ids) else self.unk_token for w, p in zip(words, pieces)]


def align_labels(word_ids: Sequence[int | None], word_labels: Sequence[int]) -> list[int]:
    """Per-sub-token labels: the word's label on its first sub-token, ``-100`` everywhere else."""
    labels: list[int] = []
    previous: int | None = None
    for word_id in word_ids:
        if word_id is None or word_id == previous:
            labels.append(IGNORE_INDEX)
        else:
            labels.append(int(word_labels[word_id]))
        previous = word_id
    return labels


def sorted_chunks(token_lists: Sequence[Sequence[str]], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, so little compute goes to padding."""
    order = sorted(range(len(token_lists)), key=lambda i: len(token_lists[i]))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def softmax(logits: np.ndarray) -> np.ndarray:
    """Numerically stable softmax over the last axis (float64, so probabilities sum to 1)."""
    shifted = logits.astype(np.float64) - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def first_subtokens(word_ids: Sequence[int | None]) -> dict[int, int]:
    """Word index -> position of its first sub-token (the one that votes for the word)."""
    first: dict[int, int] = {}
    for position, word_id in enumerate(word_ids):
        if word_id is not None and word_id not in first:
            first[word_id] = position
    return first


def word_label_probs(logits: np.ndarray, word_ids: Sequence[int | None], n_words: int, space: LabelSpace) -> np.ndarray:
    """``[n_words, len(LABELS)]``: each word's project-label probabilities from its first
    sub-token (after the label collapse); a word cut off by ``max_length`` gets a row of zeros.
    What :func:`decode_words` decodes, for callers that combine it with another model's."""
    probs = np.zeros((n_words, space.matrix.shape[1]))
    first = first_subtokens(word_ids)
    if first:
        words = sorted(first)
        probs[words] = softmax(logits[[first[w] for w in words]]) @ space.matrix
    return probs


def decode_words(
    logits: np.ndarray,
    word_ids: Sequence[int | None],
    n_words: int,
    labels: Mapping[int, str] | LabelSpace,
    decoding: str = "argmax",
) -> tuple[list[str], list[float]]:
    """Tags and confidences of ``n_words`` words from one row of logits ``[seq, num_labels]``.

    Only each word's first sub-token votes; its softmax goes through
    :func:`~query_understanding.transformer.decoding.decode_word_probs` (label collapse, then
    argmax or BIO-constrained Viterbi). A word with no sub-token (cut off by ``max_length``) is
    tagged ``O`` with confidence 0.0: the model never saw it.
    """
    space = labels if isinstance(labels, LabelSpace) else LabelSpace(dict(labels))
    first = first_subtokens(word_ids)
    tags = ["O"] * n_words
    scores = [0.0] * n_words
    if first:
        words = sorted(first)
        word_tags, word_scores = decode_word_probs(softmax(logits[[first[w] for w in words]]), space, decoding)
        for word, tag, score in zip(words, word_tags, word_scores):
            tags[word], scores[word] = tag, score
    return tags, scores
