"""Specification: the scale-out files under deploy/ parse and name only what the project has.

Nothing here deploys (no cluster, no GPU image build offline); the checks keep the files from
drifting away from the code: the bento name and service the GPU bentofile and the Kubernetes
Deployment use, the ``QU_*`` variables they set (every one in ``settings.VARIABLES``), the
PostgreSQL variables of the production instance, the files and locations they point at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from query_understanding.settings import VARIABLES, Locations

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
KNOWN_VARIABLES = {v.name for v in VARIABLES}


def load(relative: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all((DEPLOY / relative).read_text()) if doc is not None]


def bento_name() -> str:
    match = re.search(r'@bentoml\.service\(\s*name="([^"]+)"', (REPO / "bentos" / "service.py").read_text())
    assert match, "bentos/service.py declares no service name"
    return match.group(1)


def env_names(env: list[dict]) -> set[str]:
    return {item["name"] for item in env}


def assert_known(names: set[str], also: set[str] = frozenset()) -> None:
    project = {n for n in names if n.startswith("QU_")}
    assert project <= KNOWN_VARIABLES, f"not project variables: {sorted(project - KNOWN_VARIABLES)}"
    others = names - project
    assert others <= also, f"unexpected variables: {sorted(others - also)}"


@pytest.mark.parametrize("path", sorted(p.relative_to(DEPLOY).as_posix() for p in DEPLOY.rglob("*.yaml")))
def test_every_deploy_file_is_yaml(path):
    assert load(path), path


def test_the_readme_names_every_deploy_file():
    readme = (REPO / "README.md").read_text()
    for path in DEPLOY.rglob("*.yaml"):
        assert path.relative_to(REPO).as_posix() in readme, path


def test_the_gpu_bentofile_is_the_cpu_one_with_onnxruntime_gpu():
    from bentoml._internal.bento.build_config import BentoBuildConfig

    cpu = yaml.safe_load((REPO / "bentos" / "bentofile.yaml").read_text())
    (gpu,) = load("bentofile.gpu.yaml")
    assert gpu["service"] == cpu["service"] == "bentos.service:QueryParser"
    module, attr = gpu["service"].split(":")
    assert f"class {attr}" in (REPO / Path(*module.split("."))).with_suffix(".py").read_text()
    assert gpu["include"] == cpu["include"] and gpu["exclude"] == cpu["exclude"]
    swapped = [p.replace("onnxruntime==", "onnxruntime-gpu==") for p in cpu["python"]["packages"]]
    assert gpu["python"]["packages"] == swapped
    assert not [p for p in gpu["python"]["packages"] if p.startswith("onnxruntime==")]
    assert env_names(cpu["envs"]) < env_names(gpu["envs"])
    assert {e["name"]: e["value"] for e in gpu["envs"]}["QU_GPUS"] == "1"
    assert_known(env_names(gpu["envs"]), also=env_names(cpu["envs"]))
    with (DEPLOY / "bentofile.gpu.yaml").open() as stream:  # BentoML's own validation (CUDA version)
        config = BentoBuildConfig.from_yaml(stream)
    assert config.docker.cuda_version and config.docker.cuda_version.startswith("12.")


def test_the_bento_deployment_runs_the_containerized_bento_on_one_gpu():
    deployment, service = load("k8s/bento-deployment.yaml")
    assert deployment["kind"] == "Deployment" and service["kind"] == "Service"
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    image, _, _ = container["image"].partition(":")
    assert image == bento_name()  # `bentoml containerize <name>:<version>` tags the image so
    for kind in ("requests", "limits"):
        assert container["resources"][kind]["nvidia.com/gpu"] == 1
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert_known(set(env), also={"BENTOML_HOST"})
    assert env["QU_GPUS"] == "1" and env["BENTOML_HOST"] == "0.0.0.0"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["ports"][0]["containerPort"] == 3000  # BentoML's and scripts/serve.sh's port
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]


def test_the_dagster_values_use_the_production_instance_and_the_k8s_run_launcher():
    (values,) = load("k8s/dagster-values.yaml")
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["postgresql"]["enabled"] is False
    (code,) = values["dagster-user-deployments"]["deployments"]
    args = code["dagsterApiGrpcArgs"]
    assert (REPO / args[args.index("-f") + 1]).is_file()
    workspace = yaml.safe_load((REPO / "workspace.yaml").read_text())
    assert workspace["load_from"][0]["python_file"]["relative_path"] == args[args.index("-f") + 1]
    version = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(), re.M).group(1)
    assert code["image"]["tag"] == version
    instance = (REPO / "dagster_home" / "postgres" / "dagster.yaml").read_text()
    pg_names = set(re.findall(r"env: (PG[A-Z]+)", instance))
    names = env_names(code["env"])
    assert_known(names, also=pg_names)
    assert pg_names - {"PGPASSWORD"} <= names  # the password comes from envSecrets
    env = {e["name"]: e["value"] for e in code["env"]}
    assert env["QU_WAREHOUSE"] == "postgres"
    maxruns = yaml.safe_load(instance)["concurrency"]["runs"]["max_concurrent_runs"]
    assert values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]["maxConcurrentRuns"] == maxruns


def test_the_service_logs_predictions_where_the_dagster_runs_read_them():
    (values,) = load("k8s/dagster-values.yaml")
    deployment, _ = load("k8s/bento-deployment.yaml")
    (code,) = values["dagster-user-deployments"]["deployments"]
    data_dir = {e["name"]: e["value"] for e in code["env"]}["QU_DATA_DIR"]
    pipeline_reads = Locations.from_env({"QU_DATA_DIR": data_dir}).prediction_log_dir
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    service_writes = {e["name"]: e.get("value") for e in container["env"]}["QU_PREDICTION_LOG_DIR"]
    assert Path(service_writes) == pipeline_reads
    claims = {
        "user code": {v["persistentVolumeClaim"]["claimName"] for v in code["volumes"]},
        "runs": {
            v["persistentVolumeClaim"]["claimName"]
            for v in values["runLauncher"]["config"]["k8sRunLauncher"]["volumes"]
        },
        "service": {v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]},
    }
    assert len(set.union(*claims.values())) == 1, claims  # one shared volume
    mounts = [m["mountPath"] for m in container["volumeMounts"]] + [m["mountPath"] for m in code["volumeMounts"]]
    assert all(m == data_dir for m in mounts), mounts
