"""Tests of loading from the MLflow registry: by alias, with lineage, and refusing mismatches."""

import dataclasses
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.pipeline.errors import ConfigError
{%- if cookiecutter.__monitoring == 'yes' %}
from {{ cookiecutter.package_name }}.serving.app import (
    CONFIG_VARIABLE,
    MONITOR_CONFIG_VARIABLE,
    app_from_environment,
)
{%- else %}
from {{ cookiecutter.package_name }}.serving.app import CONFIG_VARIABLE, app_from_environment
{%- endif %}
from {{ cookiecutter.package_name }}.serving.registry import load_registry_models
from {{ cookiecutter.package_name }}.serving.routing import CHALLENGER, CHAMPION


def test_nothing_is_loaded_without_a_champion(registry, settings):
    """Versions without the champion alias are not served: the app stays unready."""
    registry.point(champion=None, challenger="3")
    assert not load_registry_models(settings)


def test_champion_and_challenger_load_with_their_lineage(registry, settings, wine_rows):
    """Each alias loads its version, with the run and data hash that trace it back."""
    registry.point(champion="1", challenger="3")
    models = load_registry_models(settings)
    assert {variant: model.version for variant, model in models.items()} == {
        CHAMPION: "1",
        CHALLENGER: "3",
    }
    champion = models[CHAMPION].describe()
    assert champion["data_sha256"] == "a" * 64
    run = registry.client.get_model_version(settings.registered_model, "1").run_id
    assert champion["run_id"] == run
    rows = wine_rows.iloc[:3].values.tolist()
    assert models[CHAMPION].predict_rows(rows) == [0, 0, 0]
    assert len(set(models[CHALLENGER].predict_rows(wine_rows.values.tolist()))) == 1


def test_a_challenger_that_is_the_champion_is_no_challenger(registry, settings):
    """Right after a promotion both aliases name one version: the champion serves alone."""
    registry.point(champion="2", challenger="2")
    assert set(load_registry_models(settings)) == {CHAMPION}


def test_a_model_trained_on_other_features_is_refused(registry, settings):
    """A champion whose input columns differ from the configured features cannot be served."""
    registry.client.set_registered_model_alias("narrow-model", "champion", "1")
    narrow = dataclasses.replace(settings, registered_model="narrow-model")
    with pytest.raises(ConfigError, match="was trained on the features alcohol, malic_acid, ash"):
        load_registry_models(narrow)


def serve_the_test_registry(training_config: Path, folder: Path, monkeypatch) -> None:
    """Point ``serve``'s app at configs in ``folder`` that serve this module's registered model."""
    training = yaml.safe_load(training_config.read_text(encoding="utf-8"))
    training["tracking"]["registered_model"] = "served-model"
    (folder / "train.yaml").write_text(yaml.safe_dump(training), encoding="utf-8")
    serve = yaml.safe_load((training_config.parent / "serve.yaml").read_text(encoding="utf-8"))
    serve["training_config"] = str(folder / "train.yaml")
    (folder / "serve.yaml").write_text(yaml.safe_dump(serve), encoding="utf-8")
    monkeypatch.setenv(CONFIG_VARIABLE, str(folder / "serve.yaml"))
{%- if cookiecutter.__monitoring == 'yes' %}
    monkeypatch.setenv(MONITOR_CONFIG_VARIABLE, str(monitor_config(training_config, folder)))
{%- endif %}


def test_the_served_app_reads_its_configs_and_the_registry(
    registry, training_config, tmp_path, monkeypatch, row
):
    """``serve``'s app: the serving config names the training config, which names the model."""
    registry.point(champion="1", challenger="3")
    serve_the_test_registry(training_config, tmp_path, monkeypatch)
    with TestClient(app_from_environment()) as client:
        assert client.get("/ready").json() == {"status": "ready", "model_version": "1"}
        answer = client.post("/predict", json=row).json()
        assert answer["model_version"] == {CHAMPION: "1", CHALLENGER: "3"}[answer["variant"]]
{%- if cookiecutter.__monitoring == 'yes' %}


def monitor_config(training_config: Path, folder: Path) -> Path:
    """The shipped monitoring config, logging into ``folder``; written there, its path."""
    settings = yaml.safe_load((training_config.parent / "monitor.yaml").read_text(encoding="utf-8"))
    settings["prediction_log"]["directory"] = str(folder / "predictions")
    settings["reload_interval_seconds"] = 0
    path = folder / "monitor.yaml"
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def test_the_served_app_follows_the_aliases_when_asked(
    registry, training_config, tmp_path, monkeypatch, row
):
    """A promotion reaches the running app through POST /admin/reload, with no restart."""
    registry.point(champion="1", challenger=None)
    serve_the_test_registry(training_config, tmp_path, monkeypatch)
    monkeypatch.setenv("ADMIN_TOKEN", "secret")
    with TestClient(app_from_environment()) as client:
        assert client.post("/predict", json=row).json()["model_version"] == "1"
        registry.point(champion="3")
        assert client.post("/predict", json=row).json()["model_version"] == "1"
        reload = client.post("/admin/reload", headers={"Authorization": "Bearer secret"})
        assert reload.json() == {"served": {CHAMPION: "3"}}
        assert client.post("/predict", json=row).json()["model_version"] == "3"
{%- endif %}
