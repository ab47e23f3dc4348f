"""Fixtures of the API tests: small models of the tests' own data, in memory.

The models are the pipeline's own (preprocessing included), trained once per session on the
tests' data sets: a classifier and a constant classifier of the classification set, a
regressor of the regression set, and a classifier of fewer features. Most tests serve them
straight from memory (``create_app`` takes the loader as an argument), which keeps them fast
and lets each test choose what is loaded; the registry tests log them in a store of their own.
"""

import contextlib
import dataclasses
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpx2
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
# Longest a held model waits to be released: only reached when a test fails.
HOLD_SECONDS = 5.0


class HeldEstimator:
    """A trained model whose predictions wait until the test releases them: a batch that is
    being scored for as long as the test needs, to see what the server does meanwhile."""

    def __init__(self, estimator: Any):
        self.estimator = estimator
        self.scoring = threading.Event()
        self.released = threading.Event()
        self.finished = threading.Event()

    def predict(self, frame):
        """Say scoring started, wait for the release, then predict."""
        self.scoring.set()
        self.released.wait(HOLD_SECONDS)
        self.finished.set()
        return self.estimator.predict(frame)

    def wait_until_scoring(self) -> None:
        """Block until a prediction is under way (call it from a thread, not the event loop)."""
        assert self.scoring.wait(HOLD_SECONDS), "no prediction started"


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


@pytest.fixture(name="start_client")
def fixture_start_client():
    """Start a test client of an app (its startup runs, so its models load), as if from the
    ``peer`` address; stop every client the test started after it."""
    clients = []

    def start(app, peer: tuple[str, int] = ("testclient", 50000)) -> TestClient:
        client = TestClient(app, client=peer)
        clients.append(client.__enter__())  # pylint: disable=unnecessary-dunder-call
        return client

    yield start
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture(name="make_client")
def fixture_make_client(make_app, served_model, start_client):
    """Start an app serving the given models (by variant) with a test client; stop it after."""

    def make(versions: dict, **changes) -> TestClient:
        models = {
            variant: served_model(variant, version, trained)
            for variant, (version, trained) in versions.items()
        }
        return start_client(make_app(lambda: models, **changes))

    return make


@pytest.fixture(name="held_app")
def fixture_held_app(make_app, served_model, classifier):
    """An app whose champion (the classifier, version 1) holds every prediction until released,
    with changed serving settings; and the held model."""

    def make(**changes) -> tuple[FastAPI, HeldEstimator]:
        champion = served_model(CHAMPION, "1", classifier)
        champion.estimator = held = HeldEstimator(classifier.model)
        return make_app(lambda: {CHAMPION: champion}, **changes), held

    return make


@contextlib.asynccontextmanager
async def running_app(app: FastAPI, peer: tuple[str, int] = ("127.0.0.1", 50000)) -> AsyncIterator:
    """Start ``app`` in the running event loop (its startup and shutdown included) and yield an
    async HTTP client of it. Request bodies stream to the app chunk by chunk, as from a socket;
    ``peer`` is the client's address."""
    transport = httpx2.ASGITransport(app=app, client=peer)
    async with app.router.lifespan_context(app):
        async with httpx2.AsyncClient(transport=transport, base_url="http://api") as http:
            yield http


@pytest.fixture(name="running")
def fixture_running():
    """Run an app in the test's own event loop (:func:`running_app`), for tests that need
    requests in flight together: the test client answers one request at a time."""
    return running_app


@pytest.fixture(name="client")
def fixture_client(make_client, classifier, constant) -> TestClient:
    """An app serving the classifier as champion (version 1), the constant one as challenger."""
    return make_client({CHAMPION: ("1", classifier), CHALLENGER: ("2", constant)})


@pytest.fixture(name="row")
def fixture_row() -> dict[str, Any]:
    """One complete row of the classification set's features, as the JSON /predict takes."""
    return {"size": 52.5, "weight (kg)": 18.25, "colour": "green", "member": True}
