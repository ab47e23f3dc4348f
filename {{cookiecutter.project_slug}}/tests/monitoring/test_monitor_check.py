"""Tests of ``monitor``: the verdict, its files and the exit status a scheduled job acts on.

The monitoring settings' training config reads the tests' classification data set; its
training split is the reference. The served model is the tests' small forest, trained once
for the module and registered in a store of the module's own, so the check can compare what
it answered with what it predicts for the reference.
"""

import json
from collections.abc import Iterator

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.data import write_dataset
from {{ cookiecutter.package_name }}.monitoring.check import (
    DRIFT,
    NO_DRIFT,
    TOO_FEW_ROWS,
    run_monitor,
)
from {{ cookiecutter.package_name }}.monitoring.predlog import PredictionLogger
from {{ cookiecutter.package_name }}.pipeline.tracking import log_training_run


@pytest.fixture(name="served", scope="module")
def fixture_served(store_in, datasets, settings_of, fit, tmp_path_factory) -> Iterator:
    """The model the API serves (version 1), registered in the module's store; its URI."""
    folder = tmp_path_factory.mktemp("monitored")
    uri = store_in(folder)
    data = write_dataset(datasets["classification"], folder / "classification.csv")
    trained = fit(settings_of(data, folder, "classification"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        patch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        log_training_run(trained)
        yield uri, trained.model


@pytest.fixture(name="serve")
def fixture_serve(served, monitor_settings, monkeypatch):
    """Log rows as the API serves them: each answered by the model unless ``outputs`` are given,
    by version 1 unless told otherwise. The test reads the module's store."""
    uri, model = served
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")

    def serve(features: pd.DataFrame, outputs=None, version: str = "1") -> None:
        answers = model.predict(features).tolist() if outputs is None else outputs
        rows = features.astype(object).where(features.notna(), None).to_dict("records")
        logger = PredictionLogger(monitor_settings.log, host="pod-a")
        logger.path.parent.mkdir(parents=True, exist_ok=True)
        logger.log(rows, answers, "champion", version)
        logger.flush()

    return serve


@pytest.fixture(name="features", scope="module")
def fixture_features(datasets) -> pd.DataFrame:
    """The features of every row of the data set, as clients send them."""
    return datasets["classification"].drop(columns="outcome")


def shifted_sizes(features: pd.DataFrame) -> pd.DataFrame:
    """Every size moved by 1.5 standard deviations."""
    return features.assign(size=features["size"] + 1.5 * features["size"].std())


def no_reds(features: pd.DataFrame) -> pd.DataFrame:
    """Every red served as blue."""
    return features.assign(colour=features["colour"].replace("red", "blue"))


def test_too_few_logged_predictions_are_not_judged(monitor_settings):
    """An empty log gives status 4 and a message, and no report."""
    outcome = run_monitor(monitor_settings)
    assert outcome.status == TOO_FEW_ROWS
    assert "fewer than drift.min_rows" in outcome.message
    assert not monitor_settings.drift.report_dir.exists()


def test_served_rows_like_the_training_data_are_not_drift(monitor_settings, serve, features):
    """The data set's own rows, answered by the model: no drift, in the inputs or in the
    predictions; a report with a plot per feature and one of the predictions, and a verdict."""
    serve(features)
    outcome = run_monitor(monitor_settings)
    assert outcome.status == NO_DRIFT, outcome.message
    assert outcome.verdict.prediction is not None and not outcome.verdict.prediction.drifted
    assert "The predictions did not drift" in outcome.message
    report = outcome.report.read_text(encoding="utf-8")
    assert report.count("data:image/png;base64,") == len(features.columns) + 1
    verdict = json.loads((monitor_settings.drift.report_dir / "drift.json").read_text())
    assert verdict["drift"] is False and verdict["current_rows"] == len(features)
    assert {feature["test"] for feature in verdict["features"]} == {"ks", "chi2"}


@pytest.mark.parametrize(
    ("shift", "feature"), [(shifted_sizes, "size"), (no_reds, "colour")], ids=["number", "category"]
)
def test_shifted_traffic_is_drift_and_the_api_can_read_the_verdict(
    monitor_settings, serve, features, shift, feature
):
    """Status 3 names the shifted feature, a number or a category; the verdict is copied next to
    the prediction log, where the API's drift gauges read it."""
    serve(shift(features))
    outcome = run_monitor(monitor_settings)
    assert outcome.status == DRIFT
    assert outcome.verdict.drifted_features[0] == feature
    assert "drift detected" in outcome.report.read_text(encoding="utf-8")
    shared = json.loads((monitor_settings.log.directory / "drift.json").read_text())
    assert shared["drift"] is True and shared["checked_at"] > 0


def test_predictions_that_moved_are_reported(monitor_settings, serve, features):
    """The inputs look like training, but the model answered "yes" to everything: said so."""
    serve(features, outputs=["yes"] * len(features))
    outcome = run_monitor(monitor_settings)
    assert outcome.verdict.prediction.drifted
    assert outcome.verdict.prediction.test == "chi2"
    assert "The predictions drifted" in outcome.message
    assert "The predictions drifted: chi2" in outcome.report.read_text(encoding="utf-8")


def test_predictions_of_a_model_that_cannot_be_loaded_are_not_compared(
    monitor_settings, serve, features
):
    """A version the registry does not have: the inputs are judged, the predictions are not."""
    serve(features, version="9")
    outcome = run_monitor(monitor_settings)
    assert outcome.status == NO_DRIFT
    assert outcome.verdict.prediction is None
    assert "Not compared" in outcome.report.read_text(encoding="utf-8")


# (how the served rows differ from the data set's, the exit status)
VERDICTS = {
    "no-drift": (lambda rows: rows, NO_DRIFT),
    "drift": (shifted_sizes, DRIFT),
    "too-few": (lambda rows: rows.head(9), TOO_FEW_ROWS),
}


@pytest.mark.parametrize("case", VERDICTS.values(), ids=VERDICTS.keys())
def test_the_command_line_exits_with_the_verdict(
    monitor_config_file, serve, features, case, capsys
):
    """``python -m <package> monitor`` prints the verdict and exits 0, 3 or 4."""
    served_rows, status = case
    serve(served_rows(features))
    assert main(["monitor", "--config", str(monitor_config_file)]) == status
    printed = capsys.readouterr().out
    assert ("DRIFT" in printed) == (status == DRIFT)
    assert ("drift_report.html" in printed) == (status != TOO_FEW_ROWS)
