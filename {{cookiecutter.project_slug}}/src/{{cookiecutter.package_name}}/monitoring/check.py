"""``make monitor``: compare the newest logged inputs with the training data the model learnt.

The reference is the training split of the monitoring config's training config (the rows the
champion was fitted on, when it was trained from that config and data); the current window is
the newest ``drift.window`` logged inputs of every host. The outcome is an HTML report with a
plot per feature, a JSON verdict beside it, a copy of the verdict in the prediction log folder
(where the API reads it for its drift gauges) and the exit status, which tells the caller what
happened without parsing anything.
"""

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..pipeline.config import load_config
from ..pipeline.run import prepare_data
from .drift import DriftVerdict, detect_drift
from .metrics import VERDICT_FILE
from .predlog import newest_records
from .report import write_report
from .settings import MonitorSettings

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


def logged_inputs(settings: MonitorSettings, features: tuple[str, ...]) -> pd.DataFrame:
    """The inputs of the newest ``drift.window`` logged predictions, in feature order."""
    records = newest_records(settings.log.directory, settings.drift.window)
    return pd.DataFrame([record["inputs"] for record in records], columns=list(features))


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
    """One line: the verdict and the drifted features."""
    drifted = ", ".join(verdict.drifted_features) or "none"
    headline = "DRIFT" if verdict.drift else "no drift"
    return (
        f"{headline}: {verdict.current_rows} logged inputs against {verdict.reference_rows} "
        f"training rows; drifted features: {drifted}"
    )


def run_monitor(settings: MonitorSettings) -> MonitorOutcome:
    """Check the newest logged inputs for drift; write the report and the verdict."""
    training = load_config(settings.training_config)
    reference = prepare_data(training).train_features[list(training.data.features)]
    current = logged_inputs(settings, training.data.features)
    if len(current) < settings.drift.min_rows:
        return MonitorOutcome(
            TOO_FEW_ROWS,
            f"{len(current)} logged predictions in {settings.log.directory}, fewer than "
            f"drift.min_rows ({settings.drift.min_rows}): too few to judge drift",
        )
    drift = settings.drift
    verdict = detect_drift(reference, current, drift.alpha, drift.rule, drift.drift_share)
    report = write_report(verdict, reference, current, drift.report_dir / REPORT_FILE)
    write_verdict(verdict, settings)
    status = DRIFT if verdict.drift else NO_DRIFT
    return MonitorOutcome(status, describe(verdict), verdict, report)
