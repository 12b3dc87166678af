"""Whether the service may take traffic, and who may change what it serves.

Why: a failed ``POST /reload`` keeps the old model serving (by design), but before issue 11
nothing outside the 500 answer of that one call said so: ``/readyz`` stayed 200 and
``/model_info`` looked healthy, so a rollout that promoted a broken model looked done.
:class:`ReloadStatus` remembers the last reload (time, outcome, error); while the last one
failed and the registry still chooses another model than the one that runs,
:class:`ReadinessGate` answers ``GET /readyz`` with 503 and the reason (a load balancer stops
sending traffic, an operator sees why). Rolling the registry back, or a reload that works,
ends it.

:func:`admin_refusal` is the one check of the admin token: closed by default (no
``QU_ADMIN_TOKEN``: 403 saying to set it), 401 for a missing or wrong token, compared in
constant time.
"""

from __future__ import annotations

import hmac
import logging
import threading
from typing import Any, Awaitable, Callable

import anyio
import bentoml

from bentos.prediction_log import utc_timestamp
from bentos.schemas import error_body
from bentos.validation import send_json

logger = logging.getLogger("bentoml.qu.readiness")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


def admin_refusal(configured: str | None, sent: str | None) -> tuple[int, str] | None:
    """(status, message) refusing an admin call, or None when ``sent`` is the configured token."""
    if not configured:
        return 403, "admin calls are off: set QU_ADMIN_TOKEN on the server and send it as X-Admin-Token"
    if not sent or not hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), configured.encode("utf-8")):
        return 401, "missing or wrong X-Admin-Token"
    return None


def is_admin(configured: str | None, sent: str | None) -> bool:
    return admin_refusal(configured, sent) is None


class ReloadStatus:
    """The outcome of the last reload of this process (thread-safe; small)."""

    def __init__(self, served_tag: str, source: str) -> None:
        self._lock = threading.Lock()
        self.last: dict[str, Any] | None = None  # {"at", "ok", "error"?, "served_tag"}
        self.last_error: dict[str, Any] | None = None  # {"at", "error"} of the last failure, kept after a success
        self._started_with = {"served_tag": served_tag, "source": source}

    def failed(self, error: str) -> None:
        with self._lock:
            self.last = {"at": utc_timestamp(), "ok": False, "error": error}
            self.last_error = {"at": self.last["at"], "error": error}

    def succeeded(self, served_tag: str) -> None:
        with self._lock:
            self.last = {"at": utc_timestamp(), "ok": True, "served_tag": served_tag}

    def info(self) -> dict:
        with self._lock:
            return {"last": self.last, "last_error": self.last_error, "started_with": self._started_with}

    def not_ready_reason(self, running: str, registry_choice: Callable[[], str]) -> str | None:
        with self._lock:
            last = self.last
        if last is None or last["ok"]:
            return None
        try:
            wanted = registry_choice()
        except Exception as exc:  # the registry cannot say: the failed reload is the story
            wanted = f"<unresolvable: {exc}>"
        if wanted == running:
            return None
        return (
            f"serving {running}, but the registry chooses {wanted}: the reload at {last['at']} failed "
            f"({last['error']}); fix or roll back the registry, then POST /reload"
        )


class ReadinessGate:
    """ASGI middleware: ``GET /readyz`` is 503 ``{"error", "status"}`` while the service says why
    it is not ready; otherwise BentoML's own readiness answers."""

    def __init__(self, app: Callable, path: str = "/readyz") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") == self.path:
            reason = await self._reason()
            if reason is not None:
                await send_json(send, 503, error_body(503, f"not ready: {reason}"))
                return
        await self.app(scope, receive, send)

    @staticmethod
    async def _reason() -> str | None:
        service = bentoml.get_current_service()
        check = getattr(service, "not_ready_reason", None)
        if check is None:  # still starting: BentoML's readiness says so
            return None
        return await anyio.to_thread.run_sync(check)
