"""Connection limits uvicorn lacks: a head timeout, a head size cap and a connection cap.

Why (issue 11, fault 2): BentoML 1.4 starts each worker's uvicorn with only ``backlog`` and
``timeout_keep_alive``, and uvicorn's keep-alive timer runs only *after* an answer. A probe
found that a connection which sends nothing stays open for ever (~20,000 of them exhausted the
worker's file descriptors and every request failed, ``/readyz`` included), that a request
head may trickle in for ever, and that one 64 MB header stalled every request for ~4.5 s
while the parser buffered it. The body has its own timeout in :mod:`bentos.validation`.

What this adds, in the HTTP protocol itself (before any ASGI code runs):

- **head timeout** (``QU_HEADER_TIMEOUT_S``): a request head (request line and headers) must
  arrive in full within this many seconds of the connection opening or of the first byte after
  the previous answer; else ``408`` and the connection is closed (a connection that sent
  nothing is just closed);
- **head size** (``QU_MAX_HEADER_BYTES``): a head larger than this is ``431``, checked on every
  read, so the parser never buffers more than one read past the limit;
- **connection cap** (``QU_MAX_CONNECTIONS``, kept below the process's file limit): at the cap a
  new connection closes the *idle* connection that has waited longest (no request in flight)
  so that a flood of idle sockets cannot lock out ``/readyz``; only when every connection has a
  request in flight is the new one answered ``503``.

Every refusal is logged at INFO and answered in the service's error shape,
``{"error": "...", "status": N}``. :func:`install` makes the uvicorn server BentoML's worker is
about to build use :class:`GuardedHttpProtocol`: BentoML has no setting for the protocol.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bentos.config import ConnectionLimits
from bentos.schemas import error_body

logger = logging.getLogger("bentoml.qu.connections")


def refusal_bytes(status: int, message: str) -> bytes:
    """A complete ``Connection: close`` HTTP/1.1 answer with the service's JSON error body."""
    body = json.dumps(error_body(status, message)).encode()
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the head timeout, head size cap and connection cap."""

    def __init__(self, config, server_state, app_state, _loop=None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.guard: ConnectionLimits = getattr(config, "connection_limits", None) or ConnectionLimits()
        self.awaiting_head = True  # no request head being answered: before one, or after an answer
        self.head_bytes = 0  # bytes read while awaiting the current head
        self.waiting_since = 0.0  # when this connection last started to wait for a head
        self.head_timer = None

    # -- state --------------------------------------------------------------------------
    def is_idle(self) -> bool:
        """No request in flight: it waits for a head (possibly a partial one)."""
        return self.awaiting_head and (self.cycle is None or self.cycle.response_complete)

    def refuse(self, status: int, message: str) -> None:
        if self.transport.is_closing():
            return
        logger.info("connection %s refused %d: %s", self.client, status, message)
        self.transport.write(refusal_bytes(status, message))
        self.transport.close()

    def arm_head_timer(self) -> None:
        if self.head_timer is None:
            self.head_timer = self.loop.call_later(self.guard.header_timeout_s, self.head_timed_out)

    def disarm_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def head_timed_out(self) -> None:
        self.head_timer = None
        if self.transport.is_closing() or not self.awaiting_head:
            return
        if not self.is_idle():  # a pipelined head behind a request in flight: wait for that one
            self.arm_head_timer()
            return
        if self.head_bytes:
            self.refuse(
                408, f"the request head did not arrive within {self.guard.header_timeout_s} s (QU_HEADER_TIMEOUT_S)"
            )
        else:
            logger.info("connection %s closed: nothing sent for %d s", self.client, self.guard.header_timeout_s)
            self.transport.close()

    # -- uvicorn / httptools callbacks -------------------------------------------------
    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.waiting_since = self.loop.time()
        if len(self.connections) > self.guard.max_connections and not self.make_room():
            self.refuse(503, f"too many open connections (QU_MAX_CONNECTIONS={self.guard.max_connections})")
            return
        self.arm_head_timer()

    def make_room(self) -> bool:
        """Close the idle connection that has waited longest; False when every one is busy."""
        idle = [c for c in self.connections if c is not self and isinstance(c, GuardedHttpProtocol) and c.is_idle()]
        if not idle:
            return False
        oldest = min(idle, key=lambda c: c.waiting_since)
        logger.info("connection cap reached: closing the longest idle connection %s", oldest.client)
        oldest.transport.close()
        oldest.connections.discard(oldest)  # counted free now, not when the loop gets to it
        return True

    def data_received(self, data: bytes) -> None:
        if self.awaiting_head:
            self.head_bytes += len(data)
            self.arm_head_timer()
        super().data_received(data)
        if self.awaiting_head and self.head_bytes > self.guard.max_header_bytes:
            self.refuse(
                431, f"the request head is larger than {self.guard.max_header_bytes} bytes (QU_MAX_HEADER_BYTES)"
            )

    def on_headers_complete(self) -> None:
        self.awaiting_head = False
        self.head_bytes = 0
        self.disarm_head_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.awaiting_head = True
        self.head_bytes = 0
        self.waiting_since = self.loop.time()

    def connection_lost(self, exc) -> None:
        self.disarm_head_timer()
        super().connection_lost(exc)


def install(limits: ConnectionLimits) -> None:
    """Make every ``uvicorn.Config`` built from now on use :class:`GuardedHttpProtocol`.

    BentoML's worker calls ``uvicorn.Config(...)`` after it has imported the service, and looks
    the name up at call time; this swaps in a subclass that sets the protocol and carries the
    limits. Idempotent."""
    if getattr(uvicorn.Config, "connection_limits", None) is not None:
        uvicorn.Config.connection_limits = limits
        return

    class GuardedConfig(uvicorn.Config):
        connection_limits = limits

        def __init__(self, *args, **kwargs) -> None:
            kwargs["http"] = GuardedHttpProtocol
            super().__init__(*args, **kwargs)

    uvicorn.Config = GuardedConfig
