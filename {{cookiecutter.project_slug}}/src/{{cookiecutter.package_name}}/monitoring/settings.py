"""Read ``configs/monitor.yaml`` into checked settings.

As with training and serving, the file is checked by pydantic models: a mistake gets a message
that names the setting, and an unknown setting is refused rather than silently ignored.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from ..pipeline.config import Section, Text, parse_with, read_config_file

DEFAULT_MONITOR_CONFIG = Path("configs") / "monitor.yaml"
# The monitoring config of an app built by uvicorn, named to its workers by the command line.
MONITOR_CONFIG_VARIABLE = "MONITOR_CONFIG"
# Overrides prediction_log.directory: a mounted volume in a container, for example.
LOG_DIR_VARIABLE = "PREDICTION_LOG_DIR"
Rule = Literal["bonferroni", "share"]


class LogSection(Section):
    """prediction_log in configs/monitor.yaml."""

    directory: Text
    max_megabytes: float = Field(gt=0, allow_inf_nan=False)
    backups: int = Field(ge=0)
    flush_seconds: float = Field(gt=0, allow_inf_nan=False)


class DriftSection(Section):
    """drift in configs/monitor.yaml."""

    window: int = Field(ge=2)
    min_rows: int = Field(ge=2)
    alpha: float = Field(gt=0, lt=1)
    rule: Rule
    drift_share: float = Field(gt=0, lt=1)
    report_dir: Text


class MonitorFile(Section):
    """configs/monitor.yaml, as written."""

    training_config: Path
    prediction_log: LogSection
    reload_interval_seconds: float = Field(ge=0, lt=1e6)
    drift: DriftSection


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
    rule: Rule = "bonferroni"
    drift_share: float = 0.5
    report_dir: Path = Path("reports") / "drift"


@dataclass(frozen=True)
class MonitorSettings:
    """The whole monitoring config."""

    training_config: Path
    log: LogSettings
    reload_interval: float
    drift: DriftSettings


def parse_monitor_config(settings: Any) -> MonitorSettings:
    """Check parsed YAML of the monitoring config; PREDICTION_LOG_DIR wins over its folder."""
    written = parse_with(MonitorFile, settings)
    log, drift = written.prediction_log, written.drift
    return MonitorSettings(
        training_config=written.training_config,
        log=LogSettings(
            directory=Path(os.environ.get(LOG_DIR_VARIABLE) or log.directory),
            max_bytes=int(log.max_megabytes * 2**20),
            backups=log.backups,
            flush_seconds=log.flush_seconds,
        ),
        reload_interval=written.reload_interval_seconds,
        drift=DriftSettings(
            window=drift.window,
            min_rows=drift.min_rows,
            alpha=drift.alpha,
            rule=drift.rule,
            drift_share=drift.drift_share,
            report_dir=Path(drift.report_dir),
        ),
    )


def load_monitor_config(path: Path | str = DEFAULT_MONITOR_CONFIG) -> MonitorSettings:
    """Read and check the monitoring config."""
    return read_config_file(
        path, parse_monitor_config, "the monitoring config is needed to log and check drift"
    )
