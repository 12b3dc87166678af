"""Specification: what a user sees in the Dagster UI of the graph (a real browser on ``dg dev``).

The lineage shows every group; the comparison page shows its compact table (verdict visible
without scrolling sideways) and its chart; a model page shows F1 per type; a labeled sample
shows each entity's type as text, never as a link; the Launchpad shows the config fields'
descriptions; the Automation page lists the loop's sensors and schedule, switched off until a
user turns them on; the monitoring report shows the last weeks of served traffic as a chart.
Screenshots land in ``test-artifacts/ui/`` (``QU_UPDATE_SCREENSHOTS=1``: the automation and
monitoring ones also into ``docs/screenshots/``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import ARTIFACTS

pytestmark = pytest.mark.slow

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
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
        cell = per_type.get_by_text(entity_type, exact=True)
        cell.first.wait_for()  # the row renders before its markdown table (a clean-clone run counted 0)
        assert cell.count() == 1, entity_type
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


def screenshot(page, name: str) -> None:
    """Into test-artifacts/ui/, and docs/screenshots/ when asked (``QU_UPDATE_SCREENSHOTS=1``)."""
    page.screenshot(path=str(ARTIFACTS / name))
    if os.environ.get("QU_UPDATE_SCREENSHOTS") == "1":
        page.screenshot(path=str(DOCS_SCREENSHOTS / name))


def test_the_automation_page_lists_the_loop_switched_off(page):
    open_page(page, "/automation")
    names = ("prediction_log_sensor", "annotated_queries_sensor", "catalog_automation", "daily_retrain")
    for name in names:
        page.get_by_text(name, exact=True).first.wait_for()
    page.get_by_text("Scheduled At 03:00 AM UTC").wait_for()
    # each row: a selection checkbox and the on/off switch; a running automation's switch is checked.
    # The switches render after the rows (they wait for each automation's state), so wait for them.
    page.wait_for_function(
        "n => document.querySelectorAll('input[type=\"checkbox\"]').length >= n", arg=2 * len(names), timeout=30_000
    )
    boxes = page.locator('input[type="checkbox"]')
    assert boxes.count() >= 2 * len(names)
    assert [i for i in range(boxes.count()) if boxes.nth(i).is_checked()] == [], "the loop must start switched off"
    screenshot(page, "automation.png")


def test_the_monitoring_report_charts_the_last_weeks(page):
    open_page(page, "/assets/monitoring_report")
    metadata_row(page, "days").wait_for()
    assert metadata_row(page, "days").get_by_text("14", exact=True).count() == 1
    assert metadata_row(page, "latest_day").get_by_text("2026-11-14", exact=True).count() == 1
    assert metadata_row(page, "daily").count() == 1
    metadata_row(page, "chart_png").get_by_text("[Show Markdown]").click()
    image = page.locator('img[alt="monitoring, last weeks"]')
    image.wait_for()
    assert image.evaluate("img => img.naturalWidth") > 300
    screenshot(page, "monitoring.png")
    page.keyboard.press("Escape")
