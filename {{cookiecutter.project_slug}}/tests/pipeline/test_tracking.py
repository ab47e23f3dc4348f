"""Tests of MLflow tracking: what a run records, the registry alias, the model's data schema."""

import mlflow
import mlflow.sklearn
import pandas as pd
import pytest
from mlflow import MlflowClient
from mlflow.models import get_model_info, infer_signature
from sklearn.linear_model import LogisticRegression

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.pipeline.run import run_training
from {{ cookiecutter.package_name }}.pipeline.schema import DataSchema, Feature, Kind, Task
from {{ cookiecutter.package_name }}.pipeline.tracking import (
    CHALLENGER_ALIAS,
    DEFAULT_TRACKING_URI,
    SCHEMA_METADATA,
    flatten,
    load_registered_model,
    log_training_run,
    registered_schema,
    tracking_uri,
)


def test_tracking_uri_is_the_environment_variable_or_sqlite(monkeypatch):
    """MLFLOW_TRACKING_URI is the one switch; unset or empty, runs go to mlflow.db."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow.example.com:5000")
    assert tracking_uri() == "http://mlflow.example.com:5000"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "")
    assert tracking_uri() == DEFAULT_TRACKING_URI == "sqlite:///mlflow.db"
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    assert tracking_uri() == DEFAULT_TRACKING_URI


def test_settings_become_flat_params():
    """Nested settings are dotted names; lists are joined."""
    settings = {"seed": 1, "data": {"forbid_missing": ["a", "b"]}, "model": {"params": {"d": 3}}}
    assert flatten(settings) == {"seed": "1", "data.forbid_missing": "a,b", "model.params.d": "3"}


def test_column_names_become_param_names_mlflow_accepts():
    """A column may be named as MLflow names may not be: those characters become underscores."""
    settings = {"data": {"features": {"weight (kg)": "numeric", "od/280:x-y.z": "numeric"}}}
    assert flatten(settings) == {
        "data.features.weight _kg_": "numeric",
        "data.features.od/280:x-y.z": "numeric",
    }


def test_a_run_records_params_metrics_lineage_plots_and_model(config):
    """Everything needed to compare, trace and reload the model is in the run."""
    result = run_training(config)
    tracked = log_training_run(result)
    client = MlflowClient(tracked.tracking_uri)
    run = client.get_run(tracked.run_id)
    assert run.data.metrics == pytest.approx(result.evaluation.metrics)
    assert run.data.params["model.estimator"] == "random_forest"
    assert run.data.params["seed"] == str(config.seed)
    assert run.data.params["data.features.colour"] == "categorical"
    for key, value in result.lineage.items():
        assert run.data.tags[f"lineage.{key}"] == value
    figures = {item.path for item in client.list_artifacts(tracked.run_id, "figures")}
    assert figures == {f"figures/{path.name}" for path in result.evaluation.figures}
    version = client.get_model_version_by_alias(tracked.model_name, CHALLENGER_ALIAS)
    assert (str(version.version), version.run_id) == (tracked.model_version, tracked.run_id)


def test_each_run_adds_a_version_and_moves_the_challenger(settings, fit):
    """The alias always points at the latest run's model."""
    result = fit(settings)
    first, second = log_training_run(result), log_training_run(result)
    assert (first.model_version, second.model_version) == ("1", "2")
    client = MlflowClient(second.tracking_uri)
    challenger = client.get_model_version_by_alias(second.model_name, CHALLENGER_ALIAS)
    assert str(challenger.version) == "2"


@pytest.mark.filterwarnings("ignore:Found unknown categories")
@pytest.mark.parametrize(
    ("task", "estimator"),
    [
        ("classification", "logistic_regression"),
        ("classification", "hist_gradient_boosting"),
        ("regression", "knn"),
        ("regression", "extra_trees"),
    ],
)
def test_the_challenger_loads_back_with_its_data_schema(make_settings, fit, task, estimator):
    """A model survives the round trip through the registry (skops, trusted types), takes raw
    rows there as it did here, and carries the data schema it was trained with."""
    settings = make_settings(task)
    settings["model"] = {"estimator": estimator, "params": {}}
    result = fit(settings)
    tracked = log_training_run(result)
    client = MlflowClient(tracked.tracking_uri)
    challenger = client.get_model_version_by_alias(tracked.model_name, CHALLENGER_ALIAS)
    loaded = load_registered_model(tracked.model_name, challenger.version)
    features = result.split.test_features
    assert list(loaded.predict(features)) == list(result.model.predict(features))
    unseen = features.head(2).assign(colour="ultraviolet")
    assert list(loaded.predict(unseen)) == list(result.model.predict(unseen))
    schema = registered_schema(tracked.model_name, tracked.model_version)
    assert schema == result.schema and schema.task == task


def test_the_schema_is_the_models_metadata(settings, fit):
    """The API and the promotion gate read the schema from the model's own metadata."""
    tracked = log_training_run(fit(settings))
    info = get_model_info(f"models:/{tracked.model_name}/{tracked.model_version}")
    document = info.metadata[SCHEMA_METADATA]
    assert document["target"] == "outcome"
    assert [feature["kind"] for feature in document["features"]] == [
        "numeric",
        "numeric",
        "categorical",
        "boolean",
    ]
    assert document["classes"] == ["no", "yes"]


def test_a_model_logged_without_a_schema_reads_as_numeric_classification(mlflow_store):
    """Models of earlier template versions have no schema: their signature's columns, numbers
    that may not be missing, for a classifier, so they keep being served and compared."""
    rows = pd.DataFrame({"alcohol": [13.0, 12.0, 14.0, 11.0], "hue": [1.0, 0.9, 1.1, 0.8]})
    model = LogisticRegression().fit(rows, [0, 1, 0, 1])
    mlflow.set_tracking_uri(mlflow_store)
    # Named explicitly: MLflow remembers the active experiment of earlier tests' stores.
    experiment = mlflow.set_experiment("older-template")
    with mlflow.start_run(experiment_id=experiment.experiment_id):
        mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(rows, model.predict(rows)),
            pip_requirements=["scikit-learn"],
            registered_model_name="older-model",
        )
    assert registered_schema("older-model", "1") == DataSchema(
        task=Task.CLASSIFICATION,
        target="",
        features=(
            Feature("alcohol", Kind.NUMERIC, allow_missing=False),
            Feature("hue", Kind.NUMERIC, allow_missing=False),
        ),
    )


def test_train_command_reports_the_run_and_the_challenger(config_file, capsys):
    """The command says where the run went and which version is the challenger."""
    assert main(["train", "--config", str(config_file)]) == 0
    output = capsys.readouterr().out
    assert "MLflow: run " in output
    assert "version 1 as @challenger" in output
