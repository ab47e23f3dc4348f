"""Record every training run in MLflow: settings, metrics, plots, lineage and the model.

One environment variable says where runs go, ``MLFLOW_TRACKING_URI``. Unset, they go to
``mlflow.db`` (SQLite) in the project folder, with artifacts in ``mlruns/``: no server needed.
Set to a tracking server (``http://...``) or a database (``postgresql://...``), they go there,
so a team shares one history. Each run's model becomes a new version of the registered model
and takes the alias ``challenger``, the candidate that a promotion compares with the champion.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import mlflow
import mlflow.sklearn
from mlflow import MlflowClient
from mlflow.models import infer_signature
from mlflow.models.model import ModelInfo

from .run import TrainingResult
from .models import MODEL_KINDS

SQLITE_PREFIX = "sqlite:///"
DEFAULT_TRACKING_URI = f"{SQLITE_PREFIX}mlflow.db"
CHALLENGER_ALIAS = "challenger"
# What loading the model needs, pinned to the versions that trained it. Listing them saves
# MLflow from inferring them in a subprocess, which takes several seconds per run.
MODEL_REQUIREMENTS = ("mlflow", "scikit-learn", "skops", "pandas", "numpy")


@dataclass(frozen=True)
class TrackedRun:
    """Where a run was recorded, and the model version it registered."""

    tracking_uri: str
    experiment: str
    run_id: str
    model_name: str
    model_version: str


def tracking_uri() -> str:
    """``MLFLOW_TRACKING_URI`` when it is set and not empty, else the local SQLite store."""
    return os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


def missing_local_store() -> Path | None:
    """The SQLite file the tracking URI names when that file does not exist, else None.

    A store that does not exist holds no model: MLflow would quietly create an empty one (or,
    in a read-only container, retry for minutes), so commands that only read models ask first.
    """
    uri = tracking_uri()
    if not uri.startswith(SQLITE_PREFIX):
        return None
    path = Path(uri.removeprefix(SQLITE_PREFIX))
    return None if path.exists() else path


def pip_requirements() -> list[str]:
    """Exact pins of the packages that load and run the model, as installed right now."""
    return [f"{name}=={version(name)}" for name in MODEL_REQUIREMENTS]


def flatten(settings: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested settings as MLflow params: ``{"model": {"type": x}}`` becomes ``model.type=x``."""
    params = {}
    for key, value in settings.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            params.update(flatten(value, prefix=f"{name}."))
        elif isinstance(value, list):
            params[name] = ",".join(map(str, value))
        else:
            params[name] = str(value)
    return params


def lineage_tags(lineage: Mapping[str, str]) -> dict[str, str]:
    """Lineage as run tags, under one prefix so they sort together in the MLflow UI."""
    return {f"lineage.{key}": value for key, value in lineage.items()}


def log_model(result: TrainingResult) -> ModelInfo:
    """Log the fitted model with its input schema, and register it as a new version."""
    features = result.split.train_features
    return mlflow.sklearn.log_model(
        result.model,
        name="model",
        signature=infer_signature(features, result.model.predict(features)),
        input_example=features.head(3),
        pip_requirements=pip_requirements(),
        registered_model_name=result.config.tracking.registered_model,
        skops_trusted_types=list(MODEL_KINDS[result.config.model.kind].trusted_types),
    )


def log_training_run(result: TrainingResult) -> TrackedRun:
    """Record one training run, register its model and point the challenger alias at it."""
    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    experiment = mlflow.set_experiment(result.config.tracking.experiment)
    with mlflow.start_run(experiment_id=experiment.experiment_id) as run:
        mlflow.set_tags(lineage_tags(result.lineage))
        mlflow.log_params(flatten(result.config.settings))
        mlflow.log_metrics(result.evaluation.metrics)
        for figure in result.evaluation.figures:
            mlflow.log_artifact(str(figure), artifact_path="figures")
        model_info = log_model(result)
    name = result.config.tracking.registered_model
    model_version = str(model_info.registered_model_version)
    MlflowClient(uri).set_registered_model_alias(name, CHALLENGER_ALIAS, model_version)
    return TrackedRun(uri, experiment.name, run.info.run_id, name, model_version)
