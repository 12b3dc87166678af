"""The prediction log after a failed write (issue 11): no torn or orphaned row stays, the next
append starts on a line of its own, and a failure does not break the next request; a batch of
requests is finished and logged in one write, all or none.

The failures are real ones where the OS allows it: ``RLIMIT_FSIZE`` makes the kernel cut a
write short at the limit and refuse the next with EFBIG (a disk filling up, without filling a
disk); where a rollback must fail too, the writer's low-level calls are replaced.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from bentos import durable_append
from bentos.answering import PendingAnswer, by_request, finish_answers
from bentos.prediction_log import PredictionLog


def rows(request_id: str, n: int = 1, query: str = "red nike shoes") -> list[dict]:
    return PredictionLog.make_rows(request_id, [{"query": query, "entities": []}] * n, "qu-crf:x", 1.0)


def logged(root: Path) -> list[dict]:
    """Every line of the log, parsed: any torn line fails the test here."""
    out = []
    for path in sorted(root.glob("date=*/part-*.jsonl")):
        data = path.read_bytes()
        assert not data or data.endswith(b"\n"), "the file ends with a whole line"
        out += [json.loads(line) for line in data.splitlines() if line.strip()]
    return out


@contextmanager
def file_size_limit(limit: int):
    """Writes past ``limit`` bytes fail with EFBIG (short write first), as on a full disk."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def test_a_write_cut_short_by_the_os_leaves_only_whole_rows_of_answered_requests(tmp_path):
    log = PredictionLog(tmp_path)
    log.append(rows("ok-1"))
    size = sum(p.stat().st_size for p in tmp_path.glob("date=*/*.jsonl"))
    with file_size_limit(size + 150):  # room for part of the next append, not all of it
        with pytest.raises(OSError):
            log.append(rows("failed-2", n=4))  # answered 503: none of its rows may stay
    log.append(rows("ok-3"))  # the next request: no 500, no row glued onto a torn one
    log.close()
    assert [r["request_id"] for r in logged(tmp_path)] == ["ok-1", "ok-3"]


def test_a_failed_write_followed_by_a_failed_close_does_not_fail_the_next_append(tmp_path, monkeypatch):
    log = PredictionLog(tmp_path)
    log.append(rows("ok-1"))
    real_write, real_close = os.write, os.close

    def half_then_enospc(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    def failing_close(fd):
        real_close(fd)
        raise OSError(errno.EIO, "close failed")

    monkeypatch.setattr(durable_append.os, "write", half_then_enospc)
    monkeypatch.setattr(durable_append.os, "close", failing_close, raising=False)
    with pytest.raises(OSError, match="No space"):
        log.append(rows("failed-2", n=3))
    monkeypatch.undo()
    log.append(rows("ok-3"))
    log.close()
    assert [r["request_id"] for r in logged(tmp_path)] == ["ok-1", "ok-3"]


def test_when_the_rollback_fails_too_the_next_open_cuts_the_failed_rows_off(tmp_path, monkeypatch):
    log = PredictionLog(tmp_path)
    log.append(rows("ok-1"))
    real_write = os.write

    def half_then_enospc(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    def no_truncate(fd, size):
        raise OSError(errno.EIO, "truncate failed")

    monkeypatch.setattr(durable_append.os, "write", half_then_enospc)
    monkeypatch.setattr(durable_append.os, "ftruncate", no_truncate)
    with pytest.raises(OSError):
        log.append(rows("failed-2", n=3))
    monkeypatch.undo()
    log.append(rows("ok-3"))
    log.close()
    assert [r["request_id"] for r in logged(tmp_path)] == ["ok-1", "ok-3"]


def test_a_torn_line_left_by_a_crash_is_fenced_so_the_next_row_stands_alone(tmp_path):
    log = PredictionLog(tmp_path)
    path = log.path_for(rows("x")[0]["ts"][:10])
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"schema_version":1,"request_id":"ok-0"}\n{"schema_version":1,"requ')  # crash mid-row
    log.append(rows("ok-1"))
    log.close()
    lines = path.read_bytes().splitlines()
    assert lines[1] == b'{"schema_version":1,"requ'  # the torn row on a line of its own: readers skip it
    assert json.loads(lines[2])["request_id"] == "ok-1"


def test_every_request_of_a_failed_group_commit_is_refused_and_none_is_logged(tmp_path, monkeypatch):
    log = PredictionLog(tmp_path)
    log.append(rows("ok-1"))
    calls = {"n": 0}
    real_write = os.write

    def fail_second_file(fd, data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    # one batch spanning two days (two files): the first file's write succeeds, the second
    # fails; the first must be cut back too, since the batch's requests are all refused
    batch = rows("failed-a") + PredictionLog.make_rows(
        "failed-b", [{"query": "q", "entities": []}], "qu-crf:x", 1.0, ts="2030-01-02T00:00:00.000Z"
    )
    monkeypatch.setattr(durable_append.os, "write", fail_second_file)
    with pytest.raises(OSError):
        log.append(batch)
    monkeypatch.undo()
    log.append(rows("ok-2"))
    log.close()
    assert [r["request_id"] for r in logged(tmp_path)] == ["ok-1", "ok-2"]
    assert (tmp_path / "date=2030-01-02").is_dir()  # created, and empty
    assert all(not p.read_bytes() for p in (tmp_path / "date=2030-01-02").glob("*.jsonl"))


def pending(request_id: str, cached=None) -> PendingAnswer:
    return PendingAnswer(request_id, time.perf_counter(), cached)


def tagged(query: str) -> dict:
    return {"query": query, "entities": [], "model_tag": "qu-crf:x", "linking_index": None}


@pytest.mark.parametrize("sync", ["after", "before"])
def test_a_batch_of_requests_is_finished_and_logged_in_one_durable_write(sync, tmp_path, monkeypatch):
    hit = {"query": "zara", "entities": [], "model_tag": "qu-crf:x", "source": "cache"}
    first, second = pending("req-1", cached=[None, hit]), pending("req-2")
    items = [
        {"tag": "qu-crf:x", "query": "red shoes", "request": first},
        {"tag": "qu-crf:x", "query": "nike", "request": second},
        {"tag": "qu-crf:x", "query": "blue dress", "request": second},
    ]
    groups = by_request(items, [tagged(item["query"]) for item in items])
    assert [(request.request_id, len(results)) for request, results in groups] == [("req-1", 1), ("req-2", 2)]
    log = PredictionLog(tmp_path, sync)
    log.append(rows("earlier"))  # the file exists (creating it syncs the directory too)
    assert log.wait_synced(10)
    fsyncs = []
    real_fsync = os.fsync
    monkeypatch.setattr(durable_append.os, "fsync", lambda fd: fsyncs.append(fd) or real_fsync(fd))
    finish_answers(groups, log)
    log.close()
    assert [r["query"] for r in first.results] == ["red shoes", "zara"]  # the cache hit in its place
    assert [r["source"] for r in first.results] == ["model", "cache"]
    assert [(r["request_id"], r["item"], r["query"]) for r in logged(tmp_path)] == [
        ("earlier", 0, "red nike shoes"),
        ("req-1", 0, "red shoes"),
        ("req-1", 1, "zara"),
        ("req-2", 0, "nike"),
        ("req-2", 1, "blue dress"),
    ]
    assert len(fsyncs) == 1  # one fsync for the batch, not one per request


def test_when_the_batch_write_fails_no_request_of_the_batch_is_logged(tmp_path):
    log = PredictionLog(tmp_path)
    log.append(rows("ok-1"))
    size = sum(p.stat().st_size for p in tmp_path.glob("date=*/*.jsonl"))
    batch = [(pending("failed-a"), [tagged("red shoes")]), (pending("failed-b"), [tagged("nike")] * 3)]
    with file_size_limit(size + 150):
        with pytest.raises(OSError):
            finish_answers(batch, log)  # the service answers each of them 503
    log.append(rows("ok-2"))
    log.close()
    assert [r["request_id"] for r in logged(tmp_path)] == ["ok-1", "ok-2"]
