"""Fixtures of the pipeline tests: small, fast runs on the tests' own data sets.

Every test reads and writes in its own temporary folder, so the tests never touch the project's
data/, models/ or reports/{% if cookiecutter.__tracking == 'mlflow' %} (nor its mlflow.db){% endif %}, and run in any order.
"""

from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.pipeline.config import TrainConfig, parse_config
{%- if cookiecutter.__tracking == 'mlflow' %}


@pytest.fixture(autouse=True)
def isolated_mlflow(mlflow_store) -> str:
    """Every pipeline test records into a store of its own."""
    return mlflow_store
{%- endif %}


@pytest.fixture(name="settings")
def fixture_settings(make_settings) -> dict[str, Any]:
    """The settings of a run on the classification data set (text labels, every kind of feature)."""
    return make_settings("classification")


@pytest.fixture(name="config")
def fixture_config(settings) -> TrainConfig:
    """The checked config of those settings."""
    return parse_config(settings)


@pytest.fixture(name="config_file")
def fixture_config_file(settings, write_yaml) -> Path:
    """Those settings written as a YAML file, for the command line."""
    return write_yaml(settings, "train.yaml")


@pytest.fixture(name="regression_settings")
def fixture_regression_settings(make_settings) -> dict[str, Any]:
    """The settings of a run on the regression data set (a fractional target)."""
    return make_settings("regression")


@pytest.fixture(name="regression_config")
def fixture_regression_config(regression_settings) -> TrainConfig:
    """The checked config of those settings."""
    return parse_config(regression_settings)
