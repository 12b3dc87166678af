"""Evaluation of taggers: strict entity metrics, slices, behavioral tests, reports.

Everything here works on :class:`~query_understanding.example.Example` (gold tokens + tags + flags) and any
:class:`~query_understanding.tagger.Tagger`, so CRF, PyTorch and ONNX models are judged by the
same code in training pipelines, the CLI and tests.
"""

from query_understanding.evaluation.baselines import MostFrequentTagTagger
from query_understanding.evaluation.behavioral import BehavioralResult, run_behavioral
from query_understanding.evaluation.metrics import Counts, EntityMetrics, entity_metrics
from query_understanding.evaluation.report import EvaluationReport, evaluate_tagger
from query_understanding.evaluation.slices import SliceResult, slice_membership, slice_metrics

__all__ = [
    "BehavioralResult",
    "Counts",
    "EntityMetrics",
    "EvaluationReport",
    "MostFrequentTagTagger",
    "SliceResult",
    "entity_metrics",
    "evaluate_tagger",
    "run_behavioral",
    "slice_membership",
    "slice_metrics",
]
