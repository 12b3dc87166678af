"""Every worker follows the registry: when its choice changes, the worker reloads by itself.

Why: ``POST /reload`` reaches the one worker that receives it, so with ``QU_WORKERS`` above 1 a
promotion (or rollback) left the other workers serving the old model until a restart, and the
answer to a request depended on which worker took it. With this thread each worker compares the
registry's choice with what it serves every ``QU_FOLLOW_REGISTRY_S`` seconds and reloads when
they differ, so every worker serves the new model within that interval. A target that failed to
load is not retried until the registry's choice changes again (the failure is visible in
``/model_info.reload`` and ``/readyz``, as for ``POST /reload``).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

logger = logging.getLogger("bentoml.qu.follow")

#: Seconds between checks when ``QU_FOLLOW_REGISTRY_S`` is ``auto`` and several workers run.
DEFAULT_FOLLOW_S = 5


class RegistryFollower:
    """Checks ``choice()`` against ``serving()`` and calls ``reload()`` when they differ."""

    def __init__(self, choice: Callable[[], str], serving: Callable[[], str], reload: Callable[[], object]) -> None:
        self.choice, self.serving, self.reload = choice, serving, reload
        self.failed_target: str | None = None

    def check(self) -> bool:
        """One check; True when it reloaded."""
        try:
            wanted = self.choice()
        except Exception as exc:  # a registry being written, or unreadable: try again next time
            logger.info("registry choice unreadable, keeping %s: %s", self.serving(), exc)
            return False
        if wanted == self.serving() or wanted == self.failed_target:
            return False
        try:
            self.reload()
        except Exception as exc:
            self.failed_target = wanted
            logger.error("following the registry to %s failed, still serving %s: %s", wanted, self.serving(), exc)
            return False
        self.failed_target = None
        logger.info("followed the registry: now serving %s", self.serving())
        return True

    def start(self, interval_s: float) -> threading.Thread:
        def loop() -> None:
            while True:
                time.sleep(interval_s)
                self.check()

        thread = threading.Thread(target=loop, name="qu-registry-follow", daemon=True)
        thread.start()
        return thread
