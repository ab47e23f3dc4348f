"""A user's own data, end to end: generated projects trained, served and monitored on a CSV file
that is not the bundled wine, by editing configs/train.yaml alone.

Each test bakes a fresh project of a level preset, runs it on that level's installed virtualenv
(tests/installed_projects.py) and does what a new user does first: write their CSV file (a
numeric target, or text classes; a text column, a boolean column, empty cells; see
scripts/own_data.py), point the config at it and run the make targets. ``make lint`` is not
repeated here: it reads no config and no data, and the level pipelines lint every level. Of the
project's own tests, those that read the config or the data run here (tests/project_reads.py
says why the others need not, and how the level pipelines check it).
"""

import json
import re
import shutil
from pathlib import Path

import loopback
import own_data
import pytest
import manifest
import project_reads
import yaml
from installed_projects import GIT, completed_run, run, subprocess_env

pytestmark = pytest.mark.slow

CONFIG = manifest.load_config()
COMPONENTS = manifest.components(CONFIG)
TRAINING_LEVEL = str(manifest.first_on_level(COMPONENTS["tracking"]))
SERVING_LEVEL = str(manifest.first_on_level(COMPONENTS["serving"]))
MONITORING_LEVEL = str(manifest.first_on_level(COMPONENTS["monitoring"]))
REGRESSION_EXAMPLE = Path("configs", "examples", "diabetes-regression.yaml")
HOUSES = Path("data", "raw", "houses.csv")
# Served predictions before the drift check: more than drift.min_rows (100).
SERVED_ROWS = 150


def failing(command, cwd, env=None):
    """Run a command that must fail; its output. A traceback in it fails the test."""
    completed = completed_run(command, cwd, env, timeout=600)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, f"{command} succeeded:\n{output[-3000:]}"
    assert "Traceback" not in output, output[-3000:]
    return output


def run_data_tests(project, venv):
    """The project's own tests that read the config and the data (project_reads.DATA_TESTS)
    pass on the user's files, none skipped. The other tests build their own data: the level
    pipelines check that none of them reads the user's files, and run them all."""
    tests = project_reads.data_tests(project)
    assert tests, f"{project} has none of {project_reads.DATA_TESTS}"
    output = run([Path(venv, "bin", "pytest"), "-p", "no:cacheprovider", *tests], project)
    assert " passed" in output and "skipped" not in output, output


def metrics_of(project):
    """The metrics the last `make train` wrote, by the config's outputs.metrics."""
    config = yaml.safe_load(Path(project, "configs", "train.yaml").read_text(encoding="utf-8"))
    return json.loads(Path(project, config["outputs"]["metrics"]).read_text(encoding="utf-8"))


def workflow_steps(project):
    """The shell commands of the training workflow's steps, in order (train.yml)."""
    workflow = Path(project, ".github", "workflows", "train.yml").read_text(encoding="utf-8")
    steps = yaml.safe_load(workflow)["jobs"]["train"]["steps"]
    return [step["run"] for step in steps if "run" in step]


def test_regression_csv_trains_and_a_fresh_clone_trains_in_the_ci_steps(installed, tmp_path):
    """Level 2: a regression CSV with text, booleans and gaps passes the project's tests that
    read it and trains; committed with `git add -f`, a fresh clone trains by the training
    workflow's steps; without the file, `make data` fails naming it and the ways to provide it."""
    venv = installed.venv(TRAINING_LEVEL)
    project = installed.variant(tmp_path / "regression", TRAINING_LEVEL, {})
    data = own_data.write_csv(own_data.houses(), project / HOUSES)
    own_data.point_config_at(project, data, own_data.PRICE)
    make = ["make", f"VENV={venv}"]
    run_data_tests(project, venv)
    trained = run([*make, "train"], project)
    assert "Task: regression of 'price'" in trained, trained
    assert "district: categorical" in trained and "has_garden: boolean" in trained, trained
    assert set(metrics_of(project)) == {"rmse", "mae", "r2"}
    assert metrics_of(project)["r2"] > 0.5

    run([*GIT, "add", "-f", HOUSES], project)
    run([*GIT, "commit", "-q", "-am", "Train on our houses"], project)
    clone = tmp_path / "clone"
    run([*GIT, "clone", "-q", project, clone], tmp_path)
    for command in workflow_steps(clone):
        run(["bash", "-e", "-c", command], clone)
    assert set(metrics_of(clone)) == {"rmse", "mae", "r2"}

    (clone / HOUSES).unlink()
    message = failing(["make", f"VENV={venv}", "data"], clone)
    assert f"{HOUSES.as_posix()} does not exist" in message and "git add -f" in message


def test_regression_example_is_promoted_and_served_as_numbers(installed, tmp_path):
    """Level 3: the shipped diabetes example, copied over configs/train.yaml, trains, is
    promoted on RMSE and served: the API answers numbers, and refuses probabilities."""
    venv = installed.venv(SERVING_LEVEL)
    project = installed.variant(tmp_path / "diabetes", SERVING_LEVEL, {})
    shutil.copy(project / REGRESSION_EXAMPLE, project / "configs" / "train.yaml")
    make = ["make", f"VENV={venv}"]
    run([*make, "train"], project)
    assert "Promotion on rmse: promoted version 1" in run([*make, "promote"], project)
    row = {"age": 50.0, "sex": 1.0, "bmi": 27.0, "bp": 95.0, "s1": 190.0}
    row |= {"s2": 115.0, "s3": 48.0, "s4": 4.0, "s5": 4.6, "s6": 90.0}
    port = loopback.free_port()
    base = f"http://127.0.0.1:{port}"
    command = [*make, "serve", f"PORT={port}"]
    with loopback.running(command, project, subprocess_env(), f"{base}/ready", tmp_path / "log"):
        answer = loopback.request(f"{base}/predict", row)
        assert answer.status == 200 and isinstance(answer.body["prediction"], float), answer
        refused = loopback.request(f"{base}/predict?probabilities=true", row)
        assert refused.status == 422, refused


def serve_houses(project, venv, tmp_path, table):
    """Serve the project and send it house rows: one with an empty cell and an unseen
    district, one without the required feature, then SERVED_ROWS rows; their answers."""
    make = ["make", f"VENV={venv}"]
    port = loopback.free_port()
    base = f"http://127.0.0.1:{port}"
    command = [*make, "serve", f"PORT={port}"]
    answers = {}
    with loopback.running(command, project, subprocess_env(), f"{base}/ready", tmp_path / "log"):
        row = own_data.request_row(table[0], own_data.EXPENSIVE)
        unseen = {**row, "size_m2": None, "district": "atlantis"}
        answers["unseen"] = loopback.request(f"{base}/predict?probabilities=true", unseen)
        required = {**row, own_data.REQUIRED_FEATURE: None}
        answers["required"] = loopback.request(f"{base}/predict", required)
        rows = [own_data.request_row(row, own_data.EXPENSIVE) for row in table[:SERVED_ROWS]]
        answers["batch"] = loopback.request(f"{base}/predict/batch", {"rows": rows})
        answers["model"] = loopback.request(f"{base}/model")
    return answers


def check_monitor(project, make):
    """After the served rows, `make monitor` tests each feature by its kind (chi-square for the
    categorical and boolean ones), compares the predictions, and draws a plot per column."""
    logged = Path(project, "predictions").rglob("*.jsonl*")
    assert sum(path.read_bytes().count(b"\n") for path in logged) > 100
    run([*make, "monitor"], project)
    drift_dir = Path(project, "reports", "drift")
    verdict = json.loads((drift_dir / "drift.json").read_text(encoding="utf-8"))
    tests = {feature["feature"]: feature["test"] for feature in verdict["features"]}
    assert tests["district"] == tests["energy_label"] == tests["has_garden"] == "chi2", tests
    assert tests["size_m2"] == "ks" and verdict["prediction"] is not None
    report = (drift_dir / "drift_report.html").read_text(encoding="utf-8")
    assert len(re.findall("data:image/png;base64,", report)) == len(tests) + 1


def test_classification_csv_is_served_monitored_and_guarded_when_the_data_changes(
    installed, tmp_path
):
    """Level 4: classes with text, a boolean and gaps train and are promoted; the API answers a
    row with an empty cell and an unseen category, refuses a missing required feature, and
    `make monitor` covers the categorical features. Then the config is pointed at a regression
    file under the same registered model: the promotion gate refuses in one message, and
    REPLACE_CHAMPION=yes crowns the new model."""
    venv = installed.venv(MONITORING_LEVEL)
    project = installed.variant(tmp_path / "houses", MONITORING_LEVEL, {})
    table = own_data.houses()
    data = own_data.write_csv(own_data.as_classes(table), project / HOUSES)
    own_data.point_config_at(project, data, own_data.EXPENSIVE)
    make = ["make", f"VENV={venv}"]
    run_data_tests(project, venv)
    run([*make, "train"], project)
    assert "roc_auc" in metrics_of(project)
    assert "there was no champion yet" in run([*make, "promote"], project)

    answers = serve_houses(project, venv, tmp_path, own_data.as_classes(table))
    unseen = answers["unseen"]
    assert unseen.status == 200 and unseen.body["prediction"] in ("yes", "no"), unseen
    assert set(unseen.body["probabilities"]) == {"yes", "no"}
    required = answers["required"]
    assert required.status == 422, required
    assert required.body["detail"][0]["loc"] == ["body", own_data.REQUIRED_FEATURE]
    assert len(answers["batch"].body["predictions"]) == SERVED_ROWS
    assert answers["model"].body["models"][0]["task"] == "classification"

    check_monitor(project, make)

    own_data.write_csv(table, project / HOUSES)
    own_data.point_config_at(project, data, own_data.PRICE)
    run([*make, "train"], project)
    refusal = failing([*make, "promote"], project)
    assert "is a classification model, the challenger a regression one" in refusal, refusal
    assert "REPLACE_CHAMPION=yes" in refusal
    replaced = run([*make, "promote", "REPLACE_CHAMPION=yes"], project)
    assert "promoted version 2 without a comparison" in replaced, replaced


def test_an_invalid_config_or_file_gets_one_line_and_writes_nothing(installed, tmp_path):
    """Level 2: a parameter out of range, an estimator of the wrong task and text in a column
    declared numeric each end `make train` with a message naming the problem, no traceback,
    and no model, metrics or MLflow run written."""
    venv = installed.venv(TRAINING_LEVEL)
    project = installed.variant(tmp_path / "bad", TRAINING_LEVEL, {})
    data = own_data.write_csv(own_data.houses(), project / HOUSES)
    config = own_data.point_config_at(project, data, own_data.PRICE)
    config_path = project / "configs" / "train.yaml"
    mistakes = {
        "model.params: The 'n_estimators' parameter": {"model": {"params": {"n_estimators": -3}}},
        "model.estimator 'logistic_regression' has no regression model": {
            "model": {"estimator": "logistic_regression", "params": {}}
        },
        "feature 'district' is declared numeric but holds text on lines": {
            "data": {"features": {"district": "numeric", "rooms": "numeric"}}
        },
    }
    for message, change in mistakes.items():
        broken = {**config, **{key: {**config[key], **value} for key, value in change.items()}}
        config_path.write_text(yaml.safe_dump(broken, sort_keys=False), encoding="utf-8")
        output = failing(["make", f"VENV={venv}", "train"], project)
        assert message in output, output
    assert not Path(project, "models").exists() and not Path(project, "mlflow.db").exists()
