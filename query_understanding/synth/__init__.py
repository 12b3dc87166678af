"""Synthetic e-commerce search logs generated from the product catalog.

Modules, each one concern: ``vocab`` (filler words that stay O), ``sampling`` (seeded draws),
``products`` (the product universe), ``surfaces`` (how shoppers name entities), ``templates``
(word orders), ``noise`` (typos, casing, mismatches), ``generator`` (sessions and the frame).
"""

from query_understanding.synth.generator import QUERY_LOG_COLUMNS, generate_query_logs

__all__ = ["QUERY_LOG_COLUMNS", "generate_query_logs"]
