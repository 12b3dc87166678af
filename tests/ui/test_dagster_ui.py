"""Specification: what a user sees in the Dagster UI of the graph (a real browser on ``dg dev``).

The lineage shows every group; the comparison page shows its compact table (verdict visible
without scrolling sideways) and its chart; a model page shows F1 per type; a labeled sample
shows each entity's type as text, never as a link; the Launchpad shows the config fields'
descriptions.
"""

from __future__ import annotations

import re

import pytest
from conftest import ARTIFACTS

pytestmark = pytest.mark.slow

GROUPS = ("catalog", "raw", "staging", "weak_labeling", "datasets", "models", "comparison", "serving")


def open_page(page, path: str) -> None:
    page.goto(path)


def metadata_row(page, key: str):
    """The row of the asset page's metadata table whose key is ``key``."""
    return page.locator("tr").filter(has=page.locator("td", has_text=re.compile(rf"^{re.escape(key)}$"))).first


def test_the_lineage_shows_every_group(page):
    open_page(page, "/asset-groups")
    for group in GROUPS:
        page.get_by_text(group, exact=True).first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "lineage.png"))


def test_the_comparison_page_shows_the_table_with_verdicts_and_the_chart(page):
    open_page(page, "/assets/model_comparison")
    table = metadata_row(page, "comparison")
    table.wait_for()
    verdict = table.get_by_text("verdict", exact=True).first
    verdict.wait_for()
    pane = page.locator("table").filter(has=page.get_by_text("verdict", exact=True)).first
    box, pane_box = verdict.bounding_box(), table.bounding_box()
    assert box and pane_box and box["x"] + box["width"] <= pane_box["x"] + pane_box["width"], "verdict out of sight"
    assert pane.get_by_text("eligible", exact=True).count() >= 1
    for candidate in ("crf", "transformer", "onnx-fp32", "onnx-int8"):
        assert table.get_by_text(candidate, exact=True).count() >= 1, candidate
    chart = metadata_row(page, "chart")  # text bars: inline, where the PNG needs "[Show Markdown]"
    chart.get_by_text("onnx-int8", exact=True).wait_for()
    assert "█" in chart.inner_text()
    metadata_row(page, "chart_png").get_by_text("[Show Markdown]").click()
    image = page.locator('img[alt="model comparison"]')
    image.wait_for()
    assert image.evaluate("img => img.naturalWidth") > 100
    page.keyboard.press("Escape")
    assert metadata_row(page, "comparison_details").count() == 1
    page.screenshot(path=str(ARTIFACTS / "comparison.png"))


def test_a_model_page_shows_f1_per_type(page):
    open_page(page, "/assets/crf_tagger")
    per_type = metadata_row(page, "test_per_type")
    per_type.wait_for()
    for entity_type in ("BRAND", "COLOR", "TYPE"):
        assert per_type.get_by_text(entity_type, exact=True).count() == 1, entity_type
    metadata_row(page, "test_f1_BRAND").wait_for()


def test_a_sample_entity_shows_its_type_not_a_link(page):
    open_page(page, "/assets/train_queries")
    sample = metadata_row(page, "sample")
    sample.wait_for()
    assert re.search(r"\[[^\]]+\]\((BRAND|COLOR|TYPE)\)", sample.inner_text()), sample.inner_text()[:500]
    links = page.locator('a[href="BRAND"], a[href="COLOR"], a[href="TYPE"], a[href$="/BRAND"], a[href$="/TYPE"]')
    assert links.count() == 0


def test_the_launchpad_shows_config_field_descriptions(page):
    open_page(page, "/locations/query_understanding/jobs/main/playground")
    editor = page.locator(".CodeMirror").first
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text("ops:\n  crf_tagger:\n    config:\n      c1: 0.1\n      ")
    page.get_by_text("L1 regularization strength.").first.wait_for()
    page.get_by_text("L2 regularization strength.").first.wait_for()
