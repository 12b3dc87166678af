"""The lean request path: BentoML's per-request work a query parser does not need, turned off.

Why: a profile of ``/parse`` under load (issue 11) spent most of a request outside the handler:
OpenTelemetry 24%, BentoML 16%, asyncio 15%, anyio 9%, Prometheus multiprocess metrics 7.5%,
Starlette 7%, uvicorn 6%, the access log 5.6%, ``uuid4`` 4%, the handler itself 0.4%. What
configuration can remove without losing what operators need:

- tracing: BentoML 1.4 always installs the OpenTelemetry middleware; ``excluded_urls`` makes it
  pass ``/parse`` through untouched (``QU_TRACE_PARSE=on`` traces it again). Other routes keep
  their spans.
- the access log: off (``QU_ACCESS_LOG=on`` turns it on); every answered query is in the
  prediction log anyway, with its request id, model tag and latency.
- metrics stay on: ``/metrics`` keeps request counts and latency histograms per route
  (``bentoml_service_request_total``, ``bentoml_service_request_duration_seconds``).
- garbage collection: the loaded models are millions of long-lived objects (CRF feature
  strings, vocabularies, gazetteers) that every full collection walked again, a pause of tens
  of ms in the middle of requests; :func:`settle_heap` moves them out of the collector's sight
  once they are loaded (p99 at 32 clients fell from 110-123 ms to 75-85 ms in one run).
- the request id: a per-process random prefix and a counter instead of ``uuid4()`` per request;
  unique across workers and restarts, and just as good a key for the A/B split (a SHA-256 of
  the id, :func:`bentos.config.request_bucket`).
"""

from __future__ import annotations

import gc
import itertools
import os

from bentos.config import ServeSettings

#: The routes taken out of tracing (regular expressions searched in the URL, as OpenTelemetry does).
UNTRACED_ROUTES = ["/parse"]


def service_config(settings: ServeSettings) -> dict:
    """The ``@bentoml.service`` keyword arguments of the lean path (metrics, tracing, logging)."""
    return {
        "metrics": {"enabled": True},
        "tracing": {} if settings.trace_parse else {"excluded_urls": list(UNTRACED_ROUTES)},
        "logging": {"access": {"enabled": settings.access_log}},
    }


class RequestIds:
    """Request ids ``<12 hex>-<counter in hex>``: one ``os.urandom`` per process, not per request."""

    def __init__(self) -> None:
        self.prefix = os.urandom(6).hex()
        self._counter = itertools.count(1)

    def next(self) -> str:
        return f"{self.prefix}-{next(self._counter):x}"


def settle_heap() -> None:
    """Collect, then freeze what survives (``gc.freeze``): the models just loaded are never
    scanned again by the cycle collector. Called after every load; unfreezing first lets the
    collection free a model set a reload replaced."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
