"""Read ``configs/monitor.yaml`` into checked settings.

As with training and serving, a mistake gets a message that names the setting, and an unknown
setting is refused rather than silently ignored.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..pipeline.config import (
    check_keys,
    count_setting,
    fraction_setting,
    read_config_file,
    section,
    text_setting,
)
from ..pipeline.errors import ConfigError
from ..serving.settings import bound_setting

DEFAULT_MONITOR_CONFIG = Path("configs") / "monitor.yaml"
# Overrides prediction_log.directory: a mounted volume in a container, for example.
LOG_DIR_VARIABLE = "PREDICTION_LOG_DIR"
KEYS = ("training_config", "prediction_log", "reload_interval_seconds", "drift")
LOG_KEYS = ("directory", "max_megabytes", "backups", "flush_seconds")
DRIFT_KEYS = ("window", "min_rows", "alpha", "rule", "drift_share", "report_dir")
RULES = ("bonferroni", "share")


@dataclass(frozen=True)
class LogSettings:
    """Where predictions are logged, and how much of the log is kept."""

    directory: Path
    max_bytes: int = 50 * 2**20
    backups: int = 5
    flush_seconds: float = 0.5


@dataclass(frozen=True)
class DriftSettings:
    """Which logged inputs the drift check reads, and how it decides."""

    window: int = 1000
    min_rows: int = 100
    alpha: float = 0.05
    rule: str = "bonferroni"
    drift_share: float = 0.5
    report_dir: Path = Path("reports") / "drift"


@dataclass(frozen=True)
class MonitorSettings:
    """The whole monitoring config."""

    training_config: Path
    log: LogSettings
    reload_interval: float
    drift: DriftSettings


def parse_log(settings: Mapping[str, Any]) -> LogSettings:
    """The prediction_log section; PREDICTION_LOG_DIR wins over its directory."""
    values = section(settings, "prediction_log", LOG_KEYS)
    directory = text_setting(values["directory"], "prediction_log.directory")
    megabytes = bound_setting(values["max_megabytes"], "prediction_log.max_megabytes")
    return LogSettings(
        directory=Path(os.environ.get(LOG_DIR_VARIABLE) or directory),
        max_bytes=int(megabytes * 2**20),
        backups=count_setting(values["backups"], "prediction_log.backups", minimum=0),
        flush_seconds=bound_setting(values["flush_seconds"], "prediction_log.flush_seconds"),
    )


def parse_drift(settings: Mapping[str, Any]) -> DriftSettings:
    """The drift section."""
    values = section(settings, "drift", DRIFT_KEYS)
    rule = values["rule"]
    if rule not in RULES:
        raise ConfigError(f"drift.rule must be one of {', '.join(RULES)}, not {rule!r}")
    return DriftSettings(
        window=count_setting(values["window"], "drift.window", minimum=2),
        min_rows=count_setting(values["min_rows"], "drift.min_rows", minimum=2),
        alpha=fraction_setting(values["alpha"], "drift.alpha"),
        rule=rule,
        drift_share=fraction_setting(values["drift_share"], "drift.drift_share"),
        report_dir=Path(text_setting(values["report_dir"], "drift.report_dir")),
    )


def interval_setting(value: Any, name: str) -> float:
    """Seconds between polls: 0 (off) or more."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1e6:
        raise ConfigError(f"{name} must be a number of seconds, 0 or more, not {value!r}")
    return float(value)


def parse_monitor_config(settings: Any) -> MonitorSettings:
    """Check parsed YAML of the monitoring config."""
    if not isinstance(settings, Mapping):
        raise ConfigError(f"the monitoring config must be a mapping of {', '.join(KEYS)}")
    check_keys(settings, KEYS, where="")
    return MonitorSettings(
        training_config=Path(text_setting(settings["training_config"], "training_config")),
        log=parse_log(settings),
        reload_interval=interval_setting(
            settings["reload_interval_seconds"], "reload_interval_seconds"
        ),
        drift=parse_drift(settings),
    )


def load_monitor_config(path: Path | str = DEFAULT_MONITOR_CONFIG) -> MonitorSettings:
    """Read and check the monitoring config."""
    return read_config_file(
        path, parse_monitor_config, "the monitoring config is needed to log and check drift"
    )
