"""The deployable: a bento of the service with the served (pinned or champion) model packed in.

``bentoml build`` runs offline (``lock_packages: false`` in bentos/bentofile.yaml) against the
registry's BentoML home, so the bento references the model by tag from the local store.
"""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from pipeline.ui import OWNERS
from query_understanding.settings import PROJECT_ROOT
from resources import ModelStore


def build_bento(registry_home: Path, served_tag: str, linking_tag: str, head_cache_tag: str = "") -> str:
    """``bentoml build`` the service with ``served_tag``, ``linking_tag`` and ``head_cache_tag``
    (empty: none) packed; returns the bento tag."""
    # BentoML's own name for the registry home; the service module reads QU_SERVE_TAG,
    # QU_LINKING_INDEX and QU_HEAD_CACHE at import to declare (and so pack) exactly the served
    # model, index and head-query cache.
    env = {
        **os.environ,
        "BENTOML_HOME": str(registry_home),
        "QU_SERVE_TAG": served_tag,
        "QU_LINKING_INDEX": linking_tag,
        "QU_HEAD_CACHE": head_cache_tag or "off",
    }
    bentoml = Path(sys.executable).parent / "bentoml"
    command = [str(bentoml), "build", "-f", "bentos/bentofile.yaml", "--output", "tag", "."]
    completed = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    if completed.returncode != 0:
        raise dg.Failure(
            f"bentoml build failed ({completed.returncode})", metadata={"stderr": completed.stderr[-4000:]}
        )
    lines = [line.strip() for line in completed.stdout.splitlines() if line.strip()]
    tag = lines[-1].removeprefix("__tag__:") if lines else ""
    if ":" not in tag:
        raise dg.Failure(f"could not read the bento tag from bentoml build output: {completed.stdout[-500:]!r}")
    return tag


@dg.asset(
    ins={
        "served_tag": dg.AssetIn("champion"),
        "linking_tag": dg.AssetIn("linking_index"),
        "head_cache_tag": dg.AssetIn("head_query_cache"),
    },
    group_name="serving",
    kinds={"bentoml"},
    # bentoml build can fail transiently (a locked or half-written store, a slow disk): retry.
    retry_policy=dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL),
    owners=OWNERS,
    code_version="2",
)
def bento(
    context: dg.AssetExecutionContext,
    served_tag: str,
    linking_tag: str,
    head_cache_tag: str,
    model_store: ModelStore,
) -> dg.Output[str]:
    """The service packaged with the served model, the linking index and the head-query cache
    built for that model; value: the bento tag."""
    if not served_tag:
        raise dg.Failure("the registry has no served model yet: nothing to package")
    registry_home = Path(model_store.registry_home).resolve()
    tag = build_bento(registry_home, served_tag, linking_tag, head_cache_tag)
    context.log.info(f"built {tag} with {served_tag}, {linking_tag} and {head_cache_tag or 'no head cache'}")
    return dg.Output(
        tag,
        metadata={
            "bento_tag": tag,
            "model_tag": served_tag,
            "linking_index": linking_tag,
            "head_cache": head_cache_tag or "none",
            "bentoml_home": str(registry_home),
            "serve": dg.MetadataValue.md(f"```\nQU_REGISTRY_HOME={registry_home} scripts/serve.sh {tag}\n```"),
        },
    )
