"""Gazetteer: longest-match lookup per entity type, and serialization with a model."""

from __future__ import annotations

import json
import pickle

import pytest

from query_understanding.gazetteer import Gazetteer

GAZ = Gazetteer.from_surfaces(
    brands=["Nike", "The North Face", "north", "orange"],
    colors=["blue", "navy blue", "orange"],
    types=["shoes", "running shoes", "jacket"],
)


def test_longest_match_wins_within_a_type():
    labels = GAZ.lookup("navy blue running shoes".split())
    assert labels["COLOR"] == ["B-COLOR", "I-COLOR", "O", "O"]
    assert labels["TYPE"] == ["O", "O", "B-TYPE", "I-TYPE"]


def test_multi_word_brand_beats_its_single_word_part():
    labels = GAZ.lookup("the north face jacket".split())
    assert labels["BRAND"] == ["B-BRAND", "I-BRAND", "I-BRAND", "O"]


def test_ambiguous_surfaces_match_in_every_type():
    labels = GAZ.lookup(["orange", "jacket"])
    assert labels["BRAND"][0] == "B-BRAND" and labels["COLOR"][0] == "B-COLOR"


def test_lookup_ignores_case_and_surrounding_punctuation():
    labels = GAZ.lookup(["NIKE,", "(Blue)", "Shoes!"])
    assert labels == {
        "BRAND": ["B-BRAND", "O", "O"],
        "COLOR": ["O", "B-COLOR", "O"],
        "TYPE": ["O", "O", "B-TYPE"],
    }


def test_adjacent_matches_are_separate_entities():
    assert GAZ.lookup_type(["shoes", "shoes"], "TYPE") == ["B-TYPE", "B-TYPE"]


def test_a_partial_multi_word_surface_does_not_match():
    assert GAZ.lookup_type(["navy"], "COLOR") == ["O"]
    assert GAZ.lookup_type(["the", "north"], "BRAND") == ["O", "B-BRAND"]


def test_empty_input_and_empty_gazetteer():
    assert GAZ.lookup([]) == {"BRAND": [], "COLOR": [], "TYPE": []}
    assert Gazetteer.from_surfaces().lookup(["nike"])["BRAND"] == ["O"]


def test_contains_and_size():
    assert GAZ.contains("BRAND", "the  North FACE")
    assert not GAZ.contains("COLOR", "nike")
    assert len(GAZ) == 10
    assert GAZ.max_words == 3


def test_json_round_trip_is_exact_and_deterministic(tmp_path):
    path = tmp_path / "gazetteer.json"
    GAZ.save(path)
    assert Gazetteer.load(path) == GAZ
    first = path.read_bytes()
    Gazetteer.from_dict(json.loads(first)).save(path)
    assert path.read_bytes() == first


def test_pickle_round_trip_keeps_lookup():
    clone = pickle.loads(pickle.dumps(GAZ))
    assert clone == GAZ
    assert clone.lookup(["the", "north", "face"]) == GAZ.lookup(["the", "north", "face"])


@pytest.mark.parametrize(
    "data, message",
    [
        ({"format_version": 99, "surfaces": {}}, "format_version"),
        ({"format_version": 1, "surfaces": {"SIZE": ["xl"]}}, "unknown entity types"),
    ],
)
def test_from_dict_rejects_unknown_formats(data, message):
    with pytest.raises(ValueError, match=message):
        Gazetteer.from_dict(data)
