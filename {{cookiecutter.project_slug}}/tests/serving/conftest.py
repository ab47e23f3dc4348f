"""Fixtures of the API tests: small models of the tests' own data, in memory.

The models are the pipeline's own (preprocessing included), trained once per session on the
tests' data sets: a classifier and a constant classifier of the classification set, a
regressor of the regression set, and a classifier of fewer features. Most tests serve them
straight from memory (``create_app`` takes the loader as an argument), which keeps them fast
and lets each test choose what is loaded; the registry tests log them in a store of their own.
"""

import dataclasses
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.data import write_dataset
{%- if cookiecutter.__monitoring == 'yes' %}
from {{ cookiecutter.package_name }}.monitoring.service import Monitoring
from {{ cookiecutter.package_name }}.monitoring.settings import MonitorSettings
{%- endif %}
from {{ cookiecutter.package_name }}.pipeline.run import TrainingResult
from {{ cookiecutter.package_name }}.serving.app import create_app
from {{ cookiecutter.package_name }}.serving.registry import ServedModel
from {{ cookiecutter.package_name }}.serving.routing import CHALLENGER, CHAMPION
from {{ cookiecutter.package_name }}.serving.settings import ServeSettings

MODEL_NAME = "served-model"


@pytest.fixture(name="train_for_serving", scope="session")
def fixture_train_for_serving(datasets, settings_of, fit, tmp_path_factory):
    """Train a model of a task's data set as the pipeline does, without writing its outputs."""
    folder = tmp_path_factory.mktemp("serving")

    def train(task: str, model: dict[str, Any], features=None) -> TrainingResult:
        settings = settings_of(write_dataset(datasets[task], folder / f"{task}.csv"), folder, task)
        settings["model"] = model
        settings["tracking"]["registered_model"] = MODEL_NAME
        if features is not None:
            settings["data"]["features"] = features
        return fit(settings)

    return train


@pytest.fixture(name="classifier", scope="session")
def fixture_classifier(train_for_serving) -> TrainingResult:
    """A logistic regression of the classification set: yes or no, with probabilities."""
    return train_for_serving("classification", {"estimator": "logistic_regression", "params": {}})


@pytest.fixture(name="constant", scope="session")
def fixture_constant(train_for_serving) -> TrainingResult:
    """A classifier that always answers the most frequent class: easy to tell apart."""
    model = {"estimator": "sklearn.dummy.DummyClassifier", "params": {"strategy": "most_frequent"}}
    return train_for_serving("classification", model)


@pytest.fixture(name="regressor", scope="session")
def fixture_regressor(train_for_serving) -> TrainingResult:
    """A ridge regression of the regression set: numbers for answers."""
    return train_for_serving("regression", {"estimator": "ridge", "params": {}})


@pytest.fixture(name="narrow", scope="session")
def fixture_narrow(train_for_serving) -> TrainingResult:
    """A classifier of two of the features only: a model of other data."""
    model = {"estimator": "logistic_regression", "params": {}}
    return train_for_serving("classification", model, features=["size", "colour"])


@pytest.fixture(name="features", scope="session")
def fixture_features(classifier) -> tuple[str, ...]:
    """The classifier's features, in order: what its training config declares."""
    return classifier.schema.names


@pytest.fixture(name="settings")
def fixture_settings(features) -> ServeSettings:
    """Serving settings with a small batch limit, so the 413 test sends little."""
    return ServeSettings(
        features=features,
        registered_model=MODEL_NAME,
        challenger_share=0.3,
        max_batch_rows=5,
        max_abs_value=1e6,
    )


@pytest.fixture(name="served_model")
def fixture_served_model():
    """Make a served model in memory of a trained one, as the registry loader would return it."""

    def make(variant: str, version: str, trained: TrainingResult) -> ServedModel:
        return ServedModel(
            variant=variant,
            name=MODEL_NAME,
            version=version,
            run_id=f"run-{version}",
            data_sha256=trained.lineage["data_sha256"],
            estimator=trained.model,
            schema=trained.schema,
        )

    return make


{%- if cookiecutter.__monitoring == 'yes' %}


def still_monitoring(settings: MonitorSettings, load_models) -> Monitoring:
    """Monitoring of a registry that never moves: these tests are about the models they serve."""

    def load(variant: str, version: str):
        raise AssertionError(f"no reload expected, got {variant} {version}")

    def resolve() -> dict[str, str]:
        return {variant: model.version for variant, model in load_models().items()}

    return Monitoring(settings, resolve=resolve, load=load)
{%- endif %}


@pytest.fixture(name="make_app")
def fixture_make_app(settings{% if cookiecutter.__monitoring == 'yes' %}, monitor_settings{% endif %}):
    """Build an app serving what ``load_models`` returns, with changed serving settings."""

    def make(load_models, **changes) -> FastAPI:
        extensions = []
{%- if cookiecutter.__monitoring == 'yes' %}
        extensions.append(still_monitoring(monitor_settings, load_models))
{%- endif %}
        return create_app(dataclasses.replace(settings, **changes), load_models, extensions)

    return make


@pytest.fixture(name="make_client")
def fixture_make_client(make_app, served_model):
    """Start an app serving the given models (by variant) with a test client; stop it after."""
    clients = []

    def make(versions: dict, **changes) -> TestClient:
        models = {
            variant: served_model(variant, version, trained)
            for variant, (version, trained) in versions.items()
        }
        client = TestClient(make_app(lambda: models, **changes))
        clients.append(client.__enter__())  # pylint: disable=unnecessary-dunder-call
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture(name="client")
def fixture_client(make_client, classifier, constant) -> TestClient:
    """An app serving the classifier as champion (version 1), the constant one as challenger."""
    return make_client({CHAMPION: ("1", classifier), CHALLENGER: ("2", constant)})


@pytest.fixture(name="row")
def fixture_row() -> dict[str, Any]:
    """One complete row of the classification set's features, as the JSON /predict takes."""
    return {"size": 52.5, "weight (kg)": 18.25, "colour": "green", "member": True}
