"""Tests of loading from the MLflow registry: by alias, with lineage and data schema, and
refusing a champion the configured features cannot feed.

The module shares one SQLite store, where the tests' models are logged once as ``make train``
logs them (their data schema in their metadata); each test points the aliases where it needs.
"""

import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient
from mlflow import MlflowClient

{%- if cookiecutter.__monitoring == 'yes' %}
from {{ cookiecutter.package_name }}.monitoring.settings import MONITOR_CONFIG_VARIABLE
{%- endif %}
from {{ cookiecutter.package_name }}.pipeline.errors import ConfigError
from {{ cookiecutter.package_name }}.pipeline.tracking import log_training_run
from {{ cookiecutter.package_name }}.serving.app import CONFIG_VARIABLE, app_from_environment
from {{ cookiecutter.package_name }}.serving.registry import load_registry_models, rows_frame
from {{ cookiecutter.package_name }}.serving.routing import CHALLENGER, CHAMPION

# Every test reads the module's store.
pytestmark = pytest.mark.usefixtures("registry_env")


@dataclass(frozen=True)
class Registry:
    """A store whose model has versions 1 and 2 (the classifier), 3 (the constant model) and
    4 (the classifier of fewer features)."""

    uri: str
    client: MlflowClient
    name: str

    def point(self, **aliases: str | None) -> None:
        """Point each alias at a version, or remove it (None)."""
        for alias, version in aliases.items():
            if version is None:
                self.client.delete_registered_model_alias(self.name, alias)
            else:
                self.client.set_registered_model_alias(self.name, alias, version)


@pytest.fixture(name="registry", scope="module")
def fixture_registry(store_in, tmp_path_factory, classifier, constant, narrow) -> Iterator:
    """A registry of this module's own, its versions logged as training logs them."""
    folder = tmp_path_factory.mktemp("registry")
    uri = store_in(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        patch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        for trained in (classifier, classifier, constant, narrow):
            log_training_run(trained)
        yield Registry(uri, MlflowClient(uri), classifier.config.tracking.registered_model)


@pytest.fixture(name="registry_env")
def fixture_registry_env(registry, monkeypatch) -> None:
    """Each test reads the module's store (and its aliases), from a folder of its own."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", registry.uri)
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")


def test_rows_become_the_frame_the_model_was_trained_on(classifier):
    """Numbers as floats, an absent one as NaN; categories and booleans as they came."""
    rows = [[50.0, None, "red", True], [51, 3.5, None, None]]
    frame = rows_frame(rows, classifier.schema)
    assert list(frame.columns) == ["size", "weight (kg)", "colour", "member"]
    assert frame["weight (kg)"].dtype == "float64" and frame["size"].dtype == "float64"
    assert frame["weight (kg)"].isna().tolist() == [True, False]
    assert frame["colour"][0] == "red" and frame["colour"].isna().tolist() == [False, True]
    assert frame["member"].tolist() == [True, None]


def test_nothing_is_loaded_without_a_champion(registry, settings):
    """Versions without the champion alias are not served: the app stays unready."""
    registry.point(champion=None, challenger="3")
    assert not load_registry_models(settings)


def test_champion_and_challenger_load_with_their_lineage_and_schema(
    registry, settings, classifier, row
):
    """Each alias loads its version, with the run, the data hash and the data schema logged."""
    registry.point(champion="1", challenger="3")
    models = load_registry_models(settings)
    assert {variant: model.version for variant, model in models.items()} == {
        CHAMPION: "1",
        CHALLENGER: "3",
    }
    champion = models[CHAMPION]
    assert champion.schema == classifier.schema
    described = champion.describe()
    assert described["data_sha256"] == classifier.lineage["data_sha256"]
    run = registry.client.get_model_version(settings.registered_model, "1").run_id
    assert described["run_id"] == run
    rows = [list(row.values()), [row["size"], None, "ultraviolet", None]]
    frame = pd.DataFrame(rows, columns=list(classifier.schema.names))
    assert champion.predict_rows(rows) == classifier.model.predict(frame).tolist()
    assert len(set(models[CHALLENGER].predict_rows(rows))) == 1


def test_a_challenger_that_is_the_champion_is_no_challenger(registry, settings):
    """Right after a promotion both aliases name one version: the champion serves alone."""
    registry.point(champion="2", challenger="2")
    assert set(load_registry_models(settings)) == {CHAMPION}


def test_a_champion_of_other_features_than_the_config_is_refused(registry, settings):
    """The training config declares four features; the champion takes two: not served."""
    registry.point(champion="4", challenger=None)
    trained = "version 4 of served-model was trained on the features size, colour, but"
    with pytest.raises(ConfigError, match=f"{trained} data.features of the training config lists"):
        load_registry_models(settings)


def test_an_app_with_a_refused_champion_stays_up_unready_and_says_why(
    registry, settings, make_app, row
):
    """The server does not crash on a champion it must refuse: /ready and /predict answer 503
    with the reason, which names the features, so a probe and a person both see it."""
    registry.point(champion="4", challenger=None)
    with TestClient(make_app(lambda: load_registry_models(settings))) as client:
        ready = client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["status"].startswith("cannot serve the champion: version 4 of")
        refused = client.post("/predict", json=row)
        assert refused.status_code == 503 and "trained on the features" in refused.json()["detail"]


def test_without_declared_features_any_champion_is_served(registry, settings):
    """A config that leaves features to be inferred serves whatever the champion takes."""
    registry.point(champion="4", challenger=None)
    models = load_registry_models(dataclasses.replace(settings, features=None))
    assert models[CHAMPION].schema.names == ("size", "colour")


def test_a_challenger_of_other_features_is_left_out(registry, settings, make_app, row, caplog):
    """The champion is served; a challenger that could not answer its requests is not, and
    does not keep the champion from serving."""
    registry.point(champion="1", challenger="4")
    app = make_app(lambda: load_registry_models(settings), challenger_share=1.0)
    with caplog.at_level(logging.ERROR), TestClient(app) as client:
        assert [model["version"] for model in client.get("/model").json()["models"]] == ["1"]
        assert client.post("/predict", json=row).json()["variant"] == CHAMPION
    assert "not serving challenger version 4" in caplog.text


@pytest.fixture(name="served_app")
def fixture_served_app(registry, settings_of, tmp_path, monkeypatch{% if cookiecutter.__monitoring == 'yes' %}, monitor_config_file{% endif %}):
    """Make ``serve``'s app, from configs in tmp_path that serve the module's registered model."""
    training = settings_of(tmp_path / "data.csv", tmp_path, "classification")
    training["tracking"]["registered_model"] = registry.name
    training_config = tmp_path / "serve-train.yaml"
    training_config.write_text(yaml.safe_dump(training, sort_keys=False), encoding="utf-8")
    serve = {
        "training_config": str(training_config),
        "challenger_share": 0.5,
        "max_batch_rows": 10,
        "max_abs_value": 1e6,
        "micro_batch_rows": 16,
        "max_concurrent_requests": 32,
    }
    (tmp_path / "serve.yaml").write_text(yaml.safe_dump(serve), encoding="utf-8")
    monkeypatch.setenv(CONFIG_VARIABLE, str(tmp_path / "serve.yaml"))
{%- if cookiecutter.__monitoring == 'yes' %}
    monkeypatch.setenv(MONITOR_CONFIG_VARIABLE, str(monitor_config_file))
{%- endif %}
    return app_from_environment


def test_the_served_app_reads_its_configs_and_the_registry(registry, served_app, row):
    """``serve``'s app: the serving config names the training config, which names the model."""
    registry.point(champion="1", challenger="3")
    with TestClient(served_app()) as client:
        assert client.get("/ready").json() == {"status": "ready", "model_version": "1"}
        answer = client.post("/predict", json=row).json()
        assert answer["model_version"] == {CHAMPION: "1", CHALLENGER: "3"}[answer["variant"]]
{%- if cookiecutter.__monitoring == 'yes' %}


def test_the_served_app_follows_the_aliases_when_asked(registry, served_app, row, monkeypatch):
    """A promotion reaches the running app through POST /admin/reload, with no restart."""
    registry.point(champion="1", challenger=None)
    monkeypatch.setenv("ADMIN_TOKEN", "secret")
    with TestClient(served_app()) as client:
        assert client.post("/predict", json=row).json()["model_version"] == "1"
        registry.point(champion="3")
        assert client.post("/predict", json=row).json()["model_version"] == "1"
        reload = client.post("/admin/reload", headers={"Authorization": "Bearer secret"})
        assert reload.json() == {"served": {CHAMPION: "3"}}
        assert client.post("/predict", json=row).json()["model_version"] == "3"
{%- endif %}
