"""Specification: the service's Swagger UI (``/``) in a real browser, as a user tries the API.

A real ``bentoml serve`` (tiny CRF champion, the seed catalog's linking index) behind Debian's
Chromium: the page describes the API in a few lines (not the project README), lists
``GET /model_info`` and no ``/internal`` path, loads nothing from a third party, and
"Try it out" / "Execute" on ``POST /parse`` with its example answers 200 with entities. A
failing test leaves a screenshot in ``test-artifacts/ui/``; the passing one writes
the /parse example there too (``QU_UPDATE_SCREENSHOTS=1``: into ``docs/screenshots/``).
"""

from __future__ import annotations

import os

import pytest
from bento_server import start_server, stop_server  # tests/support
from conftest import ARTIFACTS, REPO, browser_page
from tiny_crf import train_tiny_crf

pytestmark = pytest.mark.slow

SCREENSHOT = REPO / "docs" / "screenshots" / "swagger_parse.png"


@pytest.fixture(scope="module")
def service_url(chromium, tmp_path_factory):
    """A served tiny CRF (promoted champion) with the seed catalog's linking index."""
    from model_registry import ModelRegistry
    from model_registry.linking_indexes import register_linking_index
    from query_understanding.catalog import load_catalog_from_csv
    from query_understanding.linking import LinkingIndex, calibrate

    root = tmp_path_factory.mktemp("swagger")
    registry = ModelRegistry(root / "bentoml_home")
    registry.promote(registry.register(train_tiny_crf(root / "artifacts", seed=7)), reason="swagger test")
    index, _ = calibrate(LinkingIndex.from_catalog(load_catalog_from_csv(REPO / "dbt" / "seeds")))
    register_linking_index(registry, index.save(root / "linking").parent)
    server = start_server(root / "bentoml_home", root / "prediction_logs", root / "server.log")
    try:
        yield server.url
    finally:
        stop_server(server)


@pytest.fixture
def swagger(browser, service_url, request):
    with browser_page(browser, service_url, request, width=1280) as page:
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(service_url) else outside.append(r.url))
        page.outside_requests = outside
        yield page


def operation(page, method: str, path: str):
    """The operation block of ``METHOD path`` (its summary's path is exactly ``path``)."""
    block = page.locator(f".opblock-{method.lower()}").filter(
        has=page.locator(".opblock-summary-path", has_text=path).filter(
            has_not_text=f"{path}/"  # not /parse/... should BentoML add one
        )
    )
    return block.first


def test_the_page_describes_the_api_briefly_and_lists_model_info(swagger):
    swagger.goto("/")
    description = swagger.locator(".information-container .info .description, .info .markdown").first
    description.wait_for()
    text = description.inner_text()
    assert "/parse" in text and "bentos/README.md" in text, text
    assert len(text) < 800 and "Two commands" not in text, text[:500]
    assert swagger.locator(".info h1, .info h2").filter(has_text="Two commands").count() == 0
    operation(swagger, "get", "/model_info").wait_for()
    assert swagger.locator(".opblock-summary-path", has_text="/internal").count() == 0
    assert swagger.outside_requests == [], swagger.outside_requests  # no tag manager, nothing third-party


def test_try_it_out_on_parse_answers_200_with_entities(swagger):
    swagger.goto("/")
    parse = operation(swagger, "post", "/parse")
    parse.locator(".opblock-summary").click()
    parse.get_by_role("button", name="Try it out").click()
    parse.get_by_role("button", name="Execute").click()
    live = parse.locator(".live-responses-table")
    status = live.locator("tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200", status.inner_text()
    body = live.locator(".response-col_description pre").first
    assert '"entities"' in body.inner_text()
    assert "nikee" in body.inner_text()  # the example's query came back tagged
    # the docs' screenshot is refreshed on request only: a test run leaves the checkout as it was
    shot = SCREENSHOT if os.environ.get("QU_UPDATE_SCREENSHOTS") == "1" else ARTIFACTS / SCREENSHOT.name
    shot.parent.mkdir(parents=True, exist_ok=True)
    box = "e => { const r = e.getBoundingClientRect(); return [r.left, r.top + scrollY, r.width, r.bottom + scrollY]; }"
    left, top, width, _ = parse.evaluate(box)
    *_, bottom = live.evaluate(box)  # from the operation's header to the server's answer
    swagger.screenshot(
        path=str(shot), full_page=True, clip={"x": left, "y": top, "width": width, "height": bottom - top}
    )
    assert swagger.outside_requests == [], swagger.outside_requests
