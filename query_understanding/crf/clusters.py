"""Word clusters for the CRF: k-means over the local encoder's word-piece embeddings.

Why: the Brown-cluster trick. A CRF sees a word it never saw in training as nothing but its
shape and affixes; a cluster id lets ``adidas`` borrow what the model learned for ``nike``
because their embeddings are neighbours. The clusters come from the input (word-piece)
embedding matrix of the encoder the transformer fine-tunes (all-MiniLM-L6-v2, shipped in the
venv), so nothing is downloaded and the CRF needs no neural network at prediction time: a word's
feature is the cluster of its first word piece, looked up in a table.

On QueryNER dev (the CRF's default training mix, three k-means seeds), the first piece's
cluster out of 128 moved micro F1 from 0.640 to 0.657 ± 0.002; adding the last piece's cluster
(0.655 ± 0.005), the neighbours' clusters (0.651 ± 0.002) or both (0.652 ± 0.003) scored lower.
See docs/experiments.md for 64 and 256 clusters.

Stored in the CRF artifact (so its hash covers them): ``clusters.json`` (k, seed, the cluster
of every word piece) and ``clusters_tokenizer.json`` (the encoder's WordPiece tokenizer).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from tokenizers import Tokenizer

CLUSTERS_FILE = "clusters.json"
TOKENIZER_FILE = "clusters_tokenizer.json"
#: Distinct words whose pieces are remembered per process (bounded: serving sees any string).
CACHE_WORDS = 65536


class WordClusters:
    """The cluster id of a word (its first word piece's), as a string."""

    def __init__(self, tokenizer: Tokenizer, piece_clusters: Sequence[int], k: int, seed: int = 0) -> None:
        tokenizer.no_padding()  # the encoder's file pads to 128 pieces: a word's last piece would be [PAD]
        tokenizer.no_truncation()
        self.tokenizer = tokenizer
        self.piece_clusters = list(piece_clusters)
        self.k = k
        self.seed = seed
        self.unknown = tokenizer.token_to_id("[UNK]")
        self.of = lru_cache(maxsize=CACHE_WORDS)(self._of)

    def _of(self, word: str) -> str:
        ids = self.tokenizer.encode(word.lower(), add_special_tokens=False).ids or [self.unknown]
        return str(self.piece_clusters[ids[0]])

    def __getstate__(self) -> dict:
        return {**self.__dict__, "of": None, "tokenizer": self.tokenizer.to_str()}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, tokenizer=Tokenizer.from_str(state["tokenizer"]))
        self.of = lru_cache(maxsize=CACHE_WORDS)(self._of)

    def save(self, directory: Path) -> None:
        (directory / CLUSTERS_FILE).write_text(
            json.dumps({"k": self.k, "seed": self.seed, "piece_clusters": self.piece_clusters}) + "\n"
        )
        (directory / TOKENIZER_FILE).write_text(self.tokenizer.to_str())

    @classmethod
    def load(cls, directory: Path) -> "WordClusters | None":
        """The clusters saved in ``directory``, or None when it has none."""
        path = directory / CLUSTERS_FILE
        if not path.is_file():
            return None
        data = json.loads(path.read_text())
        tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        return cls(tokenizer, data["piece_clusters"], int(data["k"]), int(data.get("seed", 0)))


@lru_cache(maxsize=4)
def fit_word_clusters(encoder_dir: str | Path, k: int, seed: int = 0) -> WordClusters:
    """k-means (``k`` clusters, ``seed``) of the encoder's L2-normalized word-piece embeddings;
    special tokens (``[CLS]``, ``[unused0]``, ...) get cluster -1. Training only (scikit-learn);
    fitted once per process and arguments (a few seconds), since every CRF training needs it."""
    import numpy as np
    from safetensors.numpy import load_file
    from sklearn.cluster import MiniBatchKMeans

    encoder_dir = Path(encoder_dir)
    weights = load_file(str(encoder_dir / "model.safetensors"))
    names = [name for name in weights if name.endswith("word_embeddings.weight")]
    if not names:
        raise ValueError(f"{encoder_dir}: no word_embeddings.weight in model.safetensors")
    embeddings = weights[names[0]].astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True) + 1e-12
    tokenizer = Tokenizer.from_file(str(encoder_dir / "tokenizer.json"))
    plain = sorted(i for t, i in tokenizer.get_vocab().items() if not (t.startswith("[") and t.endswith("]")))
    kmeans = MiniBatchKMeans(k, random_state=seed, n_init=3, batch_size=4096).fit(embeddings[plain])
    clusters = np.full(len(embeddings), -1, dtype=np.int64)
    clusters[plain] = kmeans.labels_
    return WordClusters(tokenizer, clusters.tolist(), k, seed)
