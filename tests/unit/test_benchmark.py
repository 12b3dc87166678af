"""Latency measurement runs the tagger for real and reports ordered percentiles."""

from query_understanding.benchmark import measure_latency


def test_measures_single_query_percentiles_and_batch_throughput(tiny_crf):
    report = measure_latency(tiny_crf, ["nike black running shoes", "red jacket by puma"], n_single=20, n_batches=2)
    assert 0 < report.p50_ms <= report.p99_ms
    assert report.throughput_qps > 0 and report.batch_size == 64
