"""CRF features and tagger: what the model sees, what it returns, and that it learns."""

from __future__ import annotations

import pickle

import pytest

from query_understanding.crf import CRFConfig, CRFTagger, search_c1_c2, train_crf
from query_understanding.crf.features import FeatureConfig, token_features, word_shape
from query_understanding.evaluation import MostFrequentTagTagger, entity_metrics
from query_understanding.gazetteer import Gazetteer
from query_understanding.gold import read_gold

# --- features ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token, shape", [("Nike", "Xx"), ("nike", "x"), ("3/4", "d/d"), ("iPhone11", "xXxd"), ("USB-C", "X-X")]
)
def test_word_shape(token, shape):
    assert word_shape(token) == shape


def test_word_features_of_a_token():
    feats = token_features(["Nike", "air", "max", "90", "shoes"])
    nike, ninety = feats[0], feats[3]
    assert nike["w"] == "nike" and nike["shape"] == "Xx" and nike["is_title"] == 1.0
    assert (nike["p2"], nike["p3"], nike["s2"], nike["s3"]) == ("ni", "nik", "ke", "ike")
    assert nike["BOS"] == 1.0 and "EOS" not in nike and nike["pos"] == "0"
    assert ninety["is_digit"] == 1.0 and "has_digit" not in ninety
    assert token_features(["ps5"])[0]["has_digit"] == 1.0
    assert feats[4]["EOS"] == 1.0 and feats[4]["rpos"] == "0"


def test_neighbour_features_reach_two_tokens_each_way():
    feats = token_features("a b c d e".split())[2]
    assert (feats["-1:w"], feats["-2:w"], feats["+1:w"], feats["+2:w"]) == ("b", "a", "d", "e")
    assert feats["-1:w|w"] == "b|c" and feats["w|+1:w"] == "c|d"
    assert "-3:w" not in feats


def test_feature_groups_can_be_switched_off():
    config = FeatureConfig(use_shape=False, use_affixes=False, use_position=False, use_neighbours=False)
    feats = token_features(["Nike", "shoes"], config)
    assert feats[0] == {"bias": 1.0, "w": "nike"}


def test_without_shape_features_are_the_same_for_any_casing():
    config = FeatureConfig(use_shape=False)
    assert token_features(["NIKE", "Shoes"], config) == token_features(["nike", "shoes"], config)


def test_gazetteer_features_mark_longest_matches_and_neighbours():
    gaz = Gazetteer.from_surfaces(["nike"], ["navy blue"], ["shoes"])
    feats = token_features(["nike", "navy", "blue", "shoes"], gazetteer=gaz)
    assert feats[0]["gaz:BRAND"] == "B" and feats[0]["gaz:BRAND:len"] == "1"
    assert feats[1]["gaz:COLOR"] == "B" and feats[2]["gaz:COLOR"] == "I"
    assert feats[2]["gaz:COLOR:len"] == "2" and feats[2]["gaz:COLOR:last"] == 1.0
    assert "gaz:COLOR:last" not in feats[1]
    assert feats[1]["-1:gaz:BRAND"] == "B" and feats[2]["+1:gaz:TYPE"] == "B"
    off = token_features(["nike"], FeatureConfig(use_gazetteer=False), gazetteer=gaz)
    assert not any(k.startswith("gaz") for k in off[0])


# --- tagger --------------------------------------------------------------------------------


def test_predictions_are_plain_lists_of_valid_tags_with_confidences(tiny_crf):
    (tags, scores), (empty_tags, empty_scores) = tiny_crf.predict_tags_with_scores(
        [["nike", "black", "running", "shoes"], []]
    )
    assert type(tags) is list and all(type(t) is str for t in tags)
    assert tags == ["B-BRAND", "B-COLOR", "B-TYPE", "I-TYPE"]
    assert len(scores) == 4 and all(type(s) is float and 0.0 < s <= 1.0 for s in scores)
    assert (empty_tags, empty_scores) == ([], [])


def test_parse_returns_entities_with_confidence(tiny_crf):
    parsed = tiny_crf.parse(["Puma red hoodie"])[0]
    assert (parsed.brand, parsed.color, parsed.type) == ("Puma", "red", "hoodie")
    assert all(0.0 < e.score <= 1.0 for e in parsed.entities)


def test_pickle_and_save_load_keep_predictions(tiny_crf, tiny_examples, tmp_path):
    tokens = [e.tokens for e in tiny_examples[:20]] + [["Unknown", "thing", "X1"]]
    expected = tiny_crf.predict_tags_with_scores(tokens)
    assert pickle.loads(pickle.dumps(tiny_crf)).predict_tags_with_scores(tokens) == expected
    tiny_crf.save(tmp_path)
    loaded = CRFTagger.load(tmp_path)
    assert loaded.predict_tags_with_scores(tokens) == expected
    assert loaded.config == tiny_crf.config


def test_gazetteer_is_saved_with_the_model(tiny_examples, tmp_path):
    gaz = Gazetteer.from_surfaces(["nike", "zorbex"], ["red"], ["hoodie"])
    tagger = train_crf(tiny_examples, CRFConfig(max_iterations=20), gaz)
    tagger.save(tmp_path)
    assert CRFTagger.load(tmp_path).gazetteer == gaz


def test_gazetteer_is_not_used_when_switched_off(tiny_examples):
    gaz = Gazetteer.from_surfaces(["nike"])
    tagger = train_crf(tiny_examples, CRFConfig(max_iterations=5, use_gazetteer=False), gaz)
    assert tagger.gazetteer is None


def test_config_round_trips_and_rejects_unknown_fields():
    config = CRFConfig(c1=0.3, window=1)
    assert CRFConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="unknown CRFConfig fields"):
        CRFConfig.from_dict({"c1": 0.1, "c3": 1})


def test_training_needs_examples():
    with pytest.raises(ValueError, match="no training examples"):
        train_crf([])


def test_load_of_a_directory_without_a_model_fails_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="no CRF model file"):
        CRFTagger.load(tmp_path)


def test_grid_search_returns_the_best_point_and_the_whole_table(tiny_examples):
    train, dev = tiny_examples[::2], tiny_examples[1::2]
    grid = [(0.01, 0.01), (5.0, 5.0)]
    best, table = search_c1_c2(train, dev, grid, CRFConfig(max_iterations=20))
    assert [(row["c1"], row["c2"]) for row in table] == grid
    best_row = max(table, key=lambda row: row["f1_micro"])
    assert (best.c1, best.c2) == (best_row["c1"], best_row["c2"])
    assert best.max_iterations == 20


# --- learning on real queries --------------------------------------------------------------


def test_crf_on_500_queryner_queries_beats_the_per_word_majority_baseline(queryner_dir):
    train = read_gold(queryner_dir / "queryner_train.jsonl")[:500]
    dev = read_gold(queryner_dir / "queryner_dev.jsonl")
    gold = [e.tags for e in dev]
    tokens = [e.tokens for e in dev]
    crf = train_crf(train, CRFConfig(max_iterations=100))
    baseline = MostFrequentTagTagger.train(train)
    crf_f1 = entity_metrics(gold, crf.predict_tags(tokens)).micro.f1
    baseline_f1 = entity_metrics(gold, baseline.predict_tags(tokens)).micro.f1
    assert crf_f1 > baseline_f1 + 0.05, (crf_f1, baseline_f1)
