"""The champion rule: best primary metric among candidates within the latency budget and
without a slice regression, and only if it beats the current champion."""

from query_understanding.champion import Candidate, ChampionRule, choose_champion

RULE = ChampionRule(latency_budget_ms=10.0, max_slice_regression=0.05)


def candidate(tag, f1, p99=1.0, **slices):
    return Candidate(tag, "crf", {"gold_f1_micro": f1, "latency_p99_ms": p99}, slices)


def test_first_model_becomes_champion_when_it_fits_the_budget():
    decision = choose_champion([candidate("a", 0.6)], RULE)
    assert (decision.champion, decision.promoted) == ("a", True)


def test_the_best_eligible_candidate_wins():
    decision = choose_champion([candidate("a", 0.6), candidate("b", 0.7), candidate("c", 0.9, p99=50.0)], RULE)
    assert decision.champion == "b"
    refused = {v.tag: v.reasons for v in decision.verdicts if not v.eligible}
    assert list(refused) == ["c"] and "exceeds the 10.0 ms budget" in refused["c"][0]


def test_a_worse_candidate_never_replaces_the_champion():
    current = candidate("champ", 0.7)
    decision = choose_champion([candidate("worse", 0.65)], RULE, current)
    assert (decision.champion, decision.promoted) == ("champ", False)
    assert "does not beat" in decision.explanation


def test_a_slice_regression_beyond_the_margin_refuses_a_better_overall_model():
    current = candidate("champ", 0.70, typo=0.80)
    decision = choose_champion([candidate("new", 0.75, typo=0.70)], RULE, current)
    assert decision.champion == "champ"
    assert "slice typo" in decision.verdicts[0].reasons[0]


def test_a_blocked_candidate_is_refused_whatever_its_scores():
    decision = choose_champion(
        [candidate("int8", 0.9), candidate("fp32", 0.8)], RULE, blocked={"int8": ["parity failed"]}
    )
    assert decision.champion == "fp32"
    assert decision.verdicts[0].reasons == ["parity failed"]


def test_falls_back_to_the_test_metric_without_a_gold_set():
    a = Candidate("a", "crf", {"test_f1_micro": 0.9, "latency_p99_ms": 1.0})
    assert choose_champion([a], RULE).champion == "a"


def test_no_eligible_candidate_keeps_the_champion_and_says_so():
    decision = choose_champion([candidate("slow", 0.9, p99=99.0)], RULE, candidate("champ", 0.5))
    assert decision.champion == "champ" and not decision.promoted
    assert "no candidate passed" in decision.explanation


def test_equal_scores_go_to_the_faster_model():
    decision = choose_champion([candidate("torch", 0.7, p99=5.0), candidate("onnx", 0.7, p99=2.0)], RULE)
    assert decision.champion == "onnx"
