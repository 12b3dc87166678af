"""fsync of the prediction log right after the answer, in a thread of its own.

Why: a keep-alive client paid the log's fsync (0.18 ms on this machine's disk) on every request,
a fifth of all the HTTP overhead over the in-process parse. The rows must be *in the file*
before the answer goes out (then a crash of the process, even kill -9, loses no answered row:
the kernel holds the written bytes) and a failed write must refuse the request (ENOSPC, EFBIG and
EIO come back from ``write(2)``, and the rows are cut back off). Only the step from the kernel's
page cache to the disk, which protects against a power loss or a kernel crash, can follow the
answer. :class:`BackgroundSync` does that step shortly after, while the event loop sends the
response: a batch's rows reach the disk within one fsync's time of their answer, and appends
that arrive during an fsync share the next one (group commit).

``QU_PREDICTION_LOG_SYNC=before`` keeps the fsync in front of the answer, for an operator who
needs every answered row on disk before the client hears of it.

A failed background fsync cannot refuse requests that were already answered; it is logged at
ERROR with the file, and counted in :attr:`BackgroundSync.failures`.
"""

from __future__ import annotations

import logging
import os
import threading

logger = logging.getLogger("bentoml.qu.prediction_log")


class BackgroundSync:
    """Takes duplicated file descriptors of written files, fsyncs and closes them in its thread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._fds: list[tuple[int, str]] = []  # (descriptor, path for messages)
        self._submitted = 0  # submissions handed in
        self._synced = 0  # submissions whose descriptors were fsynced (or failed)
        self._closed = False
        self._thread: threading.Thread | None = None
        self.failures = 0

    def submit(self, fds: list[tuple[int, str]]) -> None:
        """fsync ``fds`` soon (and close them); the thread starts with the first submission, so a
        log that is never written to never starts one."""
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="qu-log-sync", daemon=True)
                self._thread.start()
            self._fds.extend(fds)
            self._submitted += 1
            self._cond.notify_all()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until everything submitted so far is fsynced; False if ``timeout`` ran out."""
        with self._cond:
            target = self._submitted
            return self._cond.wait_for(lambda: self._synced >= target, timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Sync what is pending, then stop the thread (a later :meth:`submit` starts another)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        with self._cond:
            self._thread, self._closed = None, False

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._fds or self._closed)
                if not self._fds:
                    return  # closed, nothing left
                fds, self._fds = self._fds, []
                upto = self._submitted
            synced: set[str] = set()
            for fd, path in fds:  # one fsync per file covers every write to it before the call
                if path not in synced:
                    synced.add(path)
                    self._sync_one(fd, path)
                else:
                    _close_quietly(fd)
            with self._cond:
                self._synced = upto
                self._cond.notify_all()

    def _sync_one(self, fd: int, path: str) -> None:
        try:
            os.fsync(fd)
        except OSError as exc:
            self.failures += 1
            logger.error(
                "prediction log %s: fsync after the answer failed (%s); rows answered "
                "since the last sync may not survive a power loss",
                path,
                exc,
            )
        finally:
            _close_quietly(fd)


def _close_quietly(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
