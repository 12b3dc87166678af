"""The direct /parse path: a validated ``POST /parse`` answered in front of BentoML's route.

Why: after the lean switches (:mod:`bentos.lean`) a single keep-alive client still paid about
2 ms per request over the 0.25 ms in-process parse, and most of the event loop's share of that
was the route machinery between :class:`~bentos.validation.RequestGuard` and the handler:
BentoML's request context, Starlette's router and exception middleware, BentoML's endpoint
wrapper (a pydantic parse of a body the guard already parsed, a ``Context`` per request,
signature inspection) and its response conversion. None of it adds anything to a request the
guard has validated.

:class:`DirectParse` sits right after the guard. When the service has bound its answer
function (:meth:`ParseEndpoint.bind`, in ``QueryParser.__init__``) it calls it with the
guard's queries and the client's ``X-Request-ID`` and sends the JSON itself. What stays in
front of it is BentoML's outer middleware: ``/metrics`` keeps counting ``/parse`` requests
and their latency, the traffic timeout still applies, and the access log and tracing still
follow their switches. The BentoML route stays declared and answers the same way through the
same function (``QU_DIRECT_PARSE=off`` sends every request there), so the OpenAPI document and
the answer cannot drift apart.
"""

from __future__ import annotations

import logging
from typing import Awaitable, Callable, NamedTuple

from bentos.schemas import error_body
from bentos.validation import send_json

logger = logging.getLogger("bentoml.qu.parse")

PARSE_PATH = "/parse"


class Answer(NamedTuple):
    """What ``/parse`` sends: status, JSON body and extra response headers."""

    status: int
    body: dict
    headers: dict[str, str]


def error_answer(status: int, message: str) -> Answer:
    """An error in the project's one error shape, ``{"error", "status"}``."""
    return Answer(status, error_body(status, message), {})


AnswerFn = Callable[[list[str], "str | None"], Awaitable[Answer]]


class ParseEndpoint:
    """Where the service's answer function is bound, once per worker, after its models load."""

    def __init__(self) -> None:
        self.answer: AnswerFn | None = None

    def bind(self, answer: AnswerFn) -> None:
        self.answer = answer


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


class DirectParse:
    """ASGI middleware: answers a guard-validated ``POST /parse`` through the bound function;
    everything else (and everything before the service has bound one) goes on to BentoML."""

    def __init__(self, app: Callable, endpoint: ParseEndpoint, enabled: bool = True) -> None:
        self.app = app
        self.endpoint = endpoint
        self.enabled = enabled

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        answer = self.endpoint.answer if self.enabled else None
        queries = scope.get("state", {}).get("qu_queries") if scope.get("path") == PARSE_PATH else None
        if answer is None or queries is None or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        try:
            result = await answer(queries, _header(scope, b"x-request-id"))
        except Exception:  # the server's fault: logged with its traceback, answered in the error shape
            logger.exception("POST /parse failed")
            result = error_answer(500, "internal error while parsing; see the server log")
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in result.headers.items()]
        await send_json(send, result.status, result.body, headers)
