"""The running service, as far as the pipeline is concerned: where it is and how to make it
follow the registry (``POST /reload`` with ``X-Admin-Token``, bentos/README.md).

A promotion changes the registry, not the process serving traffic; without a reload the old
model keeps answering until someone restarts it. The pipeline must not fail because no service
runs (a laptop, CI, a batch-only deployment), so every way of not reloading is an outcome with a
reason, logged and recorded in metadata, never an exception.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import dagster as dg


class ServingEndpoint(dg.ConfigurableResource):
    """``QU_SERVICE_URL`` (e.g. ``http://127.0.0.1:3000``; empty: no service to tell) and the
    admin token the service requires when its ``QU_ADMIN_TOKEN`` is set."""

    url: str = ""
    admin_token: str = ""
    timeout_s: float = 60.0

    def reload(self) -> dict:
        """Ask the service to reload; ``{"reloaded": bool, "reason" | "served_tag", ...}``."""
        if not self.url.strip():
            return {"reloaded": False, "reason": "QU_SERVICE_URL is not set: no running service to reload"}
        endpoint = self.url.strip().rstrip("/") + "/reload"
        headers = {"content-type": "application/json"}
        if self.admin_token:
            headers["X-Admin-Token"] = self.admin_token
        request = urllib.request.Request(endpoint, data=b"{}", headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                body = json.loads(response.read() or b"{}")
                return {
                    "reloaded": bool(body.get("reloaded", True)),
                    "url": endpoint,
                    "status": response.status,
                    **body,
                }
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:500]
            hint = " (wrong or missing X-Admin-Token: set QU_ADMIN_TOKEN)" if error.code in (401, 403) else ""
            return {
                "reloaded": False,
                "url": endpoint,
                "status": error.code,
                "reason": f"HTTP {error.code}{hint}: {detail}",
            }
        except (urllib.error.URLError, OSError, ValueError) as error:
            return {"reloaded": False, "url": endpoint, "reason": f"service unreachable: {error}"}
