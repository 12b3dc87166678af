"""Specification: word clusters come from the local encoder's word-piece embeddings, give a word
its first piece's cluster whatever its casing, travel inside the CRF artifact, and a CRF that
uses them refuses to load without them."""

from __future__ import annotations

import json
import pickle

import pytest

from query_understanding.crf import CRFConfig, CRFTagger, train_crf
from query_understanding.crf.clusters import CLUSTERS_FILE, fit_word_clusters
from query_understanding.crf.features import token_features
from query_understanding.transformer.config import default_base_model

K = 8  # few clusters: a fast k-means; the shipped default is in CRFConfig


@pytest.fixture(scope="module")
def clusters():
    return fit_word_clusters(default_base_model(), K, seed=0)


def test_a_word_gets_its_first_pieces_cluster_whatever_its_casing(clusters):
    pieces = clusters.tokenizer.encode("adidasx", add_special_tokens=False).ids
    assert len(pieces) == 3  # a word the vocabulary splits; no padding pieces
    assert clusters.of("adidasx") == str(clusters.piece_clusters[pieces[0]])
    assert clusters.of("ADIDASX") == clusters.of("adidasx")
    assert {int(clusters.of(word)) for word in ("nike", "red", "shoes", "adidasx")} <= set(range(K))


def test_the_cluster_feature_names_each_words_cluster_and_can_be_switched_off(clusters):
    feats = token_features(["red", "nike", "shoes"], CRFConfig(word_clusters=K), None, clusters)
    assert [f["cf"] for f in feats] == [clusters.of(w) for w in ("red", "nike", "shoes")]
    assert "cf" not in token_features(["nike"], CRFConfig(word_clusters=0), None, clusters)[0]
    assert "cf" not in token_features(["nike"], CRFConfig(), None, None)[0]  # no clusters given


def test_a_crf_with_clusters_saves_loads_and_pickles_with_the_same_predictions(tiny_examples, clusters, tmp_path):
    tagger = train_crf(tiny_examples, CRFConfig(max_iterations=20, word_clusters=K), clusters=clusters)
    tokens = [e.tokens for e in tiny_examples[:10]] + [["Zorbex", "hoodie"]]
    expected = tagger.predict_tags_with_scores(tokens)
    assert pickle.loads(pickle.dumps(tagger)).predict_tags_with_scores(tokens) == expected
    tagger.save(tmp_path)
    loaded = CRFTagger.load(tmp_path)
    assert loaded.predict_tags_with_scores(tokens) == expected and loaded.clusters.k == K
    (tmp_path / CLUSTERS_FILE).unlink()
    with pytest.raises(FileNotFoundError, match="word clusters"):
        CRFTagger.load(tmp_path)


def test_a_crf_saved_before_word_clusters_existed_loads_without_them(tiny_examples, tmp_path):
    tagger = train_crf(tiny_examples, CRFConfig(max_iterations=20, word_clusters=0))
    tagger.save(tmp_path)
    config_file = tmp_path / "config.json"
    meta = json.loads(config_file.read_text())
    del meta["config"]["word_clusters"], meta["config"]["cluster_seed"]  # the layout of earlier releases
    config_file.write_text(json.dumps(meta))
    loaded = CRFTagger.load(tmp_path)
    assert loaded.config.word_clusters == 0 and loaded.clusters is None
    tokens = [e.tokens for e in tiny_examples[:10]]
    assert loaded.predict_tags_with_scores(tokens) == tagger.predict_tags_with_scores(tokens)
