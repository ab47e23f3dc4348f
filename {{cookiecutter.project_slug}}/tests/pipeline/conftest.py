"""Fixtures of the pipeline tests: the shipped config, made fast and pointed at a copy of the data.

Every test reads and writes in its own temporary folder, so the tests never touch the project's
data/, models/ or reports/{% if cookiecutter.__tracking == 'mlflow' %} (nor its mlflow.db){% endif %}, and run in any order.
"""

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from {{ cookiecutter.package_name }}.data import write_dataset
from {{ cookiecutter.package_name }}.pipeline.config import TrainConfig, parse_config

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHIPPED_CONFIG = PROJECT_ROOT / "configs" / "train.yaml"
# A small forest keeps the tests fast; the shipped settings are checked as written elsewhere.
FAST_MODEL = {"type": "random_forest", "params": {"n_estimators": 20, "max_depth": 4}}
{%- if cookiecutter.__tracking == 'mlflow' %}


@pytest.fixture(autouse=True)
def isolated_mlflow(tmp_path, monkeypatch):
    """Record into a store of the test's own, from its own folder (MLflow writes mlruns/ there)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
{%- endif %}


@pytest.fixture(name="shipped_config")
def fixture_shipped_config() -> Path:
    """The config ``make train`` uses, as it is in the repository."""
    return SHIPPED_CONFIG


@pytest.fixture(name="wine_csv")
def fixture_wine_csv(wine, tmp_path) -> Path:
    """The bundled dataset, written where the test's config reads it."""
    return write_dataset(wine, tmp_path / "data" / "wine.csv")


@pytest.fixture(name="settings")
def fixture_settings(wine_csv, tmp_path) -> dict[str, Any]:
    """The shipped config's settings, reading the copy of the data and writing under tmp_path."""
    settings = yaml.safe_load(SHIPPED_CONFIG.read_text(encoding="utf-8"))
    settings["data"]["path"] = str(wine_csv)
    settings["model"] = copy.deepcopy(FAST_MODEL)
    settings["outputs"] = {
        name: str(tmp_path / "outputs" / value) for name, value in settings["outputs"].items()
    }
    return settings


@pytest.fixture(name="config")
def fixture_config(settings) -> TrainConfig:
    """The checked config of those settings."""
    return parse_config(settings)


@pytest.fixture(name="config_file")
def fixture_config_file(settings, tmp_path) -> Path:
    """Those settings written as a YAML file, for the command line."""
    path = tmp_path / "train.yaml"
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path
