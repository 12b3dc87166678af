"""Specification: DirectParse answers a guard-validated POST /parse through the service's bound
answer function (status, body and headers as the function says; a crash becomes a 500 in the
error shape), and hands everything else to the app behind it: other paths and methods, requests
the guard did not validate, and every request before the service has bound its function."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

from bentos.direct_parse import Answer, DirectParse, ParseEndpoint, error_answer


async def downstream(scope, receive, send):
    await send({"type": "http.response.start", "status": 299, "headers": []})
    await send({"type": "http.response.body", "body": b"bentoml"})


def call(middleware, path="/parse", method="POST", queries=("blue shoes",), headers=()):
    scope = {"type": "http", "path": path, "method": method, "headers": list(headers)}
    if queries is not None:
        scope["state"] = {"qu_queries": list(queries)}
    sent = []

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    # a loop of its own, in a thread: an earlier test (Playwright's sync API) may leave one running here
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, middleware(scope, receive, send)).result()
    start, body = sent
    return start["status"], dict(start["headers"]), body["body"]


def bound(answer) -> DirectParse:
    endpoint = ParseEndpoint()
    endpoint.bind(answer)
    return DirectParse(downstream, endpoint)


def test_a_validated_parse_is_answered_by_the_bound_function_with_its_headers():
    seen = {}

    async def answer(queries, request_id):
        seen.update(queries=queries, request_id=request_id)
        return Answer(200, {"results": [{"query": queries[0], "text": "ü"}]}, {"x-model-tag": "qu-crf:v1"})

    status, headers, body = call(bound(answer), headers=[(b"X-Request-ID", b"abc-1")])
    assert status == 200 and seen == {"queries": ["blue shoes"], "request_id": "abc-1"}
    assert headers[b"x-model-tag"] == b"qu-crf:v1" and headers[b"content-type"] == b"application/json"
    assert int(headers[b"content-length"]) == len(body)
    assert json.loads(body) == {"results": [{"query": "blue shoes", "text": "ü"}]}
    assert body == '{"results":[{"query":"blue shoes","text":"ü"}]}'.encode()  # Starlette's JSON rendering


def test_an_error_answer_keeps_its_status_and_the_error_shape():
    async def answer(queries, request_id):
        return error_answer(503, "server overloaded; retry")

    status, _, body = call(bound(answer))
    assert status == 503 and json.loads(body) == {"error": "server overloaded; retry", "status": 503}


def test_a_crash_in_the_answer_is_a_500_in_the_error_shape():
    async def answer(queries, request_id):
        raise RuntimeError("boom")

    status, _, body = call(bound(answer))
    assert status == 500 and json.loads(body)["status"] == 500 and "boom" not in body.decode()


def test_everything_else_goes_on_to_bentoml():
    async def answer(queries, request_id):  # pragma: no cover - must not be called
        raise AssertionError("answered a request it should have passed on")

    middleware = bound(answer)
    assert call(middleware, path="/reload")[0] == 299
    assert call(middleware, method="GET")[0] == 299
    assert call(middleware, queries=None)[0] == 299  # not validated by the guard
    assert call(DirectParse(downstream, ParseEndpoint()))[0] == 299  # nothing bound yet
    disabled = ParseEndpoint()
    disabled.bind(answer)
    assert call(DirectParse(downstream, disabled, enabled=False))[0] == 299  # QU_DIRECT_PARSE=off
