"""The parts of the day-two loop test (tests/pipeline/test_model_graph.py): a client that keeps
sending while the model is swapped, the project's automation bound to a test's resources, one
sensor tick as the daemon does it, and an annotator's Label Studio export."""

from __future__ import annotations

import threading
import time

import dagster as dg
import requests

import definitions
from automation import annotated_queries_sensor, prediction_log_sensor, retrain_job
from query_understanding.bio import entities_from_tags


class SteadyClient:
    """Keeps POSTing /parse from a thread; counts failures and the tags that answered."""

    def __init__(self, url: str, queries: list[str]) -> None:
        self.url, self.queries = url, queries
        self.sent, self.failures, self.tags = 0, [], []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with requests.Session() as session:
            while not self._stop.is_set():
                query = self.queries[self.sent % len(self.queries)]
                self.sent += 1
                try:
                    response = session.post(f"{self.url}/parse", json={"query": query}, timeout=30)
                    if response.status_code != 200:
                        self.failures.append(f"{response.status_code}: {response.text[:200]}")
                    else:
                        self.tags.append(response.json()["model_tag"])
                except requests.RequestException as error:
                    self.failures.append(repr(error))
                time.sleep(0.1)  # ~10 requests/s: steady, without starving the retrain of the 2 cores

    def __enter__(self) -> SteadyClient:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


def loop_definitions(resources: dict) -> dg.Definitions:
    """The project's assets, checks, jobs and sensors bound to the test's resources."""
    return dg.Definitions(
        assets=definitions.defs.assets,
        asset_checks=definitions.defs.asset_checks,
        jobs=[retrain_job],
        sensors=[prediction_log_sensor, annotated_queries_sensor],
        resources=resources,
    )


def tick(sensor, instance, defs: dg.Definitions, resources: dict) -> dg.RunRequest:
    """One sensor evaluation, as the daemon does it; the single run it requests."""
    context = dg.build_sensor_context(
        instance=instance, resources={"source_files": resources["source_files"]}, definitions=defs
    )
    result = sensor(context)
    assert len(result.run_requests) == 1, result.skip_reason
    return result.run_requests[0]


def annotate(tasks: list[dict], truth: dict[str, list[str]]) -> list[dict]:
    """A Label Studio JSON export of ``tasks`` as an annotator would leave it: each task's result
    is the true spans (``truth``: query text -> BIO tags, e.g. the weak labels of the synthetic
    log), in Label Studio's regions, whatever the pre-annotation said."""
    export = []
    for i, task in enumerate(tasks, start=1):
        text = task["data"]["text"]
        result = [
            {
                "id": f"r{k}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {"start": e.start, "end": e.end, "text": e.text, "labels": [e.type]},
            }
            for k, e in enumerate(entities_from_tags(text, truth[text]))
        ]
        export.append(
            {
                "id": i,
                "data": task["data"],
                "annotations": [{"id": i, "was_cancelled": False, "result": result, "completed_by": 1}],
                "predictions": task["predictions"],
            }
        )
    return export


def run_retrain(defs: dg.Definitions, instance: dg.DagsterInstance, run_config: dict, tags: dict | None = None):
    """The project's ``retrain`` job, as a run the daemon would launch for a sensor's request."""
    result = defs.resolve_job_def("retrain").execute_in_process(
        instance=instance, run_config=run_config, tags=tags or {}
    )
    assert result.success
    return result
