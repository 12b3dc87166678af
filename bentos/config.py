"""The service's one settings object, read from the environment once, and the A/B arm choice.

Every knob of the service is an environment variable so the same built bento runs on a
laptop and a GPU box; the locations it shares with the pipeline (prediction log) come from
:class:`query_understanding.settings.Locations`. The README's table lists every variable.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from bentos.prediction_log import SYNC_MODES
from query_understanding.settings import Locations
from query_understanding.text import MAX_QUERY_CHARS

#: Keywords usable as an A/B arm instead of a tag: whatever the registry serves right now.
SERVED_ALIASES = ("served", "champion")
#: Default of ``QU_MAX_REQUEST_CHARS`` (64 queries of 128 characters; real queries are ~25).
DEFAULT_MAX_REQUEST_CHARS = 8192
#: Default of ``QU_BATCH_MAX_CHARS``: the characters one model batch may hold (two full requests).
DEFAULT_MAX_BATCH_CHARS = 2 * DEFAULT_MAX_REQUEST_CHARS
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class ConfigError(ValueError):
    """An environment setting that cannot be used; the message names the variable."""


def _int_env(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} must be at least {minimum}")
    return value


@dataclass(frozen=True)
class Limits:
    """What one request may carry; anything beyond is a 4xx, never a 5xx."""

    max_query_chars: int = MAX_QUERY_CHARS
    max_batch: int = 64
    max_body_bytes: int = 1 << 20
    #: Characters of all queries of one request together. Why: the per-query and per-request
    #: limits alone let one request carry 64 x 512 characters, which padded to one model batch
    #: cost ~1 s of model time and left ~250 MB more resident memory behind (issue 11).
    max_request_chars: int = DEFAULT_MAX_REQUEST_CHARS
    #: Seconds a POST body may take to arrive in full (408 after): uvicorn itself has no body
    #: timeout, so a Content-Length larger than the body held the request open forever.
    body_timeout_s: int = 10

    @classmethod
    def from_env(cls) -> "Limits":
        max_query_chars = _int_env("QU_MAX_QUERY_CHARS", MAX_QUERY_CHARS)
        max_batch = _int_env("QU_MAX_BATCH", 64)
        # default: room for a full batch of maximal queries at 4 UTF-8 bytes a character,
        # JSON-escaped (up to 6 bytes per character for \\uXXXX), plus slack
        default_body = max(1 << 20, max_batch * (max_query_chars * 6 + 16) + 4096)
        # one query of the longest allowed length must always fit
        request_chars = max(_int_env("QU_MAX_REQUEST_CHARS", DEFAULT_MAX_REQUEST_CHARS), max_query_chars)
        return cls(
            max_query_chars,
            max_batch,
            _int_env("QU_MAX_BODY_BYTES", default_body),
            request_chars,
            _int_env("QU_BODY_TIMEOUT_S", 10),
        )


#: File descriptors the worker keeps for itself (models, logs, the registry) below its limit.
_SPARE_FDS = 64


def _open_file_limit() -> int:
    import resource

    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


@dataclass(frozen=True)
class ConnectionLimits:
    """What one connection may do before its request reaches the service (bentos/connection_guard.py)."""

    #: Seconds a request head may take to arrive in full (408, or a silent close if nothing came).
    header_timeout_s: int = 10
    #: Bytes of one request head (request line and headers) before 431.
    max_header_bytes: int = 64 * 1024
    #: Open connections per worker; at the cap the longest idle one is closed, else 503.
    max_connections: int = 1000

    @classmethod
    def from_env(cls) -> "ConnectionLimits":
        # never more than the process can hold open, or the cap would not protect /readyz
        ceiling = max(16, _open_file_limit() - _SPARE_FDS)
        return cls(
            _int_env("QU_HEADER_TIMEOUT_S", 10),
            _int_env("QU_MAX_HEADER_BYTES", 64 * 1024, minimum=1024),
            min(_int_env("QU_MAX_CONNECTIONS", 1000, minimum=2), ceiling),
        )


_BATCHING_MODES = {
    "local": "local",
    "1": "local",
    "true": "local",
    "on": "local",
    "yes": "local",
    "off": "off",
    "0": "off",
    "false": "off",
    "no": "off",
}


def _batching_mode(raw: str | None) -> str:
    value = (raw or "local").strip().lower()
    if value not in _BATCHING_MODES:
        raise ConfigError(f"QU_BATCHING={raw!r}: use local (default) or off")
    return _BATCHING_MODES[value]


def _log_sync_mode(raw: str | None) -> str:
    value = (raw or "after").strip().lower()
    if value not in SYNC_MODES:
        raise ConfigError(f"QU_PREDICTION_LOG_SYNC={raw!r}: use after (default), before or off")
    return value


def _workers(raw: str | None, gpus: int) -> int | str:
    """``QU_WORKERS``: a count, or ``auto`` (the default): BentoML's ``cpu_count``, one worker
    per core, when the machine has more than one core and no GPU (``QU_GPUS`` unset and no
    ``/dev/nvidia0``); one worker where a GPU serves.

    Why per core on a CPU: one worker's event loop is what limits a CPU server (HTTP parsing,
    the metrics middleware, JSON), not the model; on 2 cores two workers answered 1,143-1,456
    req/s at 32 clients against 909-1,098 for one (bentos/README.md). Each worker batches on its
    own, and every worker follows the registry (``QU_FOLLOW_REGISTRY_S``), so a promotion reaches
    them all though ``POST /reload`` reaches one. Why one on a GPU: each worker would hold its own
    CUDA session and the GPU batches best in one process."""
    value = (raw or "").strip().lower()
    if value in ("", "auto", "cpu_count"):
        on_gpu = gpus > 0 or Path("/dev/nvidia0").exists()
        return "cpu_count" if not on_gpu and (os.cpu_count() or 1) > 1 else 1
    return _int_env("QU_WORKERS", 1)


def _follow_registry(raw: str | None, workers: int | str) -> int:
    """``QU_FOLLOW_REGISTRY_S``: seconds between each worker's registry checks (0: off). ``auto``
    (default): every 5 s when more than one worker runs, where ``POST /reload`` reaches only one of
    them; off with one worker, which ``/reload`` always reaches."""
    from bentos.registry_follow import DEFAULT_FOLLOW_S

    value = (raw or "").strip().lower()
    if value in ("", "auto"):
        several = workers == "cpu_count" and (os.cpu_count() or 1) > 1 or (isinstance(workers, int) and workers > 1)
        return DEFAULT_FOLLOW_S if several else 0
    return _int_env("QU_FOLLOW_REGISTRY_S", 0, minimum=0)


def _switch(name: str, raw: str | None, default: bool) -> bool:
    value = (raw or "").strip().lower()
    if not value:
        return default
    if value not in _BATCHING_MODES:
        raise ConfigError(f"{name}={raw!r}: use on or off")
    return _BATCHING_MODES[value] != "off"


def parse_ab_tags(spec: str | None) -> list[tuple[str, float]]:
    """``"qu-crf:v1:0.9,qu-onnx:v2:0.1"`` -> ``[("qu-crf:v1", 0.9), ("qu-onnx:v2", 0.1)]``.

    The weight is after the *last* colon (tags contain one). Weights are normalised to sum
    to 1; an empty spec means no A/B test.
    """
    if not spec or not spec.strip():
        return []
    arms: list[tuple[str, float]] = []
    for part in spec.split(","):
        part = part.strip()
        tag, sep, weight = part.rpartition(":")
        if not sep or not tag:
            raise ConfigError(f"QU_AB_TAGS entry {part!r} is not TAG:WEIGHT")
        try:
            w = float(weight)
        except ValueError:
            raise ConfigError(f"QU_AB_TAGS entry {part!r}: weight {weight!r} is not a number") from None
        if not w >= 0:  # also rejects NaN
            raise ConfigError(f"QU_AB_TAGS entry {part!r}: weight must be >= 0")
        arms.append((tag, w))
    total = sum(w for _, w in arms)
    if len(arms) < 2 or total <= 0:
        raise ConfigError("QU_AB_TAGS needs at least two TAG:WEIGHT entries with a positive total")
    if len({t for t, _ in arms}) != len(arms):
        raise ConfigError("QU_AB_TAGS lists a tag twice")
    return [(t, w / total) for t, w in arms]


def request_bucket(request_id: str) -> float:
    """A uniform number in [0, 1) fixed by ``request_id`` (SHA-256 based, process independent)."""
    digest = hashlib.sha256(request_id.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def choose_arm(arms: list[tuple[str, float]], request_id: str) -> str:
    """The arm ``request_id`` falls in: the same id always gets the same arm."""
    point, cumulative = request_bucket(request_id), 0.0
    for tag, weight in arms:
        cumulative += weight
        if point < cumulative:
            return tag
    return arms[-1][0]


def valid_request_id(value: str | None) -> str | None:
    """A client-supplied ``X-Request-ID`` if it is short and plain, else None."""
    if value and _REQUEST_ID.match(value):
        return value
    return None


@dataclass(frozen=True)
class ServeSettings:
    """Everything the service reads from the environment, validated once at import."""

    prediction_log_dir: Path = field(default_factory=lambda: Locations.from_env().prediction_log_dir)
    serve_tag: str | None = None
    ab_arms: list[tuple[str, float]] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    connection_limits: ConnectionLimits = field(default_factory=ConnectionLimits)
    batching: str = "local"  # local | off (see bentos/batcher.py)
    max_batch_size: int = 128
    max_batch_chars: int = DEFAULT_MAX_BATCH_CHARS
    batch_wait_ms: int = 0
    max_queue: int = 2048
    workers: int | str = 1  # from_env: "cpu_count" (QU_WORKERS=auto, the default on a CPU) or a count
    follow_registry_s: int = 0  # each worker's registry check interval (bentos/registry_follow.py); 0: off
    gpus: int = 0
    admin_token: str | None = None
    linking_index: str | None = None  # a linking-index tag, "off", or None: the newest stored one
    head_cache: str | None = None  # a head-cache tag, "off", or None: the newest built for the served tag
    access_log: bool = False  # BentoML's per-request access log line (bentos/lean.py)
    trace_parse: bool = False  # OpenTelemetry spans for /parse (bentos/lean.py)
    direct_parse: bool = True  # /parse answered in front of BentoML's route (bentos/direct_parse.py)
    prediction_log_sync: str = "after"  # when logged rows are fsynced (bentos/background_sync.py)

    @classmethod
    def from_env(cls) -> "ServeSettings":
        limits = Limits.from_env()
        gpus = _int_env("QU_GPUS", 0, minimum=0)
        workers = _workers(os.environ.get("QU_WORKERS"), gpus)
        return cls(
            serve_tag=(os.environ.get("QU_SERVE_TAG") or "").strip() or None,
            ab_arms=parse_ab_tags(os.environ.get("QU_AB_TAGS")),
            limits=limits,
            connection_limits=ConnectionLimits.from_env(),
            batching=_batching_mode(os.environ.get("QU_BATCHING")),
            # one request's queries must fit one batch, so never below the request limit
            max_batch_size=max(_int_env("QU_BATCH_MAX_SIZE", 128, minimum=2), limits.max_batch),
            # likewise one request's characters must fit one batch
            max_batch_chars=max(_int_env("QU_BATCH_MAX_CHARS", DEFAULT_MAX_BATCH_CHARS), limits.max_request_chars),
            batch_wait_ms=_int_env("QU_BATCH_WAIT_MS", 0, minimum=0),
            max_queue=max(_int_env("QU_BATCH_MAX_QUEUE", 2048), limits.max_batch),
            workers=workers,
            follow_registry_s=_follow_registry(os.environ.get("QU_FOLLOW_REGISTRY_S"), workers),
            gpus=gpus,
            admin_token=os.environ.get("QU_ADMIN_TOKEN") or None,
            linking_index=(os.environ.get("QU_LINKING_INDEX") or "").strip() or None,
            head_cache=(os.environ.get("QU_HEAD_CACHE") or "").strip() or None,
            access_log=_switch("QU_ACCESS_LOG", os.environ.get("QU_ACCESS_LOG"), False),
            trace_parse=_switch("QU_TRACE_PARSE", os.environ.get("QU_TRACE_PARSE"), False),
            direct_parse=_switch("QU_DIRECT_PARSE", os.environ.get("QU_DIRECT_PARSE"), True),
            prediction_log_sync=_log_sync_mode(os.environ.get("QU_PREDICTION_LOG_SYNC")),
        )
