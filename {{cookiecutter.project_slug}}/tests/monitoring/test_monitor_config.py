"""Tests of the monitoring config: the shipped file is valid, and each mistake is named."""

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


def test_the_shipped_config_is_valid(monkeypatch):
    """configs/monitor.yaml loads; sizes are read in the units the file names."""
    monkeypatch.delenv(LOG_DIR_VARIABLE, raising=False)
    settings = load_monitor_config(SHIPPED)
    written = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    assert settings.log.directory == Path(written["prediction_log"]["directory"])
    assert settings.log.max_bytes == written["prediction_log"]["max_megabytes"] * 2**20
    assert settings.drift.report_dir == Path(written["drift"]["report_dir"])


def test_the_environment_chooses_the_log_folder(shipped, monkeypatch):
    """A container points the log at its volume without editing the file."""
    monkeypatch.setenv(LOG_DIR_VARIABLE, "/var/log/predictions")
    assert parse_monitor_config(shipped).log.directory == Path("/var/log/predictions")
    monkeypatch.setenv(LOG_DIR_VARIABLE, "")
    assert parse_monitor_config(shipped).log.directory == Path(
        shipped["prediction_log"]["directory"]
    )


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("drift", "rule"), "majority", "drift.rule: Input should be 'bonferroni' or 'share'"),
        (("drift", "alpha"), 1.5, "drift.alpha: Input should be less than 1, not 1.5"),
        (("drift", "window"), 1, "drift.window: Input should be greater than or equal to 2"),
        (("prediction_log", "backups"), -1, "prediction_log.backups: Input should be greater"),
        (("prediction_log", "max_megabytes"), 0, "prediction_log.max_megabytes: Input should be"),
        (("prediction_log", "directory"), "", "prediction_log.directory: String should have"),
        (("reload_interval_seconds",), "often", "reload_interval_seconds: Input should be a valid"),
        (("drift", "windw"), 10, "drift.windw: unknown setting"),
        (("training_config",), None, "training_config: Input is not a valid path"),
    ],
)
def test_a_wrong_value_is_named(shipped, path, value, message):
    """Each setting's mistake gets a message naming the setting, an unknown one included."""
    target = shipped
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ConfigError, match=message):
        parse_monitor_config(shipped)


def test_a_missing_section_is_named(shipped):
    """Leaving out a section is named too, not a KeyError."""
    del shipped["drift"]
    with pytest.raises(ConfigError, match="^drift: missing$"):
        parse_monitor_config(shipped)


def test_errors_start_with_the_file(shipped, tmp_path):
    """The message says which file to fix."""
    shipped["drift"]["alpha"] = 0
    path = tmp_path / "monitor.yaml"
    path.write_text(yaml.safe_dump(shipped), encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^{path}: drift.alpha"):
        load_monitor_config(path)
