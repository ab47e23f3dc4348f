"""Record every training run in MLflow: settings, metrics, plots, lineage and the model.

One environment variable says where runs go, ``MLFLOW_TRACKING_URI``. Unset, they go to
``mlflow.db`` (SQLite) in the project folder, with artifacts in ``mlruns/``: no server needed.
Set to a tracking server (``http://...``) or a database (``postgresql://...``), they go there,
so a team shares one history. Each run's model becomes a new version of the registered model
and takes the alias ``challenger``, the candidate that a promotion compares with the champion.
"""

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import mlflow
import mlflow.artifacts
import mlflow.sklearn
import skops.io
from mlflow import MlflowClient
from mlflow.models import Model, infer_signature
from mlflow.models.model import MLMODEL_FILE_NAME, ModelInfo
from sklearn.pipeline import Pipeline

from .errors import PipelineError
from .run import TrainingResult
from .schema import DataSchema, Feature, Kind, Task

SQLITE_PREFIX = "sqlite:///"
DEFAULT_TRACKING_URI = f"{SQLITE_PREFIX}mlflow.db"
CHALLENGER_ALIAS = "challenger"
# The key of the model metadata that holds its data schema (:class:`.schema.DataSchema`).
SCHEMA_METADATA = "data_schema"
# What loading the model needs, pinned to the versions that trained it. Listing them saves
# MLflow from inferring them in a subprocess, which takes several seconds per run.
MODEL_REQUIREMENTS = ("mlflow", "scikit-learn", "skops", "pandas", "numpy")
# The prefix of the temporary folders a registered model is downloaded into, deleted once read.
DOWNLOAD_PREFIX = "mlflow-model-"
# Characters MLflow refuses in a param name, which a column name may hold (``weight (kg)``).
NOT_IN_PARAM_NAMES = re.compile(r"[^/\w.\- :]")


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
        name = NOT_IN_PARAM_NAMES.sub("_", f"{prefix}{key}")
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


def trusted_types(model: Any) -> list[str]:
    """The types a safe loader must trust to read ``model`` back: exactly those it is made of.

    Models are saved with skops, which refuses to load a type it was not told to trust, so a
    file from elsewhere cannot run code. This project trained the model, so the types found in
    it (the estimator's, scikit-learn's internals, this package's text conversion) are trusted.
    """
    types: list[str] = skops.io.get_untrusted_types(data=skops.io.dumps(model))
    return types


def log_model(result: TrainingResult) -> ModelInfo:
    """Log the fitted model with its input signature and data schema, as a new version.

    The data schema (task, features and their kinds, categories, classes) is the model's
    metadata: the API builds its request schema from it, and the promotion gate compares it.
    """
    # Numbers as floats: an integer column of the signature could not hold a missing value.
    numeric = result.schema.of_kind(Kind.NUMERIC)
    features = result.split.train_features.head(100).astype(dict.fromkeys(numeric, "float64"))
    info: ModelInfo = mlflow.sklearn.log_model(
        result.model,
        name="model",
        signature=infer_signature(features, result.model.predict(features)),
        input_example=features.head(3),
        pip_requirements=pip_requirements(),
        registered_model_name=result.config.tracking.registered_model,
        skops_trusted_types=trusted_types(result.model),
        metadata={SCHEMA_METADATA: result.schema.as_dict()},
    )
    return info


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


def version_run_id(client: MlflowClient, name: str, number: str) -> str:
    """The run that logged version ``number`` of ``name``: its metrics, data hash and lineage.

    Every version `make train` registers has one; a version registered by hand from a file may
    not, and then there is nothing to compare or serve it by.
    """
    run_id = client.get_model_version(name, number).run_id
    if run_id is None:
        raise PipelineError(f"version {number} of {name!r} was registered without a run")
    return run_id


def signature_schema(model_info: ModelInfo) -> DataSchema:
    """The schema of a model logged before schemas were: its signature's columns, all numeric.

    Those models were classifiers of numeric features without imputation, which is what this
    reads back, so a project that took the template's update keeps serving and comparing them.
    """
    names = model_info.signature.inputs.input_names() if model_info.signature else []
    features = tuple(Feature(str(name), Kind.NUMERIC, allow_missing=False) for name in names)
    return DataSchema(task=Task.CLASSIFICATION, target="", features=features)


def load_registered_model(name: str, number: str) -> Pipeline:
    """A registered version's model, loaded into memory.

    From a tracking server MLflow downloads a model into a new temporary folder that it never
    deletes: an API that reloads models, or a drift check run every hour, would fill the disk
    (a container's, or a pod's ephemeral storage). Here the folder goes once the model is loaded.
    """
    with tempfile.TemporaryDirectory(prefix=DOWNLOAD_PREFIX) as folder:
        return mlflow.sklearn.load_model(f"models:/{name}/{number}", dst_path=folder)


def registered_model_info(name: str, number: str) -> ModelInfo:
    """A registered version's metadata (its MLmodel file), read without leaving a copy behind
    (see :func:`load_registered_model`)."""
    with tempfile.TemporaryDirectory(prefix=DOWNLOAD_PREFIX) as folder:
        path = mlflow.artifacts.download_artifacts(
            f"models:/{name}/{number}/{MLMODEL_FILE_NAME}", dst_path=folder
        )
        return Model.load(path).get_model_info()


def registered_schema(name: str, number: str) -> DataSchema:
    """The data schema a registered version was trained with, read from its metadata."""
    model_info = registered_model_info(name, number)
    document = (model_info.metadata or {}).get(SCHEMA_METADATA)
    return DataSchema.from_dict(document) if document else signature_schema(model_info)
