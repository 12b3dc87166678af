"""Query-understanding HTTP service (BentoML 1.4): tags search queries with BRAND/COLOR/TYPE.

Serve (from the repository root; ``scripts/serve.sh`` sets the variables from the project's
settings)::

    export BENTOML_HOME=$QU_REGISTRY_HOME QU_PREDICTION_LOG_DIR=data/prediction_logs  # where dbt reads
    bentoml serve bentos.service:QueryParser --host 127.0.0.1 --port 3000

Model: ``QU_SERVE_TAG`` if set, else the registry's pin, else its champion
(:mod:`model_registry`); inside a built bento without a champion log, the first model baked
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
  model keeps serving, the answer (500) says why and ``/readyz`` is 503 while the registry
  wants another model (:mod:`bentos.readiness`). Off unless ``QU_ADMIN_TOKEN`` is set (403),
  then needs it as ``X-Admin-Token`` (401). Reloads the worker that receives it; the other workers
  follow the registry by themselves (:mod:`bentos.registry_follow`).
- ``GET /model_info`` (served model, provider, A/B, limits, last reload; paths and PID only
  with the admin token) and ``GET /docs``; BentoML's
  ``/healthz``, ``/livez``, ``/readyz``, ``/metrics``, OpenAPI at ``/docs.json``, Swagger UI at ``/``.

Validation happens once, in :class:`~bentos.validation.RequestGuard`, before BentoML sees the
request: every client mistake is a 4xx ``{"error": "...", "status": N}`` (400, 413, 415, 422;
``QU_MAX_BODY_BYTES``, ``QU_MAX_BATCH``, ``QU_MAX_QUERY_CHARS``, ``QU_MAX_REQUEST_CHARS``), and ``/parse`` reads the
queries the guard validated. The typed parameters exist for the OpenAPI document.

Batching (``QU_BATCHING``): ``local`` (default) tags the queries of concurrent requests
together with the in-process :class:`~bentos.batcher.MicroBatcher` (``QU_BATCH_MAX_SIZE``,
``QU_BATCH_WAIT_MS``, ``QU_BATCH_MAX_QUEUE``; 503 when the queue is full); ``off`` tags each
request on its own.

A/B: ``QU_AB_TAGS="qu-crf:v1:0.9,qu-onnx:v2:0.1"`` (``served`` stands for the registry's
served tag) splits traffic by a hash of the request id; the answering tag is in the response,
the ``X-Model-Tag`` header and the prediction log.

Head-query cache (``QU_HEAD_CACHE``, :mod:`bentos.head_cache`): the served model's answers to
the most frequent queries, looked up before any model; used only when built for the served tag
and linking index; each result says ``"source": "cache"`` or ``"model"``. Lean path
(:mod:`bentos.lean`): /parse untraced, no access log (``QU_TRACE_PARSE``, ``QU_ACCESS_LOG``);
:class:`~bentos.direct_parse.DirectParse` answers a validated /parse in front of BentoML's
route through :meth:`QueryParser.answer`, the function the route calls too (``QU_DIRECT_PARSE``).

Every answered query is appended to the prediction log (:mod:`bentos.prediction_log`,
``QU_PREDICTION_LOG_DIR``) before the response is sent, by the thread that tagged it, one
write per batch (:mod:`bentos.answering`), and fsynced right after the response
(:mod:`bentos.background_sync`; ``QU_PREDICTION_LOG_SYNC=before``: before it).

Here: the service and its wiring. Response schemas: :mod:`bentos.schemas`; ``/model_info``
and ``/docs``: :mod:`bentos.info_routes`; tag resolution and model loading: :mod:`bentos.model_pool`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Optional

import bentoml
from pydantic import Field

from bentos.schemas import ParseResponse, error_response
from query_understanding import offline

with bentoml.importing():
    import anyio
    from starlette.responses import JSONResponse

    from bentos import connection_guard
    from bentos.answering import PendingAnswer, by_request, finish_answers
    from bentos.batcher import MicroBatcher, Overloaded
    from bentos.config import ServeSettings, valid_request_id
    from bentos.direct_parse import Answer, DirectParse, ParseEndpoint, error_answer
    from bentos.head_cache import (
        ServedHeadCache,
        declared_head_cache_tag,
        misses,
        resolve_head_cache,
    )
    from bentos.info_routes import info_app
    from bentos.lean import RequestIds, service_config, settle_heap
    from bentos.linking import declared_linking_tag
    from bentos.model_pool import (
        LoadedModel,
        ModelLoadError,
        ModelSet,
        bento_model_tags,
        declared_tags,
        load_model_set,
        resolve_served_tag,
        tag_items,
    )
    from bentos.openapi import OpenAPIPatch
    from bentos.prediction_log import PredictionLog
    from bentos.readiness import ReadinessGate, ReloadStatus, admin_refusal
    from bentos.registry_follow import RegistryFollower
    from bentos.startup import (
        exit_with_supervisor,
        install_exit_code_hook,
        record_start_failure,
        record_start_success,
    )
    from bentos.validation import RequestGuard
    from model_registry import ModelRegistry

logger = logging.getLogger("bentoml.qu.service")

# `bentoml serve` has imported BentoML already (its own switch comes from the bentofile and
# scripts/serve.sh); what must see the switches is ONNX Runtime, which loads with the models.
offline.apply()

SETTINGS = ServeSettings.from_env()
install_exit_code_hook()  # in `bentoml serve` itself: exit non-zero when the workers give up
connection_guard.install(SETTINGS.connection_limits)  # head timeout and size, connection cap
PARSE_ENDPOINT = ParseEndpoint()  # this worker's /parse answer, bound once its models are loaded


@bentoml.asgi_app(info_app, path="/", name="model_info")
@bentoml.service(
    name="query_understanding",
    workers=SETTINGS.workers,
    threads=1,  # model calls are CPU/GPU bound
    traffic={"timeout": 30},
    http={"host": "127.0.0.1"},  # loopback unless `--host` (or BENTOML_HOST) says otherwise
    resources={"cpu": "1", **({"gpu": SETTINGS.gpus} if SETTINGS.gpus else {})},
    **service_config(SETTINGS),  # metrics on; /parse untraced, no access log (bentos/lean.py)
)
class QueryParser:
    """Tags e-commerce search queries with BRAND / COLOR / TYPE entities (character offsets)."""

    def __init__(self) -> None:
        self.settings = SETTINGS
        self.limits = SETTINGS.limits
        self.registry = ModelRegistry.from_bentoml_config()
        try:
            self.model_set: ModelSet = load_model_set(self.registry, SETTINGS, None, bento_model_tags())
        except ModelLoadError as exc:  # counted: bentoml serve exits after a few (bentos/startup.py)
            record_start_failure(str(exc))
            raise
        record_start_success()
        PARSE_ENDPOINT.bind(self.answer)  # DirectParse answers /parse through it from now on
        exit_with_supervisor()  # kill -9 of bentoml serve takes this worker with it
        self.retired: dict[str, LoadedModel] = {}  # previous set: answers batches queued before a reload
        self.prediction_log = PredictionLog(SETTINGS.prediction_log_dir, SETTINGS.prediction_log_sync)
        self.batcher = MicroBatcher(
            self._tag_and_log,
            SETTINGS.max_batch_size,
            SETTINGS.batch_wait_ms,
            SETTINGS.max_queue,
            max_batch_cost=SETTINGS.max_batch_chars,
            cost=lambda item: len(item["query"]),
        )
        self.head_cache = self._head_cache_for(self.model_set)
        self.request_ids = RequestIds()
        self.reload_status = ReloadStatus(self.model_set.served_tag, self.model_set.source)
        self._reload_lock = threading.Lock()
        if SETTINGS.follow_registry_s:  # every worker follows promotions by itself (bentos/registry_follow.py)
            follower = RegistryFollower(
                self._registry_choice, lambda: self.model_set.served_tag, self._reload_from_registry
            )
            follower.start(SETTINGS.follow_registry_s)
        self._started = time.time()
        settle_heap()  # the models stay: keep the cycle collector off them (bentos/lean.py)
        served = self.model_set.models[self.model_set.served_tag]
        logger.info(
            "serving %s (%s, from %s) on %s; A/B: %s; batching: %s; prediction log: %s; limits: %s",
            served.tag,
            served.manifest.get("model_kind"),
            self.model_set.source,
            served.provider,
            self.model_set.arms or "off",
            self.settings.batching,
            self.prediction_log.root.resolve(),
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
        queries: Optional[list[str]] = Field(None, description="queries to tag (at most QU_MAX_BATCH)"),  # noqa: B008
        query: Optional[str] = Field(None, description="a single query (instead of 'queries')"),  # noqa: B008
    ) -> ParseResponse:
        """Tag queries: entities with types, text and character offsets into each query."""
        # The one validation happened in RequestGuard (installed below, in front of every route);
        # ``queries`` / ``query`` are declared for the OpenAPI document only. With the direct
        # path on (the default) DirectParse answers before this route is reached.
        status, body, headers = await self.answer(ctx.request.state.qu_queries, ctx.request.headers.get("x-request-id"))
        ctx.response.status_code = status  # BentoML sends this status, not the response's
        return JSONResponse(body, status_code=status, headers=headers)

    async def answer(self, batch: list[str], client_request_id: str | None) -> Answer:
        """The /parse answer for validated queries: the head cache, then the batcher, whose
        thread also logs (:mod:`bentos.answering`). The one implementation behind the BentoML
        route and :class:`~bentos.direct_parse.DirectParse`."""
        request_id = valid_request_id(client_request_id) or self.request_ids.next()
        request = PendingAnswer(request_id, time.perf_counter(), None)
        model_set, head_cache = self.model_set, self.head_cache
        chosen = model_set.choose(request_id)
        request.cached = head_cache.lookup(chosen, batch)  # None: the cache cannot answer for `chosen`
        items = [{"tag": chosen, "query": q, "request": request} for q in misses(request.cached, batch)]
        try:
            if not items:  # every query a cache hit: only the log to write
                await anyio.to_thread.run_sync(finish_answers, [(request, [])], self.prediction_log)
            elif self.settings.batching == "local":
                await self.batcher.submit(items)
            else:
                await anyio.to_thread.run_sync(self._tag_and_log, items)
        except Overloaded as exc:
            return error_answer(503, f"server overloaded ({exc}); retry")
        except OSError as exc:
            logger.error("prediction log write failed: %s", exc)
            return error_answer(503, f"prediction log unavailable ({exc}); the request was not answered")
        results = request.results
        body = {
            "results": [{k: v for k, v in r.items() if k not in ("model_tag", "linking_index")} for r in results],
            "model_tag": request.model_tag,
            "linking_index": results[0].get("linking_index"),
            "request_id": request_id,
        }
        return Answer(200, body, {"x-request-id": request_id, "x-model-tag": request.model_tag})

    @bentoml.api(route="/reload")
    async def reload(self, ctx: bentoml.Context) -> dict:
        """Re-read the served tag (and A/B tags) from the registry and load it; on failure the
        old model keeps serving and the response says why. Needs `X-Admin-Token`
        (`QU_ADMIN_TOKEN`; unset, this call is off)."""
        refusal = admin_refusal(self.settings.admin_token, ctx.request.headers.get("x-admin-token"))
        if refusal is not None:
            status, message = refusal
            logger.info("POST /reload refused with %d: %s", status, message)
            return error_response(status, message, ctx)
        try:
            old, new = await anyio.to_thread.run_sync(self._reload_from_registry)
        except ModelLoadError as exc:
            served = self.model_set.served_tag
            return error_response(500, f"reload failed: {exc}", ctx, reloaded=False, served_tag=served)
        return {
            "reloaded": True,
            "served_tag": new.served_tag,
            "previous_served_tag": old.served_tag,
            "source": new.source,
            "ab": [{"tag": t, "weight": w} for t, w in new.arms],
        }

    def _reload_from_registry(self) -> tuple[ModelSet, ModelSet]:
        """Load what the registry chooses and swap it in; ``(old, new)``. On ModelLoadError the
        old set keeps serving and the failure is recorded (``/model_info``, ``/readyz``). Called
        by ``POST /reload`` and by the registry follower, one at a time."""
        with self._reload_lock:
            old = self.model_set
            try:
                new = load_model_set(self.registry, self.settings, old, bento_model_tags())
            except ModelLoadError as exc:
                logger.error("reload failed, still serving %s: %s", old.served_tag, exc)
                self.reload_status.failed(str(exc))
                raise
            head_cache = self._head_cache_for(new)
            self.retired = {t: m for t, m in old.models.items() if t not in new.models}
            self.model_set, self.head_cache = new, head_cache
            self.reload_status.succeeded(new.served_tag)
            settle_heap()
        logger.info("reloaded: serving %s (was %s)", new.served_tag, old.served_tag)
        return old, new

    # ------------------------------------------------------------------ batching
    def _tag_and_log(self, items: list[dict]) -> list[dict]:
        """Tag a batch (items of whole requests), then finish and log its requests at once."""
        tagged = tag_items(self.model_set, items, self.retired, self.limits.max_query_chars)
        finish_answers(by_request(items, tagged), self.prediction_log)
        return tagged

    def _head_cache_for(self, model_set: ModelSet) -> ServedHeadCache:
        linking = model_set.linking.index.version if model_set.linking is not None else None
        return resolve_head_cache(self.registry, self.settings, model_set.served_tag, linking)

    # ------------------------------------------------------------------ info
    def not_ready_reason(self) -> str | None:
        """Why ``/readyz`` must answer 503 (None: ready): after a failed reload, the registry
        chooses another model than the one that runs (a rollback of the registry ends it)."""
        return self.reload_status.not_ready_reason(self.model_set.served_tag, self._registry_choice)

    def _registry_choice(self) -> str:
        tag, _ = resolve_served_tag(self.registry, self.settings, bento_model_tags())
        return self.registry.resolve(tag)

    def model_info(self, admin: bool = False) -> dict:
        """The served model's description; filesystem paths and the PID only for ``admin``
        (a request with the right ``X-Admin-Token``)."""
        model_set = self.model_set
        private = {
            "prediction_log_dir": str(self.prediction_log.root.resolve()),
            "registry_home": str(self.registry.home),
            "pid": os.getpid(),
        }
        return {
            "service": "query_understanding",
            **model_set.info(),
            "served_tag": model_set.served_tag,
            "limits": {
                "max_query_chars": self.limits.max_query_chars,
                "max_batch": self.limits.max_batch,
                "max_body_bytes": self.limits.max_body_bytes,
                "max_request_chars": self.limits.max_request_chars,
            },
            "batching": {
                "mode": self.settings.batching,
                "max_batch_size": self.settings.max_batch_size,
                "max_batch_chars": self.settings.max_batch_chars,
                "wait_ms": self.settings.batch_wait_ms,
                "max_queue": self.settings.max_queue,
                "stats": self.batcher.stats(),
            },
            "reload": self.reload_status.info(),
            "head_cache": self.head_cache.info(),
            **(private if admin else {}),
            "uptime_s": round(time.time() - self._started, 1),
        }


# Each acts on its own requests only: the guard validates every POST body before BentoML sees
# it, DirectParse answers the validated /parse requests, the OpenAPI patch rewrites
# GET /docs.json, the readiness gate answers GET /readyz.
QueryParser.add_asgi_middleware(RequestGuard, limits=SETTINGS.limits)
QueryParser.add_asgi_middleware(DirectParse, endpoint=PARSE_ENDPOINT, enabled=SETTINGS.direct_parse)
QueryParser.add_asgi_middleware(OpenAPIPatch, limits=SETTINGS.limits)
QueryParser.add_asgi_middleware(ReadinessGate)
# Models are declared here rather than as ``model = BentoModel(...)`` class attributes: the tags
# come from the registry at import and their number varies (none, the served tag, A/B arms),
# and BentoML collects class-attribute models in attribute-name order, not served tag first.
QueryParser.models.extend(bentoml.models.BentoModel(tag) for tag in declared_tags(SETTINGS))
# The linking index travels beside the model (same store, its own name): packed by `bentoml build`.
if (_linking_tag := declared_linking_tag(SETTINGS)) is not None:
    QueryParser.models.append(bentoml.models.BentoModel(_linking_tag))
# Likewise the head-query cache built for the served model (bentos/head_cache.py).
if (_head_cache_tag := declared_head_cache_tag(SETTINGS)) is not None:
    QueryParser.models.append(bentoml.models.BentoModel(_head_cache_tag))
