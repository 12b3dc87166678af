"""The confidence cascade: routing by the first tagger's least sure token, the threshold chosen
on dev, and the cascade as a content-addressed artifact whose members are checked on load."""

from __future__ import annotations

import pytest
from tiny_crf import synthetic_examples, train_tiny_crf

from query_understanding.artifacts import ArtifactError, load_manifest, load_tagger, save_tagger
from query_understanding.cascade import CascadeTagger, choose_threshold, route_confidence
from query_understanding.experiments.cascade import cross_fitted, halves
from query_understanding.tagger import Tagger


class Scripted(Tagger):
    """Answers each query (joined tokens) from a table: (tags, scores)."""

    kind = "scripted"

    def __init__(self, answers: dict[str, tuple[list[str], list[float] | None]]) -> None:
        self.answers = answers
        self.calls: list[list[str]] = []

    def predict_tags_with_scores(self, token_lists):
        self.calls.append([" ".join(t) for t in token_lists])
        return [self.answers[" ".join(t)] for t in token_lists]


FIRST = Scripted(
    {
        "nike shoes": (["B-BRAND", "B-TYPE"], [0.99, 0.98]),
        "nikee shoes": (["O", "B-TYPE"], [0.55, 0.97]),  # a doubtful O: a missed brand
        "red dress": (["B-COLOR", "B-TYPE"], [0.97, 0.99]),
    }
)
SECOND = Scripted(
    {
        "nike shoes": (["B-BRAND", "B-TYPE"], [0.9, 0.9]),
        "nikee shoes": (["B-BRAND", "B-TYPE"], [0.8, 0.9]),
        "red dress": (["B-COLOR", "B-TYPE"], [0.9, 0.9]),
    }
)


def test_the_route_confidence_is_the_least_sure_token_and_no_scores_always_route():
    assert route_confidence([0.9, 0.4, 0.8]) == 0.4
    assert route_confidence(None) == 0.0
    assert route_confidence([]) == 1.0  # nothing to doubt


def test_only_queries_with_a_doubtful_token_go_to_the_second_tagger_and_the_answer_says_so():
    SECOND.calls.clear()
    cascade = CascadeTagger(FIRST, SECOND, threshold=0.9)
    parsed = cascade.parse(["nike shoes", "nikee shoes", "red dress"])
    assert SECOND.calls == [["nikee shoes"]]
    assert [p.routed for p in parsed] == [False, True, False]
    assert parsed[1].brand == "nikee" and parsed[1].to_dict()["routed"] is True
    info = cascade.routing_info()
    assert (info["queries"], info["routed"], info["share_routed"]) == (3, 1, round(1 / 3, 4))


def test_a_single_models_answer_has_no_routed_field():
    assert "routed" not in FIRST.parse(["nike shoes"])[0].to_dict()


def test_the_threshold_routes_just_enough_to_match_the_second_tagger():
    queries = ["nike shoes", "nikee shoes", "red dress"]
    gold = [["B-BRAND", "B-TYPE"]] * 2 + [["B-COLOR", "B-TYPE"]]
    first = [FIRST.answers[q] for q in queries]
    second = [SECOND.answers[q][0] for q in queries]
    choice = choose_threshold(gold, first, second, max_f1_drop=0.0)
    assert choice.micro_f1 == choice.second_f1 == 1.0 and choice.first_f1 < 1.0
    assert choice.share_routed == pytest.approx(1 / 3)  # only the doubtful query
    assert 0.55 < choice.threshold <= 0.97


def test_when_the_first_tagger_is_as_good_nothing_is_routed():
    gold = [["B-BRAND", "B-TYPE"]]
    choice = choose_threshold(gold, [(["B-BRAND", "B-TYPE"], [0.6, 0.7])], [["B-BRAND", "B-TYPE"]])
    assert choice.share_routed == 0.0 and choice.threshold == 0.6


def test_a_worse_second_tagger_is_never_routed_to():
    gold = [["B-BRAND", "B-TYPE"]] * 2
    first = [(["B-BRAND", "B-TYPE"], [0.5, 0.5])] * 2
    choice = choose_threshold(gold, first, [["O", "O"]] * 2, max_f1_drop=0.005)
    assert choice.share_routed == 0.0 and choice.micro_f1 == 1.0


def test_a_saved_cascade_loads_as_a_model_and_tags_like_the_one_saved(tmp_path):
    first_dir, second_dir = train_tiny_crf(tmp_path / "a", seed=7), train_tiny_crf(tmp_path / "b", seed=8, c1=1.0)
    cascade = CascadeTagger.from_artifacts(first_dir, second_dir, threshold=0.95)
    path, manifest = save_tagger(cascade, tmp_path / "store")
    assert manifest.model_kind == "cascade"
    assert manifest.config["first_model_id"] == load_manifest(first_dir).model_id
    assert {f["path"] for f in manifest.files} >= {"cascade.json", "first/model.crfsuite", "second/model.crfsuite"}
    loaded = load_tagger(path)
    queries = [e.text for e in synthetic_examples(40, seed=3)]
    assert [p.to_dict() for p in loaded.parse(queries)] == [p.to_dict() for p in cascade.parse(queries)]


def test_a_cascade_whose_member_file_was_changed_does_not_load(tmp_path):
    first_dir, second_dir = train_tiny_crf(tmp_path / "a", seed=7), train_tiny_crf(tmp_path / "b", seed=8)
    path, _ = save_tagger(CascadeTagger.from_artifacts(first_dir, second_dir, 0.9), tmp_path / "store")
    (path / "second" / "model.crfsuite").write_bytes(b"tampered")
    with pytest.raises(ArtifactError, match="second/model.crfsuite"):
        load_tagger(path)


def test_cross_fitting_scores_each_dev_half_with_the_threshold_of_the_other(tmp_path):
    first = load_tagger(train_tiny_crf(tmp_path / "a", seed=7, c1=3.0))  # a weak first tagger
    second = load_tagger(train_tiny_crf(tmp_path / "b", seed=8))
    dev = synthetic_examples(80, seed=11)
    a, b = halves(len(dev), seed=1)
    assert sorted(a + b) == list(range(80)) and not set(a) & set(b) and halves(80, 1) == (a, b)
    result = cross_fitted(dev, first, second, seed=1)
    gold = [e.tags for e in dev]
    first_out = first.predict_tags_with_scores([e.tokens for e in dev])
    second_tags = [t for t, _ in second.predict_tags_with_scores([e.tokens for e in dev])]
    on_a = choose_threshold([gold[i] for i in a], [first_out[i] for i in a], [second_tags[i] for i in a])
    assert result.thresholds[0] == on_a.threshold
    used_on_b = sum(route_confidence(first_out[i][1]) < on_a.threshold for i in b)
    used_on_a = sum(route_confidence(first_out[i][1]) < result.thresholds[1] for i in a)
    assert result.share_routed == pytest.approx((used_on_a + used_on_b) / 80)
