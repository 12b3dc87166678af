"""One append-only file of whole lines that a failed write never leaves torn.

Why not a buffered ``open(path, "ab")``: its buffer decides when bytes reach the file, so a
write error (ENOSPC, EFBIG, EIO) can leave part of a row there, the next append is glued onto
it, and closing the handle after the error flushes the buffer again and raises, which left a
closed handle in the log's table (the next request got a 500, "write to closed file").

:class:`AppendFile` keeps a raw file descriptor and the offset of the last durable byte
(``good``). :meth:`AppendFile.append` hands the whole block of lines to one ``os.write`` (a
short write is continued, never dropped), then fsyncs; if anything fails it truncates the file
back to ``good``, so the rows of a failed append are gone whole (their requests were answered
503). If even the truncation fails, the handle is given up and the next open repairs the
tail: truncate to the remembered ``good`` offset, or, when that is not known, end the torn
line with a newline so that readers (``read_json(..., ignore_errors = true)``) skip it and the
next row starts on a line of its own. Closing never raises.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from model_registry.durable import fsync_dir

logger = logging.getLogger("bentoml.qu.prediction_log")


def _write_all(fd: int, data: bytes) -> None:
    """``data`` to ``fd`` in as few ``os.write`` calls as the kernel allows (one, normally)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # pragma: no cover - write(2) returns > 0 or raises
            raise OSError(f"write returned {written}")
        view = view[written:]


class AppendFile:
    """An O_APPEND file descriptor that is only ever extended by whole, durable blocks."""

    def __init__(self, path: Path, fsync: bool = True, good: int | None = None) -> None:
        self.path = path
        self.fsync = fsync
        created_dir = not path.parent.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        created = not path.exists()
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if fsync and created:
                fsync_dir(path.parent)
                if created_dir:
                    fsync_dir(path.parent.parent)
            self.good = self._repair(good)
        except BaseException:
            self.close()
            raise

    def _repair(self, good: int | None) -> int:
        """The offset to append at: the remembered ``good`` offset if the file grew past it
        (a failed append whose rollback failed), else the end, fenced with a newline when the
        file does not end with one (a torn row from a crash or an older writer)."""
        size = os.fstat(self.fd).st_size
        if good is not None and size > good:
            os.ftruncate(self.fd, good)
            logger.warning("prediction log %s: dropped %d bytes of a failed append", self.path, size - good)
            return good
        if size and not self._ends_with_newline(size):
            _write_all(self.fd, b"\n")
            if self.fsync:
                os.fsync(self.fd)
            logger.warning("prediction log %s: fenced a torn last line with a newline", self.path)
            return size + 1
        return size

    def _ends_with_newline(self, size: int) -> bool:
        with open(self.path, "rb") as reader:
            reader.seek(size - 1)
            return reader.read(1) == b"\n"

    def append(self, data: bytes, sync: bool = True) -> None:
        """Append ``data`` (whole lines) durably, or cut the file back and raise OSError.
        ``sync=False`` leaves the fsync to the caller (:mod:`bentos.background_sync`): the rows
        are in the file, the step to the disk follows."""
        try:
            _write_all(self.fd, data)
            if self.fsync and sync:
                os.fsync(self.fd)
        except BaseException:
            self.rollback(self.good)
            raise
        self.good += len(data)

    def rollback(self, offset: int) -> bool:
        """Cut the file back to ``offset`` (a durable boundary); False if that failed, and the
        caller must close this handle (the next open cuts it back from the remembered offset)."""
        self.good = offset
        try:
            os.ftruncate(self.fd, offset)
            if self.fsync:
                os.fsync(self.fd)
        except OSError as exc:
            logger.error("prediction log %s: cannot cut a failed append back to %d: %s", self.path, offset, exc)
            return False
        return True

    def close(self) -> None:
        """Release the descriptor; never raises (a failed close must not fail a later request)."""
        fd, self.fd = self.fd, -1
        if fd < 0:
            return
        try:
            os.close(fd)
        except OSError as exc:
            logger.warning("prediction log %s: close failed: %s", self.path, exc)
