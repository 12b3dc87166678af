"""The base of the two sub-word taggers (PyTorch and ONNX Runtime): one batched decode path.

Both encode word lists with the same :class:`~query_understanding.transformer.alignment.WordEncoder`,
run a model over length-sorted chunks and decode each word from its first sub-token with the same
:class:`~query_understanding.transformer.decoding.DecoderSettings` (label collapse, argmax or
BIO Viterbi); only how logits are computed differs, so that is the one method a subclass provides.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Sequence

import numpy as np

from query_understanding.tagger import Tagger
from query_understanding.transformer.alignment import (
    EncodedBatch,
    WordEncoder,
    decode_words,
    sorted_chunks,
    word_label_probs,
)
from query_understanding.transformer.decoding import DecoderSettings, LabelSpace


class SubwordTagger(Tagger):
    """A tagger over a token-classification model; subclasses set ``encoder``, ``id2label`` (the
    model's labels), ``batch_size``, call :meth:`set_decoder` and implement :meth:`batch_logits`."""

    encoder: WordEncoder
    id2label: dict[int, str]
    batch_size: int
    decoder: DecoderSettings
    label_space: LabelSpace

    def set_decoder(self, decoder: DecoderSettings | None = None) -> None:
        """Decode with ``decoder`` (default: argmax over project labels); checks the labels."""
        self.decoder = decoder or DecoderSettings()
        self.label_space = LabelSpace(self.id2label, self.decoder.label_collapse)

    @abstractmethod
    def batch_logits(self, batch: EncodedBatch) -> np.ndarray:
        """Float32 logits ``[batch, seq, labels]`` of one encoded batch."""

    def _logit_rows(self, token_lists: Sequence[Sequence[str]]):
        """``(index, logits [seq, labels], word ids)`` of every query, run in length-sorted batches."""
        for chunk in sorted_chunks(token_lists, self.batch_size):
            batch = self.encoder.encode([token_lists[i] for i in chunk])
            logits = self.batch_logits(batch)
            for row, i in enumerate(chunk):
                yield i, logits[row], batch.word_ids[row]

    def predict_tags_with_scores(
        self, token_lists: Sequence[Sequence[str]]
    ) -> list[tuple[list[str], list[float] | None]]:
        results: list[tuple[list[str], list[float] | None]] = [([], [])] * len(token_lists)
        for i, logits, word_ids in self._logit_rows(token_lists):
            results[i] = decode_words(logits, word_ids, len(token_lists[i]), self.label_space, self.decoder.decoding)
        return results

    def predict_label_probs(self, token_lists: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Per query, ``[words, len(LABELS)]`` project-label probabilities before decoding
        (what :meth:`predict_tags_with_scores` decodes; :mod:`query_understanding.blending`
        mixes them with the CRF's marginals)."""
        results: list[np.ndarray] = [np.zeros((0, self.label_space.matrix.shape[1]))] * len(token_lists)
        for i, logits, word_ids in self._logit_rows(token_lists):
            results[i] = word_label_probs(logits, word_ids, len(token_lists[i]), self.label_space)
        return results
