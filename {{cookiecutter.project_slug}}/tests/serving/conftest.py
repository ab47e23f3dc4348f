"""Fixtures of the API tests: small models, in memory or in a registry of the tests' own.

Most tests serve models straight from memory (``create_app`` takes the loader as an argument),
which keeps them fast and lets each test choose what is loaded. The registry tests share one
SQLite MLflow store per module, with a few small logistic regressions registered once; each
test points the aliases where it needs them.
"""

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import mlflow
import mlflow.sklearn
import pandas as pd
import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from mlflow import MlflowClient
from mlflow.models import infer_signature
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

{%- if cookiecutter.__monitoring == 'yes' %}
from {{ cookiecutter.package_name }}.monitoring.service import Monitoring
from {{ cookiecutter.package_name }}.monitoring.settings import MonitorSettings
{%- endif %}
from {{ cookiecutter.package_name }}.serving.app import create_app
from {{ cookiecutter.package_name }}.serving.registry import ServedModel
from {{ cookiecutter.package_name }}.serving.routing import CHALLENGER, CHAMPION
from {{ cookiecutter.package_name }}.serving.settings import ServeSettings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRAINING_CONFIG = PROJECT_ROOT / "configs" / "train.yaml"
MODEL_NAME = "served-model"


def configured_features() -> tuple[str, ...]:
    """The features of the shipped training config, which the API's schema is made from."""
    settings = yaml.safe_load(TRAINING_CONFIG.read_text(encoding="utf-8"))
    return tuple(settings["data"]["features"])


@pytest.fixture(name="training_config", scope="session")
def fixture_training_config() -> Path:
    """The shipped training config, which the serving config points at."""
    return TRAINING_CONFIG


@pytest.fixture(name="features", scope="session")
def fixture_features() -> tuple[str, ...]:
    """The configured features."""
    return configured_features()


@pytest.fixture(name="wine_rows", scope="session")
def fixture_wine_rows(wine, features) -> pd.DataFrame:
    """The wine features, in the configured order."""
    return wine[list(features)]


@pytest.fixture(name="classifier", scope="session")
def fixture_classifier(wine, wine_rows):
    """A small fitted model of the wine classes (the pipeline's models take longer to fit)."""
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    return model.fit(wine_rows, wine["target"])


@pytest.fixture(name="constant", scope="session")
def fixture_constant(wine, wine_rows):
    """A model that always answers the most frequent class: easy to tell from the classifier."""
    return DummyClassifier(strategy="most_frequent").fit(wine_rows, wine["target"])


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
def fixture_served_model(features):
    """Make a model in memory, as the registry loader would return it."""

    def make(variant: str, version: str, estimator) -> ServedModel:
        return ServedModel(
            variant, MODEL_NAME, version, f"run-{version}", "0" * 64, estimator, features
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


@pytest.fixture(name="make_app")
def fixture_make_app(settings, monitor_settings):
    """Build an app serving what ``load_models`` returns, with changed serving settings."""

    def make(load_models, **changes) -> FastAPI:
        monitoring = still_monitoring(monitor_settings, load_models)
        return create_app(dataclasses.replace(settings, **changes), load_models, monitoring)

    return make
{%- else %}


@pytest.fixture(name="make_app")
def fixture_make_app(settings):
    """Build an app serving what ``load_models`` returns, with changed serving settings."""

    def make(load_models, **changes) -> FastAPI:
        return create_app(dataclasses.replace(settings, **changes), load_models)

    return make
{%- endif %}


@pytest.fixture(name="make_client")
def fixture_make_client(make_app, served_model):
    """Start an app serving the given models (by variant) with a test client; stop it after."""
    clients = []

    def make(versions: dict, **changes) -> TestClient:
        models = {
            variant: served_model(variant, version, estimator)
            for variant, (version, estimator) in versions.items()
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
def fixture_row(wine_rows) -> dict[str, float]:
    """One wine as the JSON object /predict takes."""
    return wine_rows.iloc[0].to_dict()


@dataclass(frozen=True)
class Registry:
    """A store with versions of ``MODEL_NAME``: 1 and 2 the classifier, 3 the constant model."""

    uri: str
    client: MlflowClient

    def point(self, **aliases: str | None) -> None:
        """Point each alias at a version, or remove it (None)."""
        for alias, version in aliases.items():
            if version is None:
                self.client.delete_registered_model_alias(MODEL_NAME, alias)
            else:
                self.client.set_registered_model_alias(MODEL_NAME, alias, version)


def register(model, rows: pd.DataFrame, name: str = MODEL_NAME) -> None:
    """Log ``model`` in a run tagged with a data hash, as a new version of ``name``."""
    # Named explicitly: MLflow remembers the active experiment of earlier tests' stores.
    experiment = mlflow.set_experiment("serving-tests")
    with mlflow.start_run(experiment_id=experiment.experiment_id):
        mlflow.set_tag("lineage.data_sha256", "a" * 64)
        mlflow.sklearn.log_model(
            model,
            name="model",
            signature=infer_signature(rows, model.predict(rows)),
            pip_requirements=["scikit-learn"],
            registered_model_name=name,
        )


@pytest.fixture(name="registry", scope="module")
def fixture_registry(tmp_path_factory, classifier, constant, wine_rows) -> Iterator[Registry]:
    """A registry of this module's own, with three versions and no alias yet."""
    folder = tmp_path_factory.mktemp("registry")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        patch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        mlflow.set_tracking_uri(uri)
        for model in (classifier, classifier, constant):
            register(model, wine_rows)
        narrow = wine_rows[list(wine_rows.columns[:3])]
        register(DummyClassifier().fit(narrow, constant.predict(narrow)), narrow, "narrow-model")
        yield Registry(uri, MlflowClient(uri))
