"""The champion rule: which model version serves, decided on evidence and explained.

A candidate wins when it (1) fits the latency budget, (2) has no slice worse than the current
champion's by more than a margin, and (3) has the best primary metric among those that pass
(1) and (2), beating the current champion. Every refusal carries a reason, so the comparison
asset can show *why* a model was or was not promoted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Mapping, Sequence


@dataclass(frozen=True)
class Candidate:
    """One model version's evidence: its tag, metrics (flat, numeric) and slice F1 scores."""

    tag: str
    kind: str
    metrics: Mapping[str, float]
    slice_f1: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ChampionRule:
    """Declared in config and shown in the UI.

    ``primary_metric`` is maximised; ``latency_metric`` must stay under ``latency_budget_ms``;
    no slice (with at least ``min_slice_support`` examples, judged by the caller) may drop more
    than ``max_slice_regression`` F1 points below the current champion's.
    """

    primary_metric: str = "gold_f1_micro"
    fallback_metric: str = "test_f1_micro"
    latency_metric: str = "latency_p99_ms"
    latency_budget_ms: float = 50.0
    max_slice_regression: float = 0.05
    min_improvement: float = 0.0

    def describe(self) -> str:
        return (
            f"Highest {self.primary_metric} (or {self.fallback_metric} when no gold set is "
            f"configured) among candidates with {self.latency_metric} <= {self.latency_budget_ms} ms "
            f"and no slice F1 more than {self.max_slice_regression:.2f} below the current champion's; "
            f"it must beat the current champion by more than {self.min_improvement:.3f}."
        )


@dataclass
class Verdict:
    tag: str
    eligible: bool
    score: float | None
    reasons: list[str]


@dataclass
class Decision:
    champion: str | None
    promoted: bool
    verdicts: list[Verdict]
    explanation: str

    def to_dict(self) -> dict:
        return asdict(self)


def _score(candidate: Candidate, rule: ChampionRule) -> float | None:
    for metric in (rule.primary_metric, rule.fallback_metric):
        if metric in candidate.metrics:
            return float(candidate.metrics[metric])
    return None


def judge(candidate: Candidate, rule: ChampionRule, current: Candidate | None, blocked: Sequence[str] = ()) -> Verdict:
    """Whether ``candidate`` may become champion, with every reason it may not.

    ``blocked`` are reasons found outside the rule (e.g. a failed export parity check).
    """
    reasons = list(blocked)
    score = _score(candidate, rule)
    if score is None:
        reasons.append(f"no {rule.primary_metric} or {rule.fallback_metric} measured")
    latency = candidate.metrics.get(rule.latency_metric)
    if latency is None:
        reasons.append(f"no {rule.latency_metric} measured")
    elif latency > rule.latency_budget_ms:
        reasons.append(f"{rule.latency_metric} {latency:.2f} ms exceeds the {rule.latency_budget_ms} ms budget")
    if current is not None and current.tag != candidate.tag:
        for name, champion_f1 in sorted(current.slice_f1.items()):
            if name in candidate.slice_f1 and champion_f1 - candidate.slice_f1[name] > rule.max_slice_regression:
                reasons.append(
                    f"slice {name}: F1 {candidate.slice_f1[name]:.3f} is more than "
                    f"{rule.max_slice_regression:.2f} below the champion's {champion_f1:.3f}"
                )
    return Verdict(candidate.tag, not reasons, score, reasons)


def choose_champion(
    candidates: Sequence[Candidate],
    rule: ChampionRule,
    current: Candidate | None = None,
    blocked: Mapping[str, Sequence[str]] | None = None,
) -> Decision:
    """Apply ``rule``; the current champion stays unless an eligible candidate beats it.

    ``blocked`` maps a candidate's tag to reasons it may not be promoted whatever its scores.
    """
    blocked = blocked or {}
    verdicts = [judge(c, rule, current, blocked.get(c.tag, ())) for c in candidates]
    eligible = [v for v in verdicts if v.eligible]
    latency = {c.tag: c.metrics.get(rule.latency_metric, float("inf")) for c in candidates}
    # Equal scores (e.g. a PyTorch model and its exact ONNX export): the faster one wins.
    best = max(eligible, key=lambda v: (round(v.score, 6), -latency[v.tag], v.tag), default=None)
    current_score = _score(current, rule) if current is not None else None
    if best is None:
        explanation = "no candidate passed the gate; " + (
            f"{current.tag} stays champion" if current else "there is no champion"
        )
        return Decision(current.tag if current else None, False, verdicts, explanation)
    if current is not None and best.tag != current.tag and current_score is not None:
        if best.score <= current_score + rule.min_improvement:
            explanation = (
                f"best eligible candidate {best.tag} ({best.score:.4f}) does not beat "
                f"champion {current.tag} ({current_score:.4f}); champion unchanged"
            )
            for verdict in verdicts:
                if verdict.tag == best.tag:
                    verdict.reasons.append("does not beat the current champion")
            return Decision(current.tag, False, verdicts, explanation)
    promoted = current is None or best.tag != current.tag
    explanation = f"{best.tag} wins with {best.score:.4f}" + (
        f" (champion was {current.tag} with {current_score:.4f})" if current and promoted else ""
    )
    return Decision(best.tag, promoted, verdicts, explanation)
