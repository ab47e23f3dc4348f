"""``make monitor``: compare the newest logged inputs with the training data the model learnt.

The reference is the training split of the monitoring config's training config (the rows the
champion was fitted on, when it was trained from that config and data); the current window is
the newest ``drift.window`` logged inputs of every host. Each feature is tested as its kind
says, and the model's predictions are compared with what the model that answered most of the
window predicts for the reference rows. The outcome is an HTML report with a plot per feature,
a JSON verdict beside it, a copy of the verdict in the prediction log folder (where the API
reads it for its drift gauges) and the exit status, which tells the caller what happened
without parsing anything.
"""

import collections
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow.exceptions import MlflowException

from ..pipeline.config import load_config
from ..pipeline.run import prepare_data
from ..pipeline.schema import DataSchema, Task
from ..pipeline.tracking import load_registered_model, tracking_uri
from ..serving.registry import rows_frame
from .drift import PREDICTION, DriftVerdict, detect_drift, prediction_drift
from .metrics import VERDICT_FILE
from .predlog import newest_records
from .report import write_report
from .settings import MonitorSettings

LOGGER = logging.getLogger(__name__)
# Exit statuses of `python -m <package> monitor` (1 and 2 stay an error and a usage mistake).
NO_DRIFT = 0
DRIFT = 3
TOO_FEW_ROWS = 4
REPORT_FILE = "drift_report.html"
VERDICT_JSON = "drift.json"


@dataclass(frozen=True)
class MonitorOutcome:
    """What a check found, where it wrote it, and the exit status that says it."""

    status: int
    message: str
    verdict: DriftVerdict | None = None
    report: Path | None = None


def logged_inputs(records: list[dict[str, Any]], schema: DataSchema) -> pd.DataFrame:
    """The logged inputs, in feature order, typed as the model takes them."""
    rows = [[record["inputs"].get(name) for name in schema.names] for record in records]
    return rows_frame(rows, schema)


def write_verdict(verdict: DriftVerdict, settings: MonitorSettings) -> Path:
    """The JSON verdict in the report folder, and a copy beside the prediction log."""
    document = json.dumps({**verdict.as_dict(), "checked_at": time.time()}, indent=1)
    path = settings.drift.report_dir / VERDICT_JSON
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    # Written aside, then renamed over the old one: the API never reads half a verdict.
    shared = settings.log.directory / VERDICT_FILE
    shared.parent.mkdir(parents=True, exist_ok=True)
    partial = shared.with_name(f".{VERDICT_FILE}.partial")
    partial.write_text(document, encoding="utf-8")
    os.replace(partial, shared)
    return path


def describe(verdict: DriftVerdict) -> str:
    """The verdict and the drifted features, and the predictions' drift when it was tested."""
    drifted = ", ".join(verdict.drifted_features) or "none"
    headline = "DRIFT" if verdict.drift else "no drift"
    lines = [
        f"{headline}: {verdict.current_rows} logged inputs against {verdict.reference_rows} "
        f"training rows; drifted features: {drifted}"
    ]
    if verdict.prediction is not None:
        moved = "drifted" if verdict.prediction.drifted else "did not drift"
        lines.append(f"The predictions {moved} (p={verdict.prediction.p_value:.2e}).")
    return "\n".join(lines)


def reference_predictions(name: str, version: str, reference: pd.DataFrame) -> Any | None:
    """What ``version`` predicts for the reference rows; None when it cannot be loaded."""
    mlflow.set_tracking_uri(tracking_uri())
    try:
        model = load_registered_model(name, version)
    except (MlflowException, OSError) as error:
        LOGGER.warning(
            "predictions not compared: cannot load %s version %s: %s", name, version, error
        )
        return None
    return model.predict(reference)


def predicted_columns(
    records: list[dict[str, Any]], reference: pd.DataFrame, name: str
) -> tuple[pd.Series, pd.Series] | None:
    """What the version that answered most of the window predicts for the reference rows, and
    what it answered in the window; None when that version cannot be loaded."""
    version, _ = collections.Counter(str(r["model_version"]) for r in records).most_common(1)[0]
    expected = reference_predictions(name, version, reference)
    if expected is None:
        return None
    served = [record["output"] for record in records if str(record["model_version"]) == version]
    return pd.Series(expected, name=PREDICTION), pd.Series(served, name=PREDICTION)


def run_monitor(settings: MonitorSettings) -> MonitorOutcome:
    """Check the newest logged inputs for drift; write the report and the verdict."""
    training = load_config(settings.training_config)
    prepared = prepare_data(training)
    schema = prepared.schema
    reference = prepared.split.train_features[list(schema.names)]
    records = newest_records(settings.log.directory, settings.drift.window)
    if len(records) < settings.drift.min_rows:
        return MonitorOutcome(
            TOO_FEW_ROWS,
            f"{len(records)} logged predictions in {settings.log.directory}, fewer than "
            f"drift.min_rows ({settings.drift.min_rows}): too few to judge drift",
        )
    current = logged_inputs(records, schema)
    predicted = predicted_columns(records, reference, training.tracking.registered_model)
    numeric = schema.task == Task.REGRESSION
    drift = settings.drift
    verdict = detect_drift(
        reference,
        current,
        drift.alpha,
        drift.rule,
        drift.drift_share,
        kinds={feature.name: feature.kind for feature in schema.features},
        prediction=None if predicted is None else prediction_drift(*predicted, numeric=numeric),
    )
    report = write_report(verdict, reference, current, drift.report_dir / REPORT_FILE, predicted)
    write_verdict(verdict, settings)
    status = DRIFT if verdict.drift else NO_DRIFT
    return MonitorOutcome(status, describe(verdict), verdict, report)
