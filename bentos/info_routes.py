"""``GET /model_info`` and ``GET /docs``: a small Starlette app mounted on the service.

Why not ``@bentoml.api``: BentoML 1.4 routes its APIs as POST only, and ``/model_info`` is a
plain GET for ``curl`` and dashboards. The app is mounted at ``/`` next to
BentoML's own routes (``@bentoml.asgi_app(info_app, path="/")`` in :mod:`bentos.service`) and
asks the running service instance for its state, so it holds no state of its own. Filesystem
paths and the PID are shown only to a request with the admin token (``X-Admin-Token``).
``/docs`` redirects to BentoML's Swagger UI, which lives at ``/``.
"""

from __future__ import annotations

import bentoml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from bentos.readiness import is_admin
from bentos.schemas import error_response


async def _model_info_endpoint(request: Request) -> JSONResponse:
    service = bentoml.get_current_service()
    if service is None:
        return error_response(503, "service is starting")
    admin = is_admin(service.settings.admin_token, request.headers.get("x-admin-token"))
    return JSONResponse(service.model_info(admin=admin))


async def _docs_redirect(request: Request) -> RedirectResponse:
    return RedirectResponse("/", status_code=307)  # BentoML's Swagger UI lives at /


info_app = Starlette(
    routes=[
        Route("/model_info", _model_info_endpoint, methods=["GET"]),
        Route("/docs", _docs_redirect, methods=["GET"]),
    ]
)
