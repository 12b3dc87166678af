"""Linear-chain CRF tagger: training, prediction with confidences, save/load.

sklearn-crfsuite is used only to *train* (it wires up python-crfsuite's trainer options); the
trained model is kept as the crfsuite model bytes and served through ``pycrfsuite.Tagger``
opened in memory. That isolates its quirks here (0.5 returns numpy object arrays from
``predict``; the estimator keeps a temp model file) and makes a ``CRFTagger`` picklable and
exactly reproducible from ``model.crfsuite`` + ``config.json`` + ``gazetteer.json`` (+ the word
clusters' two files, :mod:`query_understanding.crf.clusters`). Serving imports only pycrfsuite
and tokenizers, not scikit-learn.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Iterable, Sequence

import pycrfsuite

from query_understanding.crf.clusters import WordClusters, fit_word_clusters
from query_understanding.crf.features import FeatureConfig, token_features
from query_understanding.example import Example
from query_understanding.gazetteer import Gazetteer
from query_understanding.schema import LABELS, collapse_label
from query_understanding.tagger import Tagger

MODEL_FILE = "model.crfsuite"
CONFIG_FILE = "config.json"
GAZETTEER_FILE = "gazetteer.json"


@dataclass(frozen=True, slots=True)
class CRFConfig(FeatureConfig):
    """L-BFGS training hyper-parameters on top of the feature switches it inherits (one
    definition each: a CRFConfig *is* the FeatureConfig its features are built with).

    ``c1`` / ``c2`` are the L1 / L2 regularization strengths. Gazetteer features are used only
    when ``use_gazetteer`` is on *and* a gazetteer is given to :func:`train_crf`.
    """

    c1: float = 0.1
    c2: float = 0.05
    max_iterations: int = 100
    all_possible_transitions: bool = True
    min_freq: int = 0
    #: Entity types whose training spans join the gazetteer (e.g. ``("BRAND",)``): real brand
    #: strings the catalog lacks. Empty: the catalog gazetteer only.
    gazetteer_from_train: tuple[str, ...] = ()
    #: Trained on finer source types (QueryNER's 17): {source type: project type} applied to
    #: each predicted tag, unmapped types -> O. None: trained on project labels.
    label_collapse: dict[str, str] | None = None
    #: k-means seed of the word clusters (``word_clusters``, a feature switch).
    cluster_seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "gazetteer_from_train", tuple(self.gazetteer_from_train))

    def replace(self, **changes) -> "CRFConfig":
        return CRFConfig(**{**asdict(self), **changes})

    def to_dict(self) -> dict:
        """JSON-shaped (a tuple as a list), so a manifest reads back equal to what was saved."""
        return {**asdict(self), "gazetteer_from_train": list(self.gazetteer_from_train)}

    @classmethod
    def from_dict(cls, data: dict) -> "CRFConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown CRFConfig fields: {sorted(unknown)}")
        return cls(**data)


class CRFTagger(Tagger):
    """A trained CRF; thread-safe prediction with per-token marginal confidences."""

    kind = "crf"

    def __init__(
        self,
        model_bytes: bytes,
        config: CRFConfig = CRFConfig(),
        gazetteer: Gazetteer | None = None,
        train_seconds: float | None = None,
        clusters: WordClusters | None = None,
    ):
        self.model_bytes = bytes(model_bytes)
        self.config = config
        self.gazetteer = gazetteer
        self.clusters = clusters
        self.train_seconds = train_seconds
        self._open()

    def _open(self) -> None:
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(self.model_bytes)
        # pycrfsuite keeps the sequence being tagged inside the Tagger: one at a time.
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("_tagger", "_lock")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._open()

    @property
    def labels(self) -> list[str]:
        """Labels the model has seen in training."""
        return list(self._tagger.labels())

    def features(self, tokens: Sequence[str]) -> list[dict]:
        """The exact feature dicts the model sees for ``tokens`` (useful when debugging)."""
        return token_features(tokens, self.config, self.gazetteer, self.clusters)

    def predict_tags_with_scores(
        self, token_lists: Sequence[Sequence[str]]
    ) -> list[tuple[list[str], list[float] | None]]:
        results: list[tuple[list[str], list[float] | None]] = []
        for tokens in token_lists:
            if not tokens:
                results.append(([], []))
                continue
            xseq = self.features(list(tokens))
            with self._lock:
                tags = [str(t) for t in self._tagger.tag(xseq)]
                scores = [float(self._tagger.marginal(t, i)) for i, t in enumerate(tags)]
            results.append(([collapse_label(t, self.config.label_collapse) for t in tags], scores))
        return results

    def predict_label_probs(self, token_lists: Sequence[Sequence[str]]):
        """Per query, ``[tokens, len(LABELS)]`` marginal probabilities of every project label
        (a model trained on more labels sums onto the ones they collapse to); for blending
        with the transformer (:mod:`query_understanding.blending`)."""
        import numpy as np

        index = {label: i for i, label in enumerate(LABELS)}
        results = []
        for tokens in token_lists:
            probs = np.zeros((len(tokens), len(LABELS)))
            if tokens:
                xseq = self.features(list(tokens))
                with self._lock:
                    self._tagger.set(xseq)
                    for label in self._tagger.labels():
                        column = index[collapse_label(label, self.config.label_collapse)]
                        for t in range(len(tokens)):
                            probs[t, column] += self._tagger.marginal(label, t)
            results.append(probs)
        return results

    def config_dict(self) -> dict:
        """Config recorded in artifact manifests (hyper-parameters + gazetteer size)."""
        return {**self.config.to_dict(), "gazetteer_size": len(self.gazetteer or ())}

    def save(self, directory: str | Path) -> None:
        """Write ``model.crfsuite``, ``config.json`` and (if any) ``gazetteer.json``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / MODEL_FILE).write_bytes(self.model_bytes)
        (directory / CONFIG_FILE).write_text(
            json.dumps({"kind": self.kind, "config": self.config.to_dict()}, indent=2, sort_keys=True) + "\n"
        )
        if self.gazetteer is not None:
            self.gazetteer.save(directory / GAZETTEER_FILE)
        if self.clusters is not None:
            self.clusters.save(directory)

    @classmethod
    def load(cls, directory: str | Path) -> "CRFTagger":
        directory = Path(directory)
        model = directory / MODEL_FILE
        if not model.is_file():
            raise FileNotFoundError(f"no CRF model file {model}")
        meta = json.loads((directory / CONFIG_FILE).read_text())
        gaz_path = directory / GAZETTEER_FILE
        gazetteer = Gazetteer.load(gaz_path) if gaz_path.is_file() else None
        # A config saved before word clusters existed has no such key: that CRF had none.
        config = CRFConfig.from_dict({"word_clusters": 0, **meta["config"]})
        clusters = WordClusters.load(directory)
        if config.word_clusters and clusters is None:
            raise FileNotFoundError(f"{directory}: the CRF uses word clusters but has no cluster files")
        return cls(model.read_bytes(), config, gazetteer, clusters=clusters)


def train_crf(
    train_examples: Iterable[Example],
    config: CRFConfig = CRFConfig(),
    gazetteer: Gazetteer | None = None,
    clusters: WordClusters | None = None,
) -> CRFTagger:
    """Train a CRF on gold examples (anything with ``tokens`` and ``tags``). With
    ``word_clusters`` and no ``clusters`` given, they are fitted on the local encoder."""
    import sklearn_crfsuite  # imports scikit-learn (~1 s): only training pays for it

    if config.word_clusters and (clusters is None or clusters.k != config.word_clusters):
        from query_understanding.transformer.config import default_base_model

        clusters = fit_word_clusters(default_base_model(), config.word_clusters, config.cluster_seed)
    if not config.word_clusters:
        clusters = None

    examples = [e for e in train_examples if e.tokens]
    if not examples:
        raise ValueError("no training examples with tokens")
    gaz = gazetteer if config.use_gazetteer else None
    if gaz is not None:
        for entity_type in config.gazetteer_from_train:
            spans = [text for e in examples for kind, text in e.entity_texts() if kind == entity_type]
            gaz = gaz.with_surfaces(entity_type, spans)
    xs = [token_features(e.tokens, config, gaz, clusters) for e in examples]
    ys = [list(e.tags) for e in examples]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="qu-crf-") as tmp:
        path = Path(tmp) / MODEL_FILE
        crf = sklearn_crfsuite.CRF(
            algorithm="lbfgs",
            c1=config.c1,
            c2=config.c2,
            max_iterations=config.max_iterations,
            all_possible_transitions=config.all_possible_transitions,
            min_freq=config.min_freq,
            model_filename=str(path),
        )
        crf.fit(xs, ys)
        model_bytes = path.read_bytes()
    seconds = round(time.perf_counter() - started, 3)
    return CRFTagger(model_bytes, config, gaz, train_seconds=seconds, clusters=clusters)
