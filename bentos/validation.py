"""Request validation for POST /parse: every client mistake becomes a 4xx with a message.

:class:`RequestGuard` is a plain ASGI middleware in front of BentoML's handlers. For
``POST /parse`` it enforces the body-size limit while the body streams in (413 before
BentoML buffers anything), then decodes UTF-8, parses JSON and checks the shape and every
query with :func:`parse_payload` (including the per-request character budget,
``QU_MAX_REQUEST_CHARS``), answering ``{"error": "...", "status": N}`` itself on any problem;
``POST /reload`` gets the same treatment for its (empty) body. Only
well-formed requests reach the service, so BentoML's own error paths (whose 4xx bodies have an
odd shape, and whose 5xx hide the reason) never see client input. Other POST routes get the
body-size limit only.

Status codes: 400 body is not UTF-8 / not JSON; 408 body not received in time; 413 body, batch or total characters too large; 415 content type
is not JSON; 422 JSON of the wrong shape or an invalid query (empty, too long, bad Unicode).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable

import anyio

from bentos.config import Limits
from bentos.schemas import error_body
from query_understanding.text import QueryError, validate_query

logger = logging.getLogger("bentoml.qu.requests")  # under "bentoml": shown in serve logs

#: How much of an oversized body is read and dropped before answering 413 (then: close).
DRAIN_CAP_BYTES = 16 << 20

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class InputError(ValueError):
    """A client error: HTTP ``status`` and a message meant for the caller."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def check_query(query: Any, limits: Limits, where: str = "'query'") -> str:
    """``query`` if it can be tagged, else :class:`InputError` (422) naming ``where``."""
    try:
        validate_query(query, limits.max_query_chars)
    except QueryError as exc:
        raise InputError(422, f"{where}: {exc}") from None
    try:
        query.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            422, f"{where}: contains an unpaired surrogate (\\ud800-\\udfff escape); send valid Unicode"
        ) from None
    return query


def parse_payload(payload: Any, limits: Limits) -> list[str]:
    """The queries of a decoded JSON body ``{"queries": [...]}`` or ``{"query": "..."}``."""
    if not isinstance(payload, dict):
        raise InputError(
            422,
            'body must be a JSON object: {"queries": ["..."]} or {"query": "..."}, '
            f"got a JSON {_json_type(payload)}",
        )
    unknown = sorted(set(payload) - {"queries", "query"})
    if unknown:
        raise InputError(
            422,
            f"unknown field(s) {', '.join(map(repr, unknown))}; "
            "expected 'queries' (a list of strings) or 'query' (a string)",
        )
    has_many, has_one = payload.get("queries") is not None, payload.get("query") is not None
    if has_many and has_one:
        raise InputError(422, "give either 'queries' or 'query', not both")
    if has_one:
        if not isinstance(payload["query"], str):
            raise InputError(422, f"'query' must be a string, got a JSON {_json_type(payload['query'])}")
        return [check_query(payload["query"], limits)]
    if not has_many:
        raise InputError(422, "missing 'queries' (a list of strings) or 'query' (a string)")
    queries = payload["queries"]
    if not isinstance(queries, list):
        raise InputError(422, f"'queries' must be a list of strings, got a JSON {_json_type(queries)}")
    if not queries:
        raise InputError(422, "'queries' is empty; send at least one query")
    if len(queries) > limits.max_batch:
        raise InputError(
            413, f"'queries' has {len(queries)} items; the limit is {limits.max_batch} per request (QU_MAX_BATCH)"
        )
    for i, query in enumerate(queries):
        if not isinstance(query, str):
            raise InputError(422, f"queries[{i}] must be a string, got a JSON {_json_type(query)}")
        check_query(query, limits, f"queries[{i}]")
    total = sum(len(q) for q in queries)
    if total > limits.max_request_chars:
        raise InputError(
            413,
            f"the queries have {total} characters together; the limit is {limits.max_request_chars} "
            "per request (QU_MAX_REQUEST_CHARS): send fewer or shorter queries per request",
        )
    return list(queries)


def decode_json(body: bytes) -> Any:
    """The JSON value of a raw UTF-8 body; :class:`InputError` (400) saying why not."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(400, f"body is not valid UTF-8 (byte {exc.start}); send UTF-8 JSON") from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(400, f"body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise InputError(400, "body is not valid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer literal beyond Python's digit limit
        raise InputError(400, f"body is not valid JSON: {exc}") from None
    return payload


def parse_body(body: bytes, limits: Limits) -> list[str]:
    """Decode, parse and validate a raw /parse body."""
    if len(body) > limits.max_body_bytes:
        raise InputError(413, _too_large(len(body), limits))
    if not body.strip():
        raise InputError(400, 'empty body; send JSON {"queries": ["..."]} or {"query": "..."}')
    return parse_payload(decode_json(body), limits)


def parse_empty_object_body(body: bytes, limits: Limits) -> None:
    """An admin call without arguments (``POST /reload``): no body, or the JSON object ``{}``.
    Checked here so that BentoML's own body parsing (whose errors log a traceback at ERROR and
    answer in another shape) never sees client input."""
    if not body.strip():
        return None
    payload = decode_json(body)
    if not isinstance(payload, dict):
        raise InputError(422, f"body must be a JSON object ({{}} or none), got a JSON {_json_type(payload)}")
    if payload:
        raise InputError(422, f"unknown field(s) {', '.join(map(repr, sorted(payload)))}; this call takes none")
    return None


def _too_large(size: int | str, limits: Limits) -> str:
    return f"body is {size} bytes; the limit is {limits.max_body_bytes} bytes (QU_MAX_BODY_BYTES)"


def _json_type(value: Any) -> str:
    return {
        dict: "object",
        list: "array",
        str: "string",
        bool: "boolean",
        int: "number",
        float: "number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _is_json_content_type(value: str) -> bool:
    media = value.split(";")[0].strip().lower()
    return media in ("", "application/json") or media.endswith("+json")


def render_json(body: Any) -> bytes:
    """JSON the way Starlette's ``JSONResponse`` renders it (compact, UTF-8, no NaN)."""
    return json.dumps(body, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")


async def send_json(send: Send, status: int, body: dict, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Send ``body`` as the whole JSON response (the guard's refusals, the direct /parse answers)."""
    data = render_json(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
            + (headers or []),
        }
    )
    await send({"type": "http.response.body", "body": data})


#: What the guard checks the body of, by path: ``/parse`` (the queries, kept for the handler
#: in ``scope["state"]["qu_queries"]``) and the argument-less admin call ``/reload``.
VALIDATORS: dict[str, Callable[[bytes, Limits], Any]] = {"/parse": parse_body, "/reload": parse_empty_object_body}


class RequestGuard:
    """ASGI middleware: body-size limit on every POST, full validation on the ``validators``'
    paths. Every refusal is logged at INFO (a client's mistake, not the server's: no traceback)."""

    def __init__(
        self,
        app: Callable,
        limits: Limits,
        validators: dict[str, Callable[[bytes, Limits], Any]] | None = None,
    ) -> None:
        self.app = app
        self.limits = limits
        self.validators = dict(VALIDATORS if validators is None else validators)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        validator = self.validators.get(scope.get("path", ""))
        validate = validator is not None
        try:
            content_type = headers.get("content-type")
            # Every POST API takes JSON: any other declared type is refused here, before BentoML
            # tries to parse it (a multipart type without a boundary made it answer 500).
            # Only /parse requires the header; `curl -X POST /reload` sends none.
            if (scope.get("path") == "/parse" or content_type is not None) and not _is_json_content_type(
                content_type or ""
            ):
                raise InputError(415, f"content-type {content_type!r} is not supported; send application/json")
            declared = headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.limits.max_body_bytes:
                with anyio.move_on_after(self.limits.body_timeout_s):
                    await self._drain(receive)
                raise InputError(413, _too_large(declared, self.limits))
            if not validate and declared is not None:
                passthrough = True  # size known and within the limit (the server enforces it)
            else:
                passthrough = False
                body = await self._read_body_in_time(receive)
                if validator is not None:
                    scope.setdefault("state", {})["qu_queries"] = validator(body, self.limits)
        except InputError as exc:
            logger.info("%s %s refused with %d: %s", scope.get("method"), scope.get("path"), exc.status, exc.message)
            await send_json(
                send,
                exc.status,
                error_body(exc.status, exc.message),
                [(b"connection", b"close")] if exc.status in (408, 413) else None,
            )
            return
        if passthrough:
            await self.app(scope, receive, send)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # wait for disconnect, as a real body stream would

        await self.app(scope, replay, send)

    async def _drain(self, receive: Receive, cap: int = DRAIN_CAP_BYTES) -> None:
        """Read and drop the rest of an oversized body (up to ``cap``) so that the client, which
        is still sending, reads the 413 instead of a connection reset."""
        drained = 0
        while drained < cap:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            drained += len(message.get("body", b""))
            if not message.get("more_body", False):
                return

    async def _read_body_in_time(self, receive: Receive) -> bytes:
        """The whole body within ``QU_BODY_TIMEOUT_S``, else 408 (and the connection closed):
        a client that declares more than it sends (or trickles) must not hold a request open."""
        try:
            with anyio.fail_after(self.limits.body_timeout_s):
                return await self._read_body(receive)
        except TimeoutError:
            raise InputError(
                408, f"the body did not arrive within {self.limits.body_timeout_s} s (QU_BODY_TIMEOUT_S)"
            ) from None

    async def _read_body(self, receive: Receive) -> bytes:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise InputError(400, "client disconnected before sending the whole body")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.max_body_bytes:
                if message.get("more_body", False):
                    await self._drain(receive)
                raise InputError(413, _too_large(f"more than {self.limits.max_body_bytes}", self.limits))
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)
