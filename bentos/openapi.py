"""The OpenAPI document (``GET /docs.json``) as the service really behaves.

Why a rewrite: BentoML derives the document from the API signatures, so ``/parse`` appeared
to take an object whose ``queries`` and ``query`` are both optional (any fuzzer's first
example, ``{}``, is a 422) and to answer 200, 400, 404 and 500 only, while it answers 404
never and 413, 415, 422 and 503 every day. :func:`patch_openapi` states the request body as
exactly one of its two forms, with examples that answer 200 when tried in Swagger UI, lists
every status each API answers in the ``{"error", "status"}`` shape, documents the mounted
``GET /model_info`` (BentoML lists only its own APIs), replaces ``info.description`` (BentoML
puts the service docstring or the bento's README there: the whole project README in a built
bento) with :data:`API_DESCRIPTION`, and drops any ``/internal`` path. :class:`OpenAPIPatch`
applies it to BentoML's answer on the way out, so the document stays BentoML's in everything
else, and answers ``GET /`` with BentoML's Swagger UI page less its Google Tag Manager snippet
(:func:`swagger_index_html`: BentoML 1.4 hard-codes it, with no setting to turn it off).
"""

from __future__ import annotations

import copy
import json
import re
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


API_DESCRIPTION = (
    "Tags e-commerce search queries with BRAND / COLOR / TYPE entities.\n\n"
    '`POST /parse` takes `{"query": "..."}` or `{"queries": [...]}` and answers, per query, its tokens, '
    "BIO tags and `entities` (type, text, character offsets, score, the catalog entry it links to), with "
    "the `model_tag` that answered and the `request_id`. `GET /model_info` describes the served model.\n\n"
    "Endpoints, limits, A/B and the prediction log: `bentos/README.md` in the project repository."
)

MODEL_INFO_SCHEMA = {
    "type": "object",
    "title": "ModelInfo",
    "properties": {
        "service": {"type": "string", "example": "query_understanding"},
        "tag": {"type": "string", "description": "the served registry tag"},
        "kind": {"type": "string", "enum": ["crf", "transformer", "onnx"]},
        "model_id": {"type": "string"},
        "created_at": {"type": "string"},
        "data_version": {"type": "string", "nullable": True},
        "code_version": {"type": "string", "nullable": True},
        "parent_model_id": {"type": "string", "nullable": True},
        "config": {"type": "object"},
        "metrics": {"type": "object"},
        "provider": {"type": "string", "description": "what runs the model, e.g. CPUExecutionProvider"},
        "load_seconds": {"type": "number"},
        "served_tag": {"type": "string"},
        "served_tag_source": {"type": "string", "description": "QU_SERVE_TAG, pin, champion or bento"},
        "ab": {
            "type": "object",
            "properties": {
                "enabled": {"type": "boolean"},
                "arms": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"tag": {"type": "string"}, "weight": {"type": "number"}},
                    },
                },
                "assignment": {"type": "string"},
            },
        },
        "models": {"type": "object", "description": "every loaded model's description, by tag"},
        "linking": {"type": "object", "nullable": True, "description": "the linking index (null when off)"},
        "loaded_at": {"type": "string"},
        "limits": {
            "type": "object",
            "properties": {
                k: {"type": "integer"} for k in ("max_query_chars", "max_batch", "max_body_bytes", "max_request_chars")
            },
        },
        "batching": {"type": "object", "description": "mode, sizes and the batcher's stats"},
        "reload": {"type": "object", "description": "the last reload's outcome"},
        "head_cache": {
            "type": "object",
            "description": "the head-query cache: enabled, tag, model_tag, entries, hits, misses, or why it is unused",
        },
        "cascade": {
            "type": "object",
            "description": "only when a cascade is served: rule, threshold, members, and this process's queries, "
            "routed and share_routed (the share its second tagger answered)",
        },
        "uptime_s": {"type": "number"},
        "prediction_log_dir": {"type": "string", "description": "only with the right X-Admin-Token"},
        "registry_home": {"type": "string", "description": "only with the right X-Admin-Token"},
        "pid": {"type": "integer", "description": "only with the right X-Admin-Token"},
    },
    "required": ["service", "tag", "kind", "served_tag", "provider", "limits", "batching", "reload"],
}


def model_info_path() -> dict:
    return {
        "get": {
            "summary": "The served model",
            "description": "Served tag, kind, versions, metrics, execution provider, A/B arms, limits, batching "
            "stats and the last reload. Filesystem paths and the PID only with the right X-Admin-Token.",
            "operationId": "model_info",
            "tags": ["Service APIs"],
            "parameters": [{"name": "X-Admin-Token", "in": "header", "required": False, "schema": {"type": "string"}}],
            "responses": {
                "200": {
                    "description": "the served model's description",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModelInfo"}}},
                },
                "503": _error("the service is starting"),
            },
        }
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
    spec.setdefault("info", {})["description"] = API_DESCRIPTION
    paths = spec.setdefault("paths", {})
    for path in [p for p in paths if p.startswith("/internal")]:
        del paths[path]
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["ModelInfo"] = MODEL_INFO_SCHEMA
    paths["/model_info"] = model_info_path()
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


_TAG_MANAGER = re.compile(
    r"\s*<!-- Google Tag Manager(?: \(noscript\))? -->.*?<!-- End Google Tag Manager(?: \(noscript\))? -->",
    re.DOTALL,
)


def swagger_index_html() -> str:
    """BentoML's Swagger UI page (``DEFAULT_INDEX_HTML``) without its Google Tag Manager script and
    ``<noscript>`` iframe (a third-party request from every visitor's browser) and with our title."""
    from bentoml._internal.server.http_app import DEFAULT_INDEX_HTML

    html = _TAG_MANAGER.sub("", DEFAULT_INDEX_HTML)
    return html.replace("<title>BentoML Prediction Service</title>", "<title>Query understanding API</title>")


class OpenAPIPatch:
    """ASGI middleware: rewrites BentoML's ``GET /docs.json`` answer with :func:`patch_openapi`
    and answers ``GET /`` with :func:`swagger_index_html`."""

    def __init__(self, app: Callable, limits: Limits, path: str = "/docs.json") -> None:
        self.app = app
        self.limits = limits
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") == "/" and scope.get("method") in ("GET", "HEAD"):
            body = swagger_index_html().encode()
            headers = [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})
            return
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
