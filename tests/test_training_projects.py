"""Automated training, end to end: tracked and reproducible runs, DVC, and a PostgreSQL store.

The first level whose preset turns tracking on is installed once (tests/installed_projects.py);
each test bakes a fresh project of that level, so no test sees another's runs, and runs it on
the installed virtualenv, but for the DVC variant, whose requirements differ: it installs its
own. What is checked is what a user relies on: the MLflow store holds each run with its params,
metrics, lineage tags and plots, the latest model version carries the ``challenger`` alias, a
second ``make train`` gives the same metrics, training without tracking still writes everything
locally, ``make repro`` runs the DVC pipeline offline, and a real PostgreSQL server can be the
store.
"""

import contextlib
import hashlib
import json
import re
import urllib.parse
from pathlib import Path

import loopback
import pytest
import manifest
import yaml
from installed_projects import OWN_CODE, run, run_json
from team_servers import mlflow_server, throwaway_postgresql

pytestmark = pytest.mark.slow

CONFIG = manifest.load_config()
COMPONENTS = manifest.components(CONFIG)
TRAINING_LEVEL = str(manifest.first_on_level(COMPONENTS["tracking"]))
TRACKING_OFF = {
    "tracking": next(
        value for value in COMPONENTS["tracking"]["files"] if not manifest.is_on(value)
    )
}
DVC_ON = {
    "data_versioning": next(
        value for value in COMPONENTS["data_versioning"]["files"] if manifest.is_on(value)
    )
}
FIGURES = ["figures/confusion_matrix.png", "figures/feature_importance.png"]
# What MLflow's job runner runs as: `make mlflow-ui` must not start it.
JOB_RUNNER_MODULE = "mlflow.server.jobs"

# Run with the project's own Python: what MLflow recorded, read back through MLflow's client.
MLFLOW_QUERY = """
import json, sys
from mlflow import MlflowClient

uri, experiment_name, model_name = sys.argv[1:4]
client = MlflowClient(uri)
experiment = client.get_experiment_by_name(experiment_name)
runs = client.search_runs([experiment.experiment_id], order_by=["attributes.start_time ASC"])
challenger = client.get_model_version_by_alias(model_name, "challenger")
versions = client.search_model_versions(f"name = '{model_name}'")
print(json.dumps({
    "runs": [
        {
            "id": run.info.run_id,
            "params": run.data.params,
            "metrics": run.data.metrics,
            "tags": run.data.tags,
            "figures": [item.path for item in client.list_artifacts(run.info.run_id, "figures")],
        }
        for run in runs
    ],
    "challenger": {"version": str(challenger.version), "run_id": challenger.run_id},
    "versions": sorted(str(version.version) for version in versions),
}))
"""


def training_config(project):
    """The project's configs/train.yaml, parsed."""
    return yaml.safe_load(Path(project, "configs", "train.yaml").read_text(encoding="utf-8"))


def train(project, venv, env=None):
    """``make train`` on the shared virtualenv; return the metrics it wrote."""
    run(["make", "train", f"VENV={venv}"], project, env=env)
    config = training_config(project)
    return json.loads(Path(project, config["outputs"]["metrics"]).read_text(encoding="utf-8"))


def mlflow_records(project, venv, uri):
    """The runs, the challenger and the model versions the store at ``uri`` holds."""
    tracking = training_config(project)["tracking"]
    command = [venv / "bin" / "python", "-c", MLFLOW_QUERY, uri]
    return run_json(command + [tracking["experiment"], tracking["registered_model"]], project)


def session_commands(session):
    """The command lines of the processes in ``session`` (the id of its leader)."""
    commands = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):  # a process that ended meanwhile
            fields = stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()
            if int(fields[3]) == session:
                command = stat.with_name("cmdline").read_bytes().replace(b"\0", b" ")
                commands.append(command.decode(errors="replace"))
    return commands


def browse(project, venv, log_folder):
    """``make mlflow-ui`` on a free loopback port: the ids of the runs it lists in the config's
    experiment, and the command lines of the processes it started."""
    name = urllib.parse.quote(training_config(project)["tracking"]["experiment"])
    with mlflow_server(project, venv, ["mlflow-ui"], {}, log_folder) as (uri, ui):
        api = f"{uri}/api/2.0/mlflow"
        experiment = loopback.request(f"{api}/experiments/get-by-name?experiment_name={name}")
        search = {"experiment_ids": [experiment.body["experiment"]["experiment_id"]]}
        found = loopback.request(f"{api}/runs/search", search)
        processes = session_commands(ui.pid)
    return sorted(listed["info"]["run_id"] for listed in found.body["runs"]), processes


def sha256_of(path):
    """SHA-256 of a file, as ``sha256sum`` prints it."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_training_is_tracked_with_lineage_and_reproducible(installed, tmp_path):
    """Two ``make train``: same metrics; both runs fully recorded; the second is challenger;
    ``make mlflow-ui`` lists both, without MLflow's job runner."""
    venv = installed.venv(TRAINING_LEVEL)
    project = installed.variant(tmp_path / "tracked", TRAINING_LEVEL, {})
    first = train(project, venv)
    assert train(project, venv) == first, "a second make train changed the metrics"
    config = training_config(project)
    records = mlflow_records(project, venv, "sqlite:///mlflow.db")
    runs = records["runs"]
    assert len(runs) == 2
    commit = run(["git", "rev-parse", "HEAD"], project).strip()
    data_sha256 = sha256_of(Path(project, config["data"]["path"]))
    for recorded in runs:
        assert recorded["metrics"] == pytest.approx(first)
        assert recorded["params"]["model.estimator"] == config["model"]["estimator"]
        assert recorded["params"]["seed"] == str(config["seed"])
        tags = recorded["tags"]
        assert tags["lineage.data_sha256"] == data_sha256
        assert (tags["lineage.git_commit"], tags["lineage.git_dirty"]) == (commit, "false")
        assert re.fullmatch("[0-9a-f]{64}", tags["lineage.config_sha256"])
        assert sorted(recorded["figures"]) == FIGURES
    assert records["versions"] == ["1", "2"]
    assert records["challenger"] == {"version": "2", "run_id": runs[-1]["id"]}
    listed, processes = browse(project, venv, tmp_path)
    assert listed == sorted(recorded["id"] for recorded in runs)
    assert not [command for command in processes if JOB_RUNNER_MODULE in command], processes


def test_without_tracking_the_project_tests_and_trains_locally(installed, tmp_path):
    """Tracking off: the project's own tests pass, and training writes its files, no store."""
    venv = installed.venv(TRAINING_LEVEL)
    project = installed.variant(tmp_path / "local", TRAINING_LEVEL, TRACKING_OFF, own_code=True)
    run(["make", "test", f"VENV={venv}"], project, env=OWN_CODE)
    metrics = train(project, venv, env=OWN_CODE)
    assert metrics["accuracy"] > 0.85
    outputs = training_config(project)["outputs"]
    assert Path(project, outputs["model"]).is_file()
    figures = sorted(path.name for path in Path(project, outputs["figures"]).iterdir())
    assert ["figures/" + name for name in figures] == FIGURES
    assert not Path(project, "mlflow.db").exists() and not Path(project, "mlruns").exists()


def test_dvc_pipeline_runs_offline_and_then_is_up_to_date(installed, tmp_path):
    """``make repro`` provides the configured data, runs the train and evaluate stages on it (the
    data path read from configs/train.yaml), then has nothing to redo."""
    project = installed.variant(tmp_path / "dvc", TRAINING_LEVEL, DVC_ON)
    # DVC's requirements move packages the level's shared virtualenv holds (python-dateutil):
    # installing them there removed one from under the tests running on it. The variant gets
    # its own .venv, from its own `make install`, as its user's does.
    installed.install(project)
    run(["make", "repro"], project)
    lock = yaml.safe_load(Path(project, "dvc.lock").read_text(encoding="utf-8"))
    assert set(lock["stages"]) == {"train", "evaluate"}
    data_path = training_config(project)["data"]["path"]
    assert [dep["path"] for dep in lock["stages"]["train"]["deps"]][0] == data_path
    metrics = training_config(project)["outputs"]["metrics"]
    assert json.loads(Path(project, metrics).read_text(encoding="utf-8"))["accuracy"] > 0.85
    again = run(["make", "repro"], project)
    assert "Data and pipelines are up to date." in again, again


# --- the team setup: MLflow on PostgreSQL ---------------------------------------------------


@pytest.fixture(name="postgresql_uri")
def fixture_postgresql_uri():
    """The URI of a database on a throwaway PostgreSQL server, stopped after the test."""
    with throwaway_postgresql() as uri:
        yield uri


def test_training_records_into_postgresql(installed, tmp_path, postgresql_uri):
    """MLFLOW_TRACKING_URI=postgresql://... sends the run and the model version there."""
    venv = installed.venv(TRAINING_LEVEL)
    project = installed.variant(tmp_path / "team", TRAINING_LEVEL, {})
    metrics = train(project, venv, env={"MLFLOW_TRACKING_URI": postgresql_uri})
    assert not Path(project, "mlflow.db").exists(), "the run went to SQLite, not PostgreSQL"
    records = mlflow_records(project, venv, postgresql_uri)
    assert [recorded["metrics"] for recorded in records["runs"]] == [pytest.approx(metrics)]
    assert records["challenger"] == {"version": "1", "run_id": records["runs"][0]["id"]}
