"""Tests of the monitoring config: the shipped file reads, and each mistake is named."""

from pathlib import Path

import pytest
import yaml

from {{ cookiecutter.package_name }}.monitoring.settings import (
    LOG_DIR_VARIABLE,
    load_monitor_config,
    parse_monitor_config,
)
from {{ cookiecutter.package_name }}.pipeline.errors import ConfigError

SHIPPED = Path(__file__).resolve().parents[2] / "configs" / "monitor.yaml"


@pytest.fixture(name="shipped")
def fixture_shipped() -> dict:
    """The shipped settings, parsed YAML."""
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def test_the_shipped_config_reads(monkeypatch):
    """The shipped file is valid, and its values are what its comments say."""
    monkeypatch.delenv(LOG_DIR_VARIABLE, raising=False)
    settings = load_monitor_config(SHIPPED)
    assert settings.log.directory == Path("predictions")
    assert settings.log.max_bytes == 50 * 2**20
    assert settings.reload_interval == 30
    assert (settings.drift.rule, settings.drift.alpha) == ("bonferroni", 0.05)


def test_the_environment_chooses_the_log_folder(shipped, monkeypatch):
    """A container points the log at its volume without editing the file."""
    monkeypatch.setenv(LOG_DIR_VARIABLE, "/var/log/predictions")
    assert parse_monitor_config(shipped).log.directory == Path("/var/log/predictions")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("drift", "rule"), "majority", "drift.rule must be one of bonferroni, share"),
        (("drift", "alpha"), 1.5, "drift.alpha must be a number between 0 and 1"),
        (("drift", "window"), 1, "drift.window must be a whole number of at least 2"),
        (("prediction_log", "backups"), -1, "prediction_log.backups must be a whole number"),
        (("prediction_log", "max_megabytes"), 0, "prediction_log.max_megabytes must be a number"),
        (("reload_interval_seconds",), "often", "reload_interval_seconds must be a number"),
    ],
)
def test_a_wrong_value_is_named(shipped, path, value, message):
    """Each setting's mistake gets a message naming the setting."""
    target = shipped
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ConfigError, match=message):
        parse_monitor_config(shipped)


def test_an_unknown_setting_is_refused(shipped):
    """A typo is not silently ignored."""
    shipped["drift"]["windw"] = 10
    with pytest.raises(ConfigError, match="unknown drift.windw"):
        parse_monitor_config(shipped)
