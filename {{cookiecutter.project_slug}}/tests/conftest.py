"""Fixtures shared by the tests.

The dataset is loaded once per test session: every test reads it and none may change it, so
loading it again per test would only slow the suite down.
"""
{%- if cookiecutter.__monitoring == 'yes' %}

from pathlib import Path
{%- endif %}

import pandas as pd
import pytest
{%- if cookiecutter.__monitoring == 'yes' %}
import yaml

from {{ cookiecutter.package_name }}.data import load_dataset, write_dataset
{%- else %}

from {{ cookiecutter.package_name }}.data import load_dataset
{%- endif %}
{%- if cookiecutter.__monitoring == 'yes' %}
from {{ cookiecutter.package_name }}.monitoring.settings import (
    DriftSettings,
    LogSettings,
    MonitorSettings,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
{%- endif %}


@pytest.fixture(scope="session")
def wine() -> pd.DataFrame:
    """The bundled wine dataset; copy it before modifying it."""
    return load_dataset()
{%- if cookiecutter.__monitoring == 'yes' %}


@pytest.fixture
def monitor_settings(tmp_path) -> MonitorSettings:
    """Monitoring settings writing under ``tmp_path``, with the shipped training config reading
    a copy of the data there.

    No polling (the tests reload on demand) and a short flush interval, so tests wait little.
    """
    training = yaml.safe_load((PROJECT_ROOT / "configs" / "train.yaml").read_text(encoding="utf-8"))
    data = write_dataset(load_dataset(), tmp_path / "data" / "wine.csv")
    training["data"]["path"] = str(data)
    training_config = tmp_path / "train.yaml"
    training_config.write_text(yaml.safe_dump(training), encoding="utf-8")
    return MonitorSettings(
        training_config=training_config,
        log=LogSettings(directory=tmp_path / "predictions", flush_seconds=0.05),
        reload_interval=0,
        drift=DriftSettings(report_dir=tmp_path / "reports"),
    )
{%- endif %}
