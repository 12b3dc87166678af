"""When is a quantized model good enough to serve? A pure function, so the rule is testable.

Dynamic int8 quantization trades a little accuracy for speed and size. The gate keeps the
trade honest: the int8 model must give the same tag as fp32 on at least ``min_agreement`` of
words and lose at most ``max_f1_drop`` (absolute micro F1) on the evaluation set; otherwise it
is registered but marked not promotable.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class QuantizationGate:
    min_agreement: float = 0.99
    max_f1_drop: float = 0.005


@dataclass
class GateResult:
    passed: bool
    reasons: list[str] = field(default_factory=list)


def judge_int8(agreement: float, f1_fp32: float, f1_int8: float, gate: QuantizationGate = QuantizationGate()) -> GateResult:
    reasons = []
    if agreement < gate.min_agreement:
        reasons.append(f"int8 agrees with fp32 on {agreement:.4f} of words (< {gate.min_agreement})")
    drop = f1_fp32 - f1_int8
    if drop > gate.max_f1_drop:
        reasons.append(f"int8 loses {drop * 100:.2f} F1 points (> {gate.max_f1_drop * 100:.2f})")
    return GateResult(not reasons, reasons)
