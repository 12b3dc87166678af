"""The OpenAPI document (``GET /docs.json``) as the service really behaves.

Why a rewrite: BentoML derives the document from the API signatures, so ``/parse`` appeared
to take an object whose ``queries`` and ``query`` are both optional (any fuzzer's first
example, ``{}``, is a 422) and to answer 200, 400, 404 and 500 only, while it answers 404
never and 413, 415, 422 and 503 every day. :func:`patch_openapi` states the request body as
exactly one of its two forms, with examples that answer 200 when tried in Swagger UI, lists
every status each API answers in the ``{"error", "status"}`` shape, and drops any
``/internal`` path. :class:`OpenAPIPatch` applies it to BentoML's answer on the way out, so
the document stays BentoML's in everything else.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Awaitable, Callable

from bentos.config import Limits

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

ERROR_SCHEMA = {
    "type": "object",
    "title": "Error",
    "properties": {
        "error": {"type": "string", "description": "what went wrong, for a person"},
        "status": {"type": "integer", "description": "the HTTP status, repeated"},
    },
    "required": ["error", "status"],
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def parse_request_body(limits: Limits) -> dict:
    query = {"type": "string", "minLength": 1, "maxLength": limits.max_query_chars, "pattern": r"\S"}
    one = {
        "type": "object",
        "title": "OneQuery",
        "properties": {"query": {**query, "description": "a single query"}},
        "required": ["query"],
        "additionalProperties": False,
    }
    many = {
        "type": "object",
        "title": "ManyQueries",
        "properties": {
            "queries": {
                "type": "array",
                "items": query,
                "minItems": 1,
                "maxItems": limits.max_batch,
                "description": f"queries to tag; at most {limits.max_batch} (QU_MAX_BATCH) and "
                f"{limits.max_request_chars} characters together (QU_MAX_REQUEST_CHARS)",
            }
        },
        "required": ["queries"],
        "additionalProperties": False,
    }
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"oneOf": [one, many]},
                "examples": {
                    "one query": {"value": {"query": "nikee air max black mens"}},
                    "several queries": {"value": {"queries": ["blue shoes by prada", "red nike sneakers"]}},
                },
            }
        },
    }


PARSE_ERRORS = {
    "400": "body is not UTF-8, not JSON, empty or nested too deeply",
    "413": "body larger than QU_MAX_BODY_BYTES, more than QU_MAX_BATCH queries, or more than "
    "QU_MAX_REQUEST_CHARS characters together",
    "415": "content type other than JSON",
    "422": "not exactly one of {query} / {queries}, a non-string, empty or too long query, an unpaired surrogate",
    "500": "unexpected server error (the server log says why)",
    "503": "overloaded (queue full) or the prediction log cannot be written; retry",
}
RELOAD_ERRORS = {
    "400": "body is not UTF-8 or not JSON",
    "401": "missing or wrong X-Admin-Token",
    "403": "admin calls are off: QU_ADMIN_TOKEN is not set",
    "415": "content type other than JSON",
    "422": "body other than {} or none",
    "500": "the reload failed; the old model keeps serving (the body says why)",
}


def patch_openapi(spec: dict, limits: Limits) -> dict:
    """A copy of BentoML's document ``spec`` that says what the service really does."""
    spec = copy.deepcopy(spec)
    paths = spec.setdefault("paths", {})
    for path in [p for p in paths if p.startswith("/internal")]:
        del paths[path]
    spec.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    parse = paths.get("/parse", {}).get("post")
    if parse is not None:
        parse["requestBody"] = parse_request_body(limits)
        parse["parameters"] = [
            {
                "name": "X-Request-ID",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"},
                "description": "used as the request id (else one is generated); picks the A/B arm",
            }
        ]
        parse["responses"] = {"200": parse["responses"]["200"], **{k: _error(v) for k, v in PARSE_ERRORS.items()}}
    reload = paths.get("/reload", {}).get("post")
    if reload is not None:
        reload["requestBody"] = {
            "required": False,
            "content": {"application/json": {"schema": {"type": "object", "maxProperties": 0}, "example": {}}},
        }
        reload["parameters"] = [
            {"name": "X-Admin-Token", "in": "header", "required": True, "schema": {"type": "string"}}
        ]
        reload["responses"] = {"200": reload["responses"]["200"], **{k: _error(v) for k, v in RELOAD_ERRORS.items()}}
    return spec


class OpenAPIPatch:
    """ASGI middleware: rewrites BentoML's ``GET /docs.json`` answer with :func:`patch_openapi`."""

    def __init__(self, app: Callable, limits: Limits, path: str = "/docs.json") -> None:
        self.app = app
        self.limits = limits
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            if start.get("status") == 200:
                body = json.dumps(patch_openapi(json.loads(body), self.limits)).encode()
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            await send({**start, "headers": headers + [(b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)
