"""Tests of MLflow tracking: what a run records, the registry alias, and where runs go."""

import dataclasses

import mlflow
import mlflow.sklearn
import pytest
from mlflow import MlflowClient

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.pipeline.config import ModelConfig
from {{ cookiecutter.package_name }}.pipeline.run import run_training
from {{ cookiecutter.package_name }}.pipeline.tracking import (
    CHALLENGER_ALIAS,
    DEFAULT_TRACKING_URI,
    flatten,
    log_training_run,
    tracking_uri,
)
from {{ cookiecutter.package_name }}.pipeline.models import MODEL_KINDS


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
    settings = {"seed": 1, "data": {"features": ["a", "b"]}, "model": {"params": {"depth": 3}}}
    assert flatten(settings) == {"seed": "1", "data.features": "a,b", "model.params.depth": "3"}


def test_a_run_records_params_metrics_lineage_plots_and_model(config):
    """Everything needed to compare, trace and reload the model is in the run."""
    result = run_training(config)
    tracked = log_training_run(result)
    client = MlflowClient(tracked.tracking_uri)
    run = client.get_run(tracked.run_id)
    assert run.data.metrics == pytest.approx(result.evaluation.metrics)
    assert run.data.params["model.type"] == "random_forest"
    assert run.data.params["seed"] == str(config.seed)
    for key, value in result.lineage.items():
        assert run.data.tags[f"lineage.{key}"] == value
    figures = {item.path for item in client.list_artifacts(tracked.run_id, "figures")}
    assert figures == {"figures/confusion_matrix.png", "figures/feature_importance.png"}
    version = client.get_model_version_by_alias(tracked.model_name, CHALLENGER_ALIAS)
    assert (str(version.version), version.run_id) == (tracked.model_version, tracked.run_id)


def test_each_run_adds_a_version_and_moves_the_challenger(config):
    """The alias always points at the latest run's model."""
    first = log_training_run(run_training(config))
    second = log_training_run(run_training(config))
    assert (first.model_version, second.model_version) == ("1", "2")
    client = MlflowClient(second.tracking_uri)
    challenger = client.get_model_version_by_alias(second.model_name, CHALLENGER_ALIAS)
    assert str(challenger.version) == "2"


@pytest.mark.parametrize("kind", sorted(MODEL_KINDS))
def test_the_challenger_loads_back_and_predicts_like_the_trained_model(config, kind):
    """Every model kind survives the round trip through the registry (skops, trusted types)."""
    config = dataclasses.replace(config, model=ModelConfig(kind=kind, params={}))
    result = run_training(config)
    tracked = log_training_run(result)
    loaded = mlflow.sklearn.load_model(f"models:/{tracked.model_name}@{CHALLENGER_ALIAS}")
    features = result.split.test_features
    assert list(loaded.predict(features)) == list(result.model.predict(features))


def test_train_command_reports_the_run_and_the_challenger(config_file, capsys):
    """The command says where the run went and which version is the challenger."""
    assert main(["train", "--config", str(config_file)]) == 0
    output = capsys.readouterr().out
    assert "MLflow: run " in output
    assert "version 1 as @challenger" in output
