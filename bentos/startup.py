"""A service that cannot start makes ``bentoml serve`` exit non-zero, with the reason.

Why: BentoML 1.4 runs each worker under a circus watcher with ``respawn`` on (outside a
container), and a worker whose start-up raises is simply started again, forever: with an
unknown tag or a corrupted model, ``bentoml serve`` logged the same traceback every few
seconds and never exited (exit status 0 when finally stopped), so a supervisor, a CI job or
``scripts/run_main.sh`` could not tell a dead service from a slow one.

How: a worker whose start-up fails counts the failure in a small file named after its parent,
the ``bentoml serve`` process (the circus arbiter); at :data:`MAX_START_FAILURES` it logs that
it gives up and asks the arbiter to stop (SIGTERM: circus stops every watcher cleanly). The
``bentoml serve`` process imported this module too and registered :func:`exit_code_hook` with
``atexit``: when it finds the give-up record of its own PID it prints the reason and exits
with :data:`EXIT_START_FAILED`. A successful start clears the count.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

logger = logging.getLogger("bentoml.qu.startup")

#: Failed worker starts (in a row, per ``bentoml serve`` process) before it is stopped.
MAX_START_FAILURES = 3
#: Exit status of ``bentoml serve`` when the service never started.
EXIT_START_FAILED = 3


def failure_file(arbiter_pid: int) -> Path:
    return Path(tempfile.gettempdir()) / f"qu-start-failures-{arbiter_pid}.log"


def is_serve_cli() -> bool:
    """True in the ``bentoml serve`` process itself (not in its workers, not in ``bentoml build``)."""
    return sys.argv[1:2] == ["serve"]


def record_start_failure(reason: str, arbiter_pid: int | None = None) -> int:
    """Count one failed start (one line per failure); give up at :data:`MAX_START_FAILURES`."""
    arbiter_pid = os.getppid() if arbiter_pid is None else arbiter_pid
    path = failure_file(arbiter_pid)
    line = " ".join(reason.split())[:2000] + "\n"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line)
    failures = len(path.read_text(encoding="utf-8").splitlines())
    if failures < MAX_START_FAILURES:
        logger.error("start-up failed (%d of %d before giving up): %s", failures, MAX_START_FAILURES, reason)
        return failures
    logger.error("start-up failed %d times, giving up (bentoml serve will exit): %s", failures, reason)
    try:
        os.kill(arbiter_pid, signal.SIGTERM)
    except OSError as exc:
        logger.error("cannot stop bentoml serve (pid %d): %s", arbiter_pid, exc)
    return failures


def record_start_success(arbiter_pid: int | None = None) -> None:
    failure_file(os.getppid() if arbiter_pid is None else arbiter_pid).unlink(missing_ok=True)


def exit_code_hook(pid: int | None = None) -> None:
    """In ``bentoml serve`` at exit: exit :data:`EXIT_START_FAILED` if the workers gave up."""
    path = failure_file(os.getpid() if pid is None else pid)
    try:
        reasons = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return
    path.unlink(missing_ok=True)
    if len(reasons) >= MAX_START_FAILURES:
        sys.stderr.write(
            f"query_understanding: the service failed to start {len(reasons)} times; last reason: {reasons[-1]}\n"
        )
        sys.stderr.flush()
        os._exit(EXIT_START_FAILED)


#: How often a worker checks that its ``bentoml serve`` still runs.
SUPERVISOR_POLL_S = 1.0


def exit_with_supervisor(poll_s: float = SUPERVISOR_POLL_S) -> threading.Thread:
    """Make this worker exit when its ``bentoml serve`` (the circus arbiter) dies.

    Why: after ``kill -9`` of ``bentoml serve`` its worker was re-parented and kept serving on
    the port with no supervisor, and a restart failed with "Address already in use". A daemon
    thread notices the re-parenting (``getppid`` changes) within ``poll_s`` and exits the
    process; Linux also gets ``PR_SET_PDEATHSIG`` (SIGTERM), which acts at once."""
    supervisor = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):  # the poll below still applies
            pass

    def watch() -> None:
        while os.getppid() == supervisor:
            time.sleep(poll_s)
        logger.warning("bentoml serve (pid %d) is gone: this worker exits with it", supervisor)
        os._exit(1)

    thread = threading.Thread(target=watch, name="qu-supervisor-watch", daemon=True)
    thread.start()
    return thread


def install_exit_code_hook() -> None:
    if is_serve_cli():
        failure_file(os.getpid()).unlink(missing_ok=True)  # a stale record of a reused PID
        atexit.register(exit_code_hook)
