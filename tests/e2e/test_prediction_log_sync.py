"""When the prediction log's rows reach the disk: after the answer (default) or before it.

Real files in a tmp directory; ``os.fsync`` is wrapped to observe (or hold, or fail) the step
from the page cache to the disk, which is the only thing the two modes order differently.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import threading

import pytest

from bentos import background_sync, durable_append
from bentos.prediction_log import PredictionLog


def rows(request_id: str) -> list[dict]:
    return PredictionLog.make_rows(request_id, [{"query": "red nike shoes", "entities": []}], "qu-crf:x", 1.0)


def logged(root) -> list[str]:
    return [json.loads(line)["request_id"] for p in sorted(root.glob("date=*/*.jsonl")) for line in p.open()]


REAL_FSYNC = os.fsync


def in_background(fake):
    """An ``os.fsync`` that calls ``fake`` in the log's sync thread and really syncs elsewhere
    (creating a day's file syncs its directory in the caller, as it must)."""

    def fsync(fd):
        if threading.current_thread().name == "qu-log-sync":
            return fake(fd)
        return REAL_FSYNC(fd)

    return fsync


@pytest.fixture
def held_fsync(monkeypatch):
    """The background fsync blocks until the test releases it; yields (started, release) events."""
    started, release = threading.Event(), threading.Event()

    def held(fd):
        started.set()
        assert release.wait(10), "the test never released the fsync"
        REAL_FSYNC(fd)

    monkeypatch.setattr(background_sync.os, "fsync", in_background(held))
    yield started, release
    release.set()


def test_by_default_an_append_returns_with_its_rows_in_the_file_before_they_are_fsynced(tmp_path, held_fsync):
    started, release = held_fsync
    log = PredictionLog(tmp_path)
    log.append(rows("answered"))  # returns although the fsync is held
    assert logged(tmp_path) == ["answered"]  # a crashed process would leave it: the kernel has it
    assert started.wait(5), "the rows were never sent to the disk"
    assert not log.wait_synced(0.05)
    release.set()
    assert log.wait_synced(10)
    log.close()


def test_appends_during_a_background_fsync_share_the_next_one(tmp_path, held_fsync, monkeypatch):
    started, release = held_fsync
    log = PredictionLog(tmp_path)
    log.append(rows("first"))
    assert started.wait(5)
    for i in range(5):
        log.append(rows(f"queued-{i}"))
    calls = []
    monkeypatch.setattr(background_sync.os, "fsync", in_background(lambda fd: calls.append(fd) or REAL_FSYNC(fd)))
    release.set()
    assert log.wait_synced(10)
    log.close()
    assert len(calls) == 1, calls  # five appends, one file: one fsync covers them all
    assert logged(tmp_path) == ["first"] + [f"queued-{i}" for i in range(5)]


def test_with_sync_before_an_append_returns_only_after_its_fsync(tmp_path, monkeypatch):
    order = []
    log = PredictionLog(tmp_path, "before")
    log.append(rows("earlier"))
    monkeypatch.setattr(durable_append.os, "fsync", lambda fd: order.append("fsync") or REAL_FSYNC(fd))
    log.append(rows("answered"))
    order.append("returned")
    log.close()
    assert order == ["fsync", "returned"]


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_a_failed_background_fsync_is_logged_and_the_log_keeps_working(tmp_path, monkeypatch):
    log = PredictionLog(tmp_path)
    log.append(rows("earlier"))
    assert log.wait_synced(10)

    def eio(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(background_sync.os, "fsync", in_background(eio))
    records, logger = Records(), logging.getLogger("bentoml.qu.prediction_log")
    logger.addHandler(records)
    try:
        log.append(rows("answered"))
        assert log.wait_synced(10)
    finally:
        logger.removeHandler(records)
    assert log._background.failures == 1
    assert any("fsync after the answer failed" in m and "Input/output error" in m for m in records.messages)
    monkeypatch.undo()
    log.append(rows("later"))
    log.close()
    assert logged(tmp_path) == ["earlier", "answered", "later"]  # answered rows are kept


def test_closing_the_log_waits_for_the_pending_fsync(tmp_path, held_fsync):
    started, release = held_fsync
    log = PredictionLog(tmp_path)
    log.append(rows("answered"))
    assert started.wait(5)
    closer = threading.Thread(target=log.close)
    closer.start()
    closer.join(0.1)
    assert closer.is_alive(), "close returned before the rows were on disk"
    release.set()
    closer.join(10)
    assert not closer.is_alive()


def test_an_unknown_sync_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="after, before, off"):
        PredictionLog(tmp_path, "sometimes")
