"""Tests of ``monitor``: the verdict, its files and the exit status a scheduled job acts on."""

import json

import pytest

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.data import load_dataset
from {{ cookiecutter.package_name }}.monitoring.check import (
    DRIFT,
    NO_DRIFT,
    TOO_FEW_ROWS,
    run_monitor,
)
from {{ cookiecutter.package_name }}.monitoring.predlog import PredictionLogger

FEATURES_SHIFTED = ("alcohol", "proline")


def log_wines(settings, shift: float = 0.0) -> None:
    """Log every wine as a served prediction, the shifted features moved by ``shift`` std."""
    rows = load_dataset().drop(columns="target")
    for feature in FEATURES_SHIFTED:
        rows[feature] += shift * rows[feature].std()
    logger = PredictionLogger(settings.log, host="pod-a")
    logger.path.parent.mkdir(parents=True, exist_ok=True)
    logger.log(rows.to_dict("records"), [0] * len(rows), "champion", "1")
    logger.flush()


def test_too_few_logged_predictions_are_not_judged(monitor_settings):
    """An empty log gives status 4 and a message, and no report."""
    outcome = run_monitor(monitor_settings)
    assert outcome.status == TOO_FEW_ROWS
    assert "fewer than drift.min_rows" in outcome.message
    assert not monitor_settings.drift.report_dir.exists()


def test_served_wines_like_the_training_data_are_not_drift(monitor_settings):
    """The dataset's own wines, served: no drift, a report and a verdict beside it."""
    log_wines(monitor_settings)
    outcome = run_monitor(monitor_settings)
    assert outcome.status == NO_DRIFT, outcome.message
    assert outcome.report.read_text(encoding="utf-8").count("data:image/png;base64,") == 13
    verdict = json.loads((monitor_settings.drift.report_dir / "drift.json").read_text())
    assert verdict["drift"] is False and verdict["current_rows"] == len(load_dataset())


def test_shifted_traffic_is_drift_and_the_api_can_read_the_verdict(monitor_settings):
    """Status 3 names the shifted features; the verdict is copied next to the prediction log."""
    log_wines(monitor_settings, shift=1.5)
    outcome = run_monitor(monitor_settings)
    assert outcome.status == DRIFT
    assert set(outcome.verdict.drifted_features) == set(FEATURES_SHIFTED)
    assert "drift detected" in outcome.report.read_text(encoding="utf-8")
    shared = json.loads((monitor_settings.log.directory / "drift.json").read_text())
    assert shared["drift"] is True and shared["checked_at"] > 0


@pytest.mark.parametrize(("shift", "status"), [(0.0, NO_DRIFT), (1.5, DRIFT)])
def test_the_command_line_exits_with_the_verdict(monitor_settings, tmp_path, shift, status, capsys):
    """``python -m <package> monitor`` prints the verdict and exits 0 or 3."""
    log_wines(monitor_settings, shift)
    config = tmp_path / "monitor.yaml"
    config.write_text(
        json.dumps(
            {
                "training_config": str(monitor_settings.training_config),
                "prediction_log": {
                    "directory": str(monitor_settings.log.directory),
                    "max_megabytes": 1,
                    "backups": 1,
                    "flush_seconds": 0.5,
                },
                "reload_interval_seconds": 0,
                "drift": {
                    "window": 1000,
                    "min_rows": 100,
                    "alpha": 0.05,
                    "rule": "bonferroni",
                    "drift_share": 0.5,
                    "report_dir": str(tmp_path / "out"),
                },
            }
        ),
        encoding="utf-8",
    )
    assert main(["monitor", "--config", str(config)]) == status
    printed = capsys.readouterr().out
    assert ("DRIFT" in printed) == (status == DRIFT)
    assert "drift_report.html" in printed
