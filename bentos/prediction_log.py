"""Durable prediction log: every answered query, appended as JSON lines before the response.

Layout (Hive-style partitions, one file per serving process so processes never interleave)::

    <root>/date=YYYY-MM-DD/part-<pid>.jsonl

One row per query (schema version 1; see bentos/README.md)::

    {"schema_version": 1, "request_id": "...", "item": 0, "ts": "2026-11-29T07:45:01.123Z",
     "query": "blue shoes by prada", "entities": [{"type": "COLOR", "text": "blue",
     "start": 0, "end": 4, "score": 0.98}, ...], "model_tag": "qu-crf:crf-...",
     "latency_ms": 3.2}

:meth:`PredictionLog.append` returns only after the rows are written, flushed and fsynced.
Concurrent callers share fsyncs (group commit): whoever holds the writer lock writes and syncs
everything queued so far, and a caller whose rows were covered by someone else's sync returns
without syncing again. Read it with DuckDB::

    SELECT * FROM read_json('<root>/**/*.jsonl', hive_partitioning = true)
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Iterable, Mapping

from model_registry.durable import fsync_dir

SCHEMA_VERSION = 1


def utc_timestamp(when: datetime | None = None) -> str:
    when = when or datetime.now(timezone.utc)
    return when.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class PredictionLog:
    """Append-only, date-partitioned JSONL log for one process."""

    def __init__(self, root: str | Path, fsync: bool = True) -> None:
        self.root = Path(root)
        self.fsync = fsync
        self._queue_lock = threading.Lock()  # guards _pending / _queued
        self._write_lock = threading.Lock()  # one writer at a time
        self._pending: list[tuple[str, bytes]] = []  # (date, line)
        self._queued = 0  # tickets handed out
        self._durable = 0  # highest ticket whose write was attempted
        self._failed: list[tuple[int, int, BaseException]] = []  # (after, upto, error) of failed writes
        self._files: dict[str, IO[bytes]] = {}
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
                "model_tag": result.get("model_tag") or model_tag,
                "linking_index": result.get("linking_index"),
                "latency_ms": round(float(latency_ms), 3),
            }
            for i, result in enumerate(results)
        ]

    def append(self, rows: Iterable[Mapping]) -> None:
        """Write ``rows`` durably; return once they are flushed and fsynced."""
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
            except BaseException as exc:
                self._failed = self._failed[-99:] + [(after, upto, exc)]
                for fh in self._files.values():  # reopen next time
                    fh.close()
                self._files.clear()
                raise

    def _file(self, date: str) -> IO[bytes]:
        fh = self._files.get(date)
        if fh is None:
            for old in list(self._files):  # a new day: close yesterday's file
                self._files.pop(old).close()
            path = self.path_for(date)
            created_dir = not path.parent.exists()
            path.parent.mkdir(parents=True, exist_ok=True)
            created = not path.exists()
            fh = open(path, "ab")
            if self.fsync and created:
                fsync_dir(path.parent)
                if created_dir:
                    fsync_dir(path.parent.parent)
            self._files[date] = fh
        return fh

    def _write(self, batch: list[tuple[str, bytes]]) -> None:
        touched = {}
        for date, line in batch:
            fh = self._file(date)
            fh.write(line)
            touched[id(fh)] = fh
        for fh in touched.values():
            fh.flush()
            if self.fsync:
                os.fsync(fh.fileno())

    def close(self) -> None:
        with self._write_lock:
            for fh in self._files.values():
                fh.close()
            self._files.clear()
