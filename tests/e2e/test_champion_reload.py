"""The service follows the champion: after ``champion`` promotes, a real ``bentoml serve`` reloads.

The server runs with ``QU_ADMIN_TOKEN`` set, so the reload must carry the matching
``X-Admin-Token``; the pipeline side is the ``service`` resource (:class:`ServingEndpoint`,
``QU_SERVICE_URL`` + ``QU_ADMIN_TOKEN`` in ``definitions.py``) that the champion asset calls.
"""

from __future__ import annotations

import dagster as dg
import pytest
import requests

from resources import DuckDBWarehouse, ModelStore, ServingEndpoint

TOKEN = "test-admin-token"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def guarded_server(serving_home, server_factory):
    return server_factory(serving_home["home"], QU_ADMIN_TOKEN=TOKEN)


def served_by(server) -> str:
    return requests.get(f"{server.url}/model_info", timeout=10).json()["served_tag"]


def promote_through_the_champion_asset(serving_home, tmp_path, service: ServingEndpoint, tag: str) -> dict:
    from assets.champion import champion

    comparison = {"decision": {"promoted": True, "champion": tag, "explanation": "test: better"}, "rows": []}
    output = champion(
        context=dg.build_asset_context(),
        comparison=comparison,
        warehouse=DuckDBWarehouse(path=str(tmp_path / "warehouse.duckdb")),
        model_store=ModelStore(root=str(tmp_path / "models"), registry_home=str(serving_home["home"])),
        service=service,
    )
    return output.metadata["service_reload"].data


def test_a_promotion_reloads_the_running_service_with_the_admin_token(guarded_server, serving_home, tmp_path):
    tags = serving_home["tags"]
    assert served_by(guarded_server) == tags["a"]
    outcome = promote_through_the_champion_asset(
        serving_home, tmp_path, ServingEndpoint(url=guarded_server.url, admin_token=TOKEN), tags["b"]
    )
    assert outcome["reloaded"] is True and outcome["served_tag"] == tags["b"]
    assert served_by(guarded_server) == tags["b"]
    serving_home["registry"].rollback(reason="test: restore")
    assert ServingEndpoint(url=guarded_server.url, admin_token=TOKEN).reload()["served_tag"] == tags["a"]


def test_a_wrong_token_is_refused_and_reported_not_raised(guarded_server, serving_home):
    outcome = ServingEndpoint(url=guarded_server.url, admin_token="wrong").reload()
    assert outcome["reloaded"] is False and outcome["status"] == 401 and "QU_ADMIN_TOKEN" in outcome["reason"]
    assert served_by(guarded_server) == serving_home["tags"]["a"]


def test_no_service_url_or_no_service_is_a_logged_skip():
    assert "QU_SERVICE_URL is not set" in ServingEndpoint(url="").reload()["reason"]
    from conftest import free_port

    unreachable = ServingEndpoint(url=f"http://127.0.0.1:{free_port()}", timeout_s=2).reload()
    assert unreachable["reloaded"] is False and "unreachable" in unreachable["reason"]
