"""What the slow tests of serving projects (levels 3 and 4) read from a generated project,
and how they serve it.

The project's configs say where its data is and which model it registers; its MLflow store
says which version each alias names. The serving tests check those the same way, and start
the API the same way: the project's own ``make serve`` on a loopback port.
"""

import contextlib
from pathlib import Path

import loopback
import yaml
from drift_scenario import training_config  # the demo reads the config the same way
from installed_projects import run_json, subprocess_env

# Scores the wine held-out rows' probabilities far better than the shipped random forest
# (log loss about 0.07 against 0.13), though both classify every held-out row right.
BETTER_MODEL = {"estimator": "logistic_regression", "params": {"C": 1.0}}

# Run with the project's own Python: the version each alias of the registered model names.
ALIASES_QUERY = """
import json, sys
from mlflow import MlflowClient

client = MlflowClient(sys.argv[2])
model = client.get_registered_model(sys.argv[1])
print(json.dumps({alias: str(version) for alias, version in model.aliases.items()}))
"""


def aliases(project, venv, uri="sqlite:///mlflow.db"):
    """Alias -> version of the project's registered model in the store at ``uri`` (the
    project's own by default), read through MLflow."""
    name = training_config(project)["tracking"]["registered_model"]
    return run_json([venv / "bin/python", "-c", ALIASES_QUERY, name, uri], project)


def write_better_config(project, name="configs/better.yaml"):
    """configs/train.yaml with BETTER_MODEL, as ``name``: training on it wins the promotion."""
    config = training_config(project)
    config["model"] = BETTER_MODEL
    Path(project, name).write_text(yaml.safe_dump(config), encoding="utf-8")
    return name


@contextlib.contextmanager
def make_serve(project, venv, port, log, env=None):
    """The project's ``make serve`` on loopback ``port``, run on ``venv`` with ``env`` added
    (which also sets the Makefile's ``?=`` variables), until the block ends; yields its base
    URL once /ready answers 200."""
    base = f"http://127.0.0.1:{port}"
    command = ["make", f"VENV={venv}", "serve", f"PORT={port}"]
    with loopback.running(command, project, subprocess_env(env), f"{base}/ready", log):
        yield base
