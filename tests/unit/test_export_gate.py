"""The int8 quantization gate: >= 99% word agreement with fp32 and <= 0.5 F1 points lost."""

from query_understanding.export_gate import judge_int8


def test_close_int8_model_passes():
    assert judge_int8(0.995, 0.70, 0.699).passed


def test_low_agreement_fails_with_the_figure():
    result = judge_int8(0.979, 0.70, 0.70)
    assert not result.passed and "0.9790" in result.reasons[0]


def test_large_f1_drop_fails_with_the_figure():
    result = judge_int8(0.999, 0.70, 0.69)
    assert not result.passed and "1.00 F1 points" in result.reasons[0]
