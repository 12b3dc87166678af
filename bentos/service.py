"""Query-understanding HTTP service (BentoML 1.4): tags search queries with BRAND/COLOR/TYPE.

Serve (from the repository root)::

    BENTOML_HOME=... bentoml serve bentos.service:QueryParser --host 127.0.0.1 --port 3000

Model: ``QU_SERVE_TAG`` if set, else the registry's pin, else its champion
(:mod:`bentos.registry`); inside a built bento without a champion log, the first model baked
into it. Any kind (crf, transformer, onnx) loads through
:func:`query_understanding.artifacts.load_tagger`, the loader evaluation uses. ONNX models run
on ``CUDAExecutionProvider`` when onnxruntime-gpu and a GPU are present; the provider that
really runs is reported by ``GET /model_info`` and logged at load.

Endpoints (the full table is in bentos/README.md):

- ``POST /parse`` ``{"queries": ["..", ..]}`` or ``{"query": ".."}`` ->
  ``{"results": [ParsedQuery.to_dict(), ..], "model_tag": .., "request_id": ..}``. A client
  ``X-Request-ID`` (``[A-Za-z0-9._:-]{1,128}``) is used as the request id, else one is
  generated; both come back in ``X-Request-ID`` / ``X-Model-Tag`` headers.
- ``POST /reload``: re-read the served tag from the registry and load it; on failure the old
  model keeps serving and the answer (500) says why. Needs ``X-Admin-Token`` when
  ``QU_ADMIN_TOKEN`` is set. Reloads the worker that receives it (one worker by default).
- ``GET /model_info`` (served model, provider, A/B, limits) and ``GET /docs``;
  ``POST /internal/tag_batch`` (``QU_BATCHING=bentoml`` only); BentoML's ``/healthz``,
  ``/livez``, ``/readyz``, ``/metrics``, OpenAPI at ``/docs.json``, Swagger UI at ``/``.

Limits: every client mistake is a 4xx ``{"error": "...", "status": N}`` answered by
:class:`~bentos.validation.RequestGuard` before BentoML sees the request (400, 413, 415, 422;
``QU_MAX_BODY_BYTES``, ``QU_MAX_BATCH``, ``QU_MAX_QUERY_CHARS``); the server is unaffected.

Batching (``QU_BATCHING``): ``local`` (default) tags the queries of concurrent requests
together with the in-process :class:`~bentos.batcher.MicroBatcher` (``QU_BATCH_MAX_SIZE``,
``QU_BATCH_WAIT_MS``, ``QU_BATCH_MAX_QUEUE``; 503 when the queue is full). ``bentoml`` routes
through ``tag_batch``, a ``batchable`` BentoML API (``QU_BATCH_MAX_LATENCY_MS``, default 300;
20 ms gave 503s under load, see shared/STACK.md), via the service's own in-process client,
which in BentoML 1.4.40 drops in-flight calls under concurrency (see bentos/batcher.py;
dropped calls are retried). ``off`` tags each request on its own.

A/B: ``QU_AB_TAGS="qu-crf:v1:0.9,qu-onnx:v2:0.1"`` (``served`` stands for the registry's
served tag) splits traffic by a hash of the request id; the answering tag is in the response,
the ``X-Model-Tag`` header and the prediction log.

Every answered query is appended to the prediction log (:mod:`bentos.prediction_log`,
``QU_PREDICTION_LOG_DIR``) and fsynced before the response is sent.

Here: the service and its wiring. Response schemas: :mod:`bentos.schemas`; ``/model_info``
and ``/docs``: :mod:`bentos.info_routes`; tag resolution and model loading: :mod:`bentos.model_pool`.
"""

from __future__ import annotations

import query_understanding.offline  # noqa: F401  (offline / no-telemetry switches first)

import asyncio
import logging
import os
import time
import uuid
from typing import Optional

import bentoml
from pydantic import Field

from bentos.schemas import BatchItem, EntityOut, ParsedOut, ParseResponse, error_response  # noqa: F401

with bentoml.importing():
    import anyio
    from bentoml.exceptions import BentoMLException
    from starlette.responses import JSONResponse

    from bentos.batcher import MicroBatcher, Overloaded
    from bentos.config import ServeSettings, valid_request_id
    from bentos.info_routes import info_app
    from bentos.model_pool import (
        LoadedModel, ModelLoadError, ModelSet, bento_model_tags, declared_tags, load_model_set, tag_items,
    )
    from bentos.prediction_log import PredictionLog
    from bentos.registry import ModelRegistry
    from bentos.validation import InputError, RequestGuard, check_query, parse_payload

logger = logging.getLogger("bentoml.qu.service")

SETTINGS = ServeSettings.from_env()


@bentoml.asgi_app(info_app, path="/", name="model_info")
@bentoml.service(
    name="query_understanding",
    workers=SETTINGS.workers,
    threads=1,  # sync APIs (tag_batch) get one thread: model calls are CPU/GPU bound
    traffic={"timeout": 30},
    resources={"cpu": "1", **({"gpu": SETTINGS.gpus} if SETTINGS.gpus else {})},
)
class QueryParser:
    """Tags e-commerce search queries with BRAND / COLOR / TYPE entities (character offsets)."""

    def __init__(self) -> None:
        self.settings = SETTINGS
        self.limits = SETTINGS.limits
        self.registry = ModelRegistry.from_bentoml_config()
        self.model_set: ModelSet = load_model_set(self.registry, SETTINGS, None, bento_model_tags())
        self.retired: dict[str, LoadedModel] = {}  # previous set: answers batches queued before a reload
        self.prediction_log = PredictionLog()
        self.batcher = MicroBatcher(self._tag_local_batch, SETTINGS.max_batch_size,
                                    SETTINGS.batch_wait_ms, SETTINGS.max_queue)
        self._reload_lock = asyncio.Lock()
        self._started = time.time()
        served = self.model_set.models[self.model_set.served_tag]
        logger.info(
            "serving %s (%s, from %s) on %s; A/B: %s; batching: %s; prediction log: %s; limits: %s",
            served.tag, served.manifest.get("model_kind"), self.model_set.source, served.provider,
            self.model_set.arms or "off", self.settings.batching, self.prediction_log.root.resolve(),
            self.limits,
        )

    @bentoml.on_shutdown
    def _close_log(self) -> None:
        self.prediction_log.close()

    # ------------------------------------------------------------------ public API
    @bentoml.api(route="/parse")
    async def parse(
        self,
        ctx: bentoml.Context,
        queries: Optional[list[str]] = Field(None, description="queries to tag (at most QU_MAX_BATCH)"),
        query: Optional[str] = Field(None, description="a single query (instead of 'queries')"),
    ) -> ParseResponse:
        """Tag queries: entities with types, text and character offsets into each query."""
        started = time.perf_counter()
        try:
            batch = parse_payload({"queries": queries, "query": query}, self.limits)
        except InputError as exc:
            return error_response(exc.status, exc.message, ctx)
        request_id = valid_request_id(ctx.request.headers.get("x-request-id")) or uuid.uuid4().hex
        model_set = self.model_set
        chosen = model_set.choose(request_id)
        items = [{"tag": chosen, "query": q} for q in batch]
        try:
            if self.settings.batching == "local":
                results = await self.batcher.submit(items)
            elif self.settings.batching == "bentoml":
                results = await self._tag_via_bentoml_batching(items)
            else:
                results = await anyio.to_thread.run_sync(tag_items, model_set, items, self.retired)
        except Overloaded as exc:
            return error_response(503, f"server overloaded ({exc}); retry", ctx)
        except BentoMLException as exc:
            if getattr(exc, "error_code", None) is not None and int(exc.error_code) == 503:
                return error_response(
                    503, "server overloaded: the batch queue exceeded its latency budget; retry", ctx)
            raise
        failed = [r for r in results if "error" in r]
        if failed:  # validated above, so only a limit mismatch could land here
            return error_response(422, failed[0]["error"], ctx)
        answered = results[0]["model_tag"]
        latency_ms = (time.perf_counter() - started) * 1000
        rows = PredictionLog.make_rows(request_id, results, answered, latency_ms)
        try:
            await anyio.to_thread.run_sync(self.prediction_log.append, rows)
        except OSError as exc:
            logger.error("prediction log write failed: %s", exc)
            return error_response(503, f"prediction log unavailable ({exc}); the request was not answered", ctx)
        body = {
            "results": [{k: v for k, v in r.items() if k != "model_tag"} for r in results],
            "model_tag": answered,
            "request_id": request_id,
        }
        return JSONResponse(body, headers={"x-request-id": request_id, "x-model-tag": answered})

    @bentoml.api(route="/reload")
    async def reload(self, ctx: bentoml.Context) -> dict:
        """Re-read the served tag (and A/B tags) from the registry and load it; on failure the
        old model keeps serving and the response says why."""
        token = self.settings.admin_token
        if token and ctx.request.headers.get("x-admin-token") != token:
            return error_response(401, "missing or wrong X-Admin-Token", ctx)
        async with self._reload_lock:
            old = self.model_set
            try:
                new = await anyio.to_thread.run_sync(
                    load_model_set, self.registry, self.settings, old, bento_model_tags()
                )
            except ModelLoadError as exc:
                logger.error("reload failed, still serving %s: %s", old.served_tag, exc)
                return error_response(500, f"reload failed: {exc}", ctx, reloaded=False, served_tag=old.served_tag)
            self.retired = {t: m for t, m in old.models.items() if t not in new.models}
            self.model_set = new
        logger.info("reloaded: serving %s (was %s)", new.served_tag, old.served_tag)
        return {
            "reloaded": True,
            "served_tag": new.served_tag,
            "previous_served_tag": old.served_tag,
            "source": new.source,
            "ab": [{"tag": t, "weight": w} for t, w in new.arms],
        }

    # ------------------------------------------------------------------ batching
    def _tag_local_batch(self, items: list[dict]) -> list[dict]:
        return tag_items(self.model_set, items, self.retired)

    async def _tag_via_bentoml_batching(self, items: list[dict]) -> list[dict]:
        """Call the batchable ``tag_batch`` through the service's own client; retry once when
        BentoML's client drops the call (its session refresh closes in-flight calls)."""
        import aiohttp

        for attempt in (1, 2, 3):
            try:
                return await self.to_async.tag_batch(items)
            except aiohttp.ClientConnectionError:
                if attempt == 3:
                    raise
                logger.warning("self-call to tag_batch dropped by BentoML's client (bentoml#5540); retrying")
        raise AssertionError("unreachable")

    @bentoml.api(
        route="/internal/tag_batch",
        batchable=True,
        max_batch_size=SETTINGS.max_batch_size,
        max_latency_ms=SETTINGS.max_latency_ms,
    )
    def tag_batch(self, items: list[BatchItem]) -> list[dict]:
        """Internal (QU_BATCHING=bentoml): BentoML adaptive batching of /parse queries."""
        plain = [{"tag": i.tag, "query": i.query} for i in items]
        return tag_items(self.model_set, plain, self.retired, validate=self._query_problem)

    def _query_problem(self, query: str) -> str | None:
        try:
            check_query(query, self.limits)
        except InputError as exc:
            return exc.message
        return None

    # ------------------------------------------------------------------ info
    def model_info(self) -> dict:
        model_set = self.model_set
        return {
            "service": "query_understanding",
            **model_set.info(),
            "served_tag": model_set.served_tag,
            "limits": {"max_query_chars": self.limits.max_query_chars,
                       "max_batch": self.limits.max_batch,
                       "max_body_bytes": self.limits.max_body_bytes},
            "batching": {"mode": self.settings.batching,
                         "max_batch_size": self.settings.max_batch_size,
                         "wait_ms": self.settings.batch_wait_ms,
                         "max_queue": self.settings.max_queue,
                         "bentoml_max_latency_ms": self.settings.max_latency_ms,
                         "stats": self.batcher.stats()},
            "prediction_log_dir": str(self.prediction_log.root.resolve()),
            "registry_home": str(self.registry.home),
            "pid": os.getpid(),
            "uptime_s": round(time.time() - self._started, 1),
        }


QueryParser.add_asgi_middleware(RequestGuard, limits=SETTINGS.limits, json_paths=("/parse",))
# Models are declared here rather than as ``model = BentoModel(...)`` class attributes: the tags
# come from the registry at import and their number varies (none, the served tag, A/B arms),
# and BentoML collects class-attribute models in attribute-name order, not served tag first.
QueryParser.models.extend(bentoml.models.BentoModel(tag) for tag in declared_tags(SETTINGS))
