"""When is an exported model good enough to serve? Pure functions, so the rules are testable.

fp32 ONNX must reproduce PyTorch (logits within ``max_abs_diff``; checked by
:func:`~query_understanding.transformer.export.verify_export`). Dynamic int8 quantization
trades a little accuracy for speed and size; the gate keeps the trade honest: the int8 model
must give the same tag as fp32 on at least ``min_int8_agreement`` of words and lose at most
``max_int8_f1_drop`` (absolute micro F1) on the evaluation set; otherwise it is registered but
marked not promotable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class ExportGate:
    """The tolerances of an ONNX export (the ``onnx_taggers`` Launchpad config builds this)."""

    max_abs_diff: float = 1e-4
    min_int8_agreement: float = 0.99
    max_int8_f1_drop: float = 0.005


@dataclass
class GateResult:
    passed: bool
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def judge_int8(agreement: float, f1_fp32: float, f1_int8: float, gate: ExportGate = ExportGate()) -> GateResult:
    reasons = []
    if agreement < gate.min_int8_agreement:
        # Words, no comparison signs: the Dagster UI renders these as markdown, where a leading
        # ">" is a blockquote.
        reasons.append(f"int8 tags {agreement:.4f} of words like fp32, below the required {gate.min_int8_agreement}")
    drop = f1_fp32 - f1_int8
    if drop > gate.max_int8_f1_drop:
        reasons.append(
            f"int8 loses {drop * 100:.2f} F1 points against fp32, more than the allowed {gate.max_int8_f1_drop * 100:.2f}"
        )
    return GateResult(not reasons, reasons)
