"""What the query-understanding service answers: OpenAPI schemas and the error body.

The pydantic models give BentoML's OpenAPI document (``/docs.json``) the shape of a
``/parse`` answer. ``/parse`` returns a ``JSONResponse`` of
that shape rather than the model itself, because it also sets the ``X-Request-ID`` and
``X-Model-Tag`` headers. Every error, from an API or the info routes, has the body
``{"error": ..., "status": N}``, the shape :mod:`bentos.validation` sends for rejected requests.
"""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse


class EntityOut(BaseModel):
    type: str = Field(description="BRAND, COLOR or TYPE")
    text: str = Field(description="query[start:end]")
    start: int = Field(description="character offset into the query (inclusive)")
    end: int = Field(description="character offset into the query (exclusive)")
    score: Optional[float] = Field(None, description="mean per-token confidence")
    canonical: Optional[dict[str, Any]] = Field(
        None,
        description="catalog entry search filters on: id (catalog key), name, and family (COLOR) or "
        "category (TYPE); null when the span links nowhere or linking is off",
    )
    link_method: Optional[str] = Field(None, description="exact, alias, plural, synonym or fuzzy")
    link_score: Optional[float] = Field(None, description="link confidence in [0, 1]")
    novel: Optional[bool] = Field(None, description="true: the catalog has no such entry (null: linking off)")


class ParsedOut(BaseModel):
    query: str
    tokens: list[str]
    tags: list[str]
    entities: list[EntityOut]
    brand: Optional[str] = None
    color: Optional[str] = None
    type: Optional[str] = None
    uncertainty: Optional[float] = Field(
        None,
        description="expected number of wrongly tagged tokens: sum over tokens of 1 - the model's "
        "confidence in its tag (null: the model gives no confidences); the annotation queue ranks by it",
    )
    source: str = Field(
        "model", description="model: tagged by the model; cache: the head-query cache's answer (same model tag)"
    )
    routed: Optional[bool] = Field(
        None,
        description="only when a cascade answered: true if its second (transformer) tagger tagged this query, "
        "false if the first (CRF) was sure enough; absent for a single model",
    )


class ParseResponse(BaseModel):
    results: list[ParsedOut]
    model_tag: str = Field(description="registry tag of the model that answered")
    linking_index: Optional[str] = Field(None, description="version of the linking index used; null: linking off")
    request_id: str


def error_body(status: int, message: str, **extra: Any) -> dict:
    """The project's one error body, ``{"error": message, "status": status, ...}``."""
    return {"error": message, "status": status, **extra}


def error_response(status: int, message: str, ctx: Any = None, **extra: Any) -> JSONResponse:
    """An error response. For an API with a ``ctx`` parameter BentoML overwrites the status
    with ``ctx.response.status_code``, so it is set there too."""
    if ctx is not None:
        ctx.response.status_code = status
    return JSONResponse(error_body(status, message, **extra), status_code=status)
