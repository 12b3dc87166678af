"""Latency measurement runs the tagger for real and reports ordered percentiles."""

from query_understanding.benchmark import measure_latency


def test_measures_single_query_percentiles_and_batch_throughput(tiny_crf):
    report = measure_latency(tiny_crf, ["nike black running shoes", "red jacket by puma"], n_single=20, n_batches=2)
    assert 0 < report.p50_ms <= report.p99_ms
    assert report.throughput_qps > 0 and report.batch_size == 64


def test_greedy_batches_cut_like_the_batcher_by_count_and_by_characters():
    from query_understanding.benchmark import greedy_batches

    queries = ["a" * 10, "b" * 10, "c" * 30, "d" * 5, "e" * 100]
    assert greedy_batches(queries, 2, float("inf")) == [queries[0:2], queries[2:4], queries[4:]]
    # at most 40 characters a batch, but a longer query still gets a batch of its own
    assert greedy_batches(queries, 10, 40) == [queries[0:2], queries[2:4], queries[4:]]
    assert greedy_batches(queries, 10, 1000) == [queries]
    assert greedy_batches([], 4, 10) == []
