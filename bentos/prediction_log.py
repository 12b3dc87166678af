"""Durable prediction log: every answered query, appended as JSON lines before the response.

Layout (Hive-style partitions, one file per serving process so processes never interleave)::

    <root>/date=YYYY-MM-DD/part-<pid>.jsonl

One row per query (schema version 1; see bentos/README.md)::

    {"schema_version": 1, "request_id": "...", "item": 0, "ts": "2026-11-29T07:45:01.123Z",
     "query": "blue shoes by prada", "entities": [{"type": "COLOR", "text": "blue",
     "start": 0, "end": 4, "score": 0.98}, ...], "uncertainty": 0.07, "model_tag": "qu-crf:crf-...",
     "source": "model", "latency_ms": 3.2}

``source`` is ``cache`` for an answer of the head-query cache (bentos/head_cache.py), else
``model``; rows written before it existed have none (read them as ``model``).

:meth:`PredictionLog.append` returns only after the rows are written, each file's
rows in one ``write`` of whole lines (:class:`bentos.durable_append.AppendFile`); when a write
fails, the files are cut back to their last durable byte, so a failed append leaves no row
(whole or torn) behind and the next row never lands on a torn line. ``sync`` says when the
rows reach the disk: ``after`` (the default) fsyncs them in a thread of its own right after
``append`` returns (:mod:`bentos.background_sync`: the answer no longer waits for the disk, and
kill -9 of the process still loses nothing, the kernel has the bytes); ``before`` fsyncs before
``append`` returns; ``off`` never (tests, simulations).
Concurrent callers share writes (group commit): whoever holds the writer lock writes (and, with
``before``, syncs) everything queued so far, and a caller whose rows were covered by someone
else's write returns without writing again. Read it with DuckDB::

    SELECT * FROM read_json('<root>/**/*.jsonl', hive_partitioning = true)
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

from bentos.background_sync import BackgroundSync
from bentos.durable_append import AppendFile

SCHEMA_VERSION = 1
SYNC_MODES = ("after", "before", "off")


def utc_timestamp(when: datetime | None = None) -> str:
    when = when or datetime.now(timezone.utc)
    return when.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class PredictionLog:
    """Append-only, date-partitioned JSONL log for one process."""

    def __init__(self, root: str | Path, sync: str = "after") -> None:
        if sync not in SYNC_MODES:
            raise ValueError(f"sync={sync!r}: use one of {', '.join(SYNC_MODES)}")
        self.root = Path(root)
        self.fsync = sync != "off"
        self._background = BackgroundSync() if sync == "after" else None
        self._queue_lock = threading.Lock()  # guards _pending / _queued
        self._write_lock = threading.Lock()  # one writer at a time
        self._pending: list[tuple[str, bytes]] = []  # (date, line)
        self._queued = 0  # tickets handed out
        self._durable = 0  # highest ticket whose write was attempted
        self._failed: list[tuple[int, int, BaseException]] = []  # (after, upto, error) of failed writes
        self._files: dict[str, AppendFile] = {}
        self._good: dict[Path, int] = {}  # durable size of files closed after a failure
        self._pid = os.getpid()

    def path_for(self, date: str) -> Path:
        return self.root / f"date={date}" / f"part-{self._pid}.jsonl"

    @staticmethod
    def make_rows(
        request_id: str,
        results: Iterable[Mapping],
        model_tag: str,
        latency_ms: float,
        ts: str | None = None,
    ) -> list[dict]:
        """Log rows for one answered request (``results`` are ``ParsedQuery.to_dict()`` dicts)."""
        ts = ts or utc_timestamp()
        return [
            {
                "schema_version": SCHEMA_VERSION,
                "request_id": request_id,
                "item": i,
                "ts": ts,
                "query": result["query"],
                "entities": list(result.get("entities") or []),
                "uncertainty": result.get("uncertainty"),
                "model_tag": result.get("model_tag") or model_tag,
                "linking_index": result.get("linking_index"),
                "source": result.get("source") or "model",
                "routed": result.get("routed"),
                "latency_ms": round(float(latency_ms), 3),
            }
            for i, result in enumerate(results)
        ]

    def append(self, rows: Iterable[Mapping]) -> None:
        """Write ``rows`` durably; return once they are written (and, with ``sync="before"``,
        fsynced), else raise OSError
        with none of them (nor of any request in the same group commit) left in the log."""
        lines = []
        for row in rows:
            date = str(row["ts"])[:10]
            # ensure_ascii: any string Python holds (even a lone surrogate) encodes safely
            lines.append((date, (json.dumps(row, separators=(",", ":")) + "\n").encode("ascii")))
        if not lines:
            return
        with self._queue_lock:
            self._pending.extend(lines)
            self._queued += 1
            ticket = self._queued
        with self._write_lock:
            if self._durable >= ticket:  # another writer's sync covered these rows
                for after, upto, error in self._failed:
                    if after < ticket <= upto:
                        raise OSError(f"prediction log write failed: {error}") from error
                return
            with self._queue_lock:
                batch, self._pending = self._pending, []
                upto = self._queued
            after, self._durable = self._durable, upto
            try:
                self._write(batch)
            except OSError as exc:
                self._failed = self._failed[-99:] + [(after, upto, exc)]
                raise

    def _file(self, date: str) -> AppendFile:
        handle = self._files.get(date)
        if handle is None:
            path = self.path_for(date)
            handle = AppendFile(path, self.fsync, self._good.get(path))
            self._good.pop(path, None)
            self._files[date] = handle
        return handle

    def _release(self, date: str) -> None:
        handle = self._files.pop(date)
        self._good[handle.path] = handle.good  # the next open cuts anything past it
        handle.close()

    def _write(self, batch: list[tuple[str, bytes]]) -> None:
        """One write of whole lines per file; on any failure every file touched is cut back to
        where this batch started, so no row of a failed batch stays (its requests get 503)."""
        blocks: dict[str, list[bytes]] = {}
        for date, line in batch:
            blocks.setdefault(date, []).append(line)
        started: dict[str, int] = {}
        try:
            for date, block in blocks.items():
                handle = self._file(date)
                started[date] = handle.good
                handle.append(b"".join(block), sync=self._background is None)
        except OSError:
            for date, offset in started.items():
                if date in self._files:
                    self._files[date].rollback(offset)
                    self._release(date)  # reopen (and re-check the tail) next time
            raise
        if self._background is not None:  # descriptors of its own: a release cannot close them under it
            self._background.submit([(os.dup(self._files[d].fd), str(self._files[d].path)) for d in blocks])
        for date in [d for d in self._files if d not in blocks]:  # a new day: close yesterday's file
            self._release(date)

    def wait_synced(self, timeout: float | None = None) -> bool:
        """Block until every row appended so far is fsynced; False if ``timeout`` ran out."""
        return self._background.wait(timeout) if self._background is not None else True

    def close(self) -> None:
        """Close the files, after the rows written so far are on disk."""
        with self._write_lock:
            for date in list(self._files):
                self._release(date)
        if self._background is not None:
            self._background.close()
