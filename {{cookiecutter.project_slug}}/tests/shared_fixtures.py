"""Fixtures shared by the tests (conftest.py says which processes load them).

The bundled samples are loaded once per test session: the tests of the sample helpers read them
and none may change them, so loading them again per test would only slow the suite down.
{%- if cookiecutter.__training == 'yes' %}

Every other test leaves the bundled samples and the project's configs alone: the tests build
small data sets of their own, a classification and a regression, with every kind of column a
user's CSV file brings (numbers, text categories, true/false values, empty cells, a header that
is not a Python name). Pointing configs/train.yaml at other data changes none of them;
``tests/pipeline/test_data_contract.py`` is the one test that reads the configured data.
{%- endif %}
"""

{% if cookiecutter.__training == 'yes' -%}
import copy
{% if cookiecutter.__tracking == 'mlflow' -%}
import shutil
from collections.abc import Callable
{% endif -%}
from pathlib import Path
from typing import Any

import numpy as np
{% endif -%}
import pandas as pd
import pytest
{%- if cookiecutter.__training == 'yes' %}
import yaml
from threadpoolctl import threadpool_limits
{%- endif %}
{%- if cookiecutter.__tracking == 'mlflow' %}
from mlflow import MlflowClient
{%- endif %}

{% if cookiecutter.__training == 'yes' -%}
from {{ cookiecutter.package_name }}.data import SAMPLES, load_dataset, write_dataset
{%- else -%}
from {{ cookiecutter.package_name }}.data import SAMPLES, load_dataset
{%- endif %}
{%- if cookiecutter.__monitoring == 'yes' %}
from {{ cookiecutter.package_name }}.monitoring.settings import (
    DriftSettings,
    LogSettings,
    MonitorSettings,
)
{%- endif %}
{%- if cookiecutter.__training == 'yes' %}
from {{ cookiecutter.package_name }}.pipeline.config import parse_config
from {{ cookiecutter.package_name }}.pipeline.lineage import collect_lineage
from {{ cookiecutter.package_name }}.pipeline.run import Evaluation, TrainingResult, prepare_data
from {{ cookiecutter.package_name }}.pipeline.schema import Kind
from {{ cookiecutter.package_name }}.pipeline.train import build_pipeline, train_model
{%- endif %}
{%- if cookiecutter.__training == 'yes' %}

TASKS = ("classification", "regression")
# The column the tests' models predict: not "target", so no code may assume that name.
TARGET = "outcome"
# The features of the tests' data sets and their kinds; "weight (kg)" is spelt as CSV headers
# often are, with characters a Python name (and an MLflow parameter name) cannot hold.
KINDS = {"size": "numeric", "weight (kg)": "numeric", "colour": "categorical", "member": "boolean"}
# Features with empty cells in the data sets; size has none, and the settings forbid them there.
WITH_GAPS = ("weight (kg)", "colour", "member")
COMPLETE = "size"
# Categories of colour and their shares: teal is rare enough to share a column with others.
COLOURS = {"red": 0.4, "green": 0.3, "blue": 0.17, "grey": 0.1, "teal": 0.03}
# A small forest: seconds for the whole suite, and still a model that learns the data sets.
FAST_MODEL = {"estimator": "random_forest", "params": {"n_estimators": 10, "max_depth": 4}}
OUTPUTS = {
    "model": "model.joblib",
    "lineage": "lineage.json",
    "metrics": "metrics.json",
    "figures": "figures",
}
{%- endif %}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests marked ``starts_python`` first; the others keep their order.

    Such a test waits seconds for a new Python process to import the package. Begun first, it
    runs while the other pytest-xdist workers share out the rest of the tests; begun last, they
    would wait for it with nothing left to run.
    """
    items.sort(key=lambda item: item.get_closest_marker("starts_python") is None)


@pytest.fixture(name="samples", scope="session")
def fixture_samples() -> dict[str, pd.DataFrame]:
    """Every bundled sample by name; copy one before modifying it."""
    return {name: load_dataset(name) for name in SAMPLES}
{%- if cookiecutter.__training == 'yes' %}


def own_data(task: str, rows: int = 240, seed: int = 0) -> pd.DataFrame:
    """A data set as users bring them: its target depends on numbers, a category and a flag.

    The classification target is text ("yes" or "no"), the regression target a fractional
    number; about 6% of the cells of ``WITH_GAPS`` are empty.
    """
    generator = np.random.default_rng(seed)
    size = generator.normal(50, 10, rows).round(1)
    weight = generator.gamma(2.0, 10.0, rows).round(2)
    colour = generator.choice(list(COLOURS), rows, p=list(COLOURS.values()))
    member = generator.random(rows) < 0.4
    signal = (size - 50) / 10 + 1.5 * (colour == "red") - member + generator.normal(0, 0.5, rows)
    frame = pd.DataFrame(
        {"size": size, "weight (kg)": weight, "colour": colour, "member": member.astype(object)}
    )
    for name in WITH_GAPS:
        frame.loc[generator.random(rows) < 0.06, name] = None
    labels = np.where(signal > 0.3, "yes", "no")
    frame[TARGET] = labels if task == "classification" else (20 * signal + 100).round(3)
    return frame


def training_settings(data: Path, folder: Path, task: str) -> dict[str, Any]:
    """The settings of a small run of ``task`` on ``data``, writing under ``folder/task``; the
    task itself is left to be inferred from the data (the tests that declare it add it)."""
    settings = {
        "seed": 7,
        "data": {
            "path": str(data),
            "target": TARGET,
            "features": dict(KINDS),
            "forbid_missing": [COMPLETE],
            "min_rows": 50,
        },
        "split": {"test_size": 0.25},
        "model": copy.deepcopy(FAST_MODEL),
        "outputs": {name: str(folder / task / value) for name, value in OUTPUTS.items()},
    }
{%- if cookiecutter.__tracking == 'mlflow' %}
    settings["tracking"] = {"experiment": f"tests-{task}", "registered_model": f"model-{task}"}
{%- endif %}
{%- if cookiecutter.__serving == 'fastapi' %}
    settings["promotion"] = {"margin": 0.0}
{%- endif %}
    return settings


@pytest.fixture(autouse=True, scope="session")
def one_thread_per_model():
    """Fit and predict on one thread: the tests' models are tiny, and on a busy machine (a shared
    CI runner) OpenMP threads that wait for each other make a fit of milliseconds last seconds."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(name="datasets", scope="session")
def fixture_datasets() -> dict[str, pd.DataFrame]:
    """The tests' data set of each task, by task; copy one before modifying it."""
    return {task: own_data(task) for task in TASKS}


@pytest.fixture(name="kinds", scope="session")
def fixture_kinds() -> dict[str, Kind]:
    """The kind of each feature of the tests' data sets, in their order."""
    return {name: Kind(kind) for name, kind in KINDS.items()}


def fitted(settings: dict[str, Any]) -> TrainingResult:
    """What ``make train`` makes of these settings, but for the metrics and the plots: the model
    fitted on the split, in a fraction of the time. Nothing is written."""
    config = parse_config(settings)
    prepared = prepare_data(config)
    model = train_model(build_pipeline(config, prepared.schema), prepared.split)
    return TrainingResult(config, model, prepared, Evaluation({}, ()), collect_lineage(config))


@pytest.fixture(name="settings_of", scope="session")
def fixture_settings_of():
    """:func:`training_settings`, for fixtures that make settings once per module or session."""
    return training_settings


@pytest.fixture(name="fit", scope="session")
def fixture_fit():
    """:func:`fitted`: a model of a run's settings, without its evaluation."""
    return fitted


@pytest.fixture(name="make_settings")
def fixture_make_settings(datasets, tmp_path):
    """Write a task's data set as CSV under tmp_path; the settings of a run on that file."""

    def make(task: str = "classification") -> dict[str, Any]:
        path = write_dataset(datasets[task], tmp_path / "data" / f"{task}.csv")
        return training_settings(path, tmp_path / "outputs", task)

    return make


@pytest.fixture(name="write_yaml")
def fixture_write_yaml(tmp_path):
    """Write settings as a YAML file under tmp_path; its path."""

    def write(settings: dict[str, Any], name: str) -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
        return path

    return write
{%- endif %}
{%- if cookiecutter.__tracking == 'mlflow' %}


@pytest.fixture(name="store_in", scope="session")
def fixture_store_in(tmp_path_factory) -> Callable[[Path], str]:
    """Make an empty MLflow store in a folder and give its URI: a copy of a store whose tables
    were made once, which takes milliseconds where making them takes a second."""
    blank = tmp_path_factory.mktemp("blank-store") / "mlflow.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        MlflowClient(f"sqlite:///{blank}").search_experiments()

    def store_in(folder: Path) -> str:
        store = folder / "mlflow.db"
        shutil.copyfile(blank, store)
        return f"sqlite:///{store}"

    return store_in


@pytest.fixture(name="mlflow_store")
def fixture_mlflow_store(store_in, tmp_path, monkeypatch) -> str:
    """A store of the test's own, run from its own folder (MLflow writes mlruns/ there)."""
    monkeypatch.chdir(tmp_path)
    uri = store_in(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    return uri
{%- endif %}
{%- if cookiecutter.__monitoring == 'yes' %}


@pytest.fixture(name="monitor_settings")
def fixture_monitor_settings(make_settings, write_yaml, tmp_path) -> MonitorSettings:
    """Monitoring settings writing under ``tmp_path``, whose training config reads the tests'
    classification data set there.

    No polling (the tests reload on demand) and a short flush interval, so tests wait little.
    """
    return MonitorSettings(
        training_config=write_yaml(make_settings("classification"), "train.yaml"),
        log=LogSettings(directory=tmp_path / "predictions", flush_seconds=0.05),
        reload_interval=0,
        drift=DriftSettings(report_dir=tmp_path / "reports"),
    )


@pytest.fixture(name="monitor_config_file")
def fixture_monitor_config_file(monitor_settings, write_yaml) -> Path:
    """``monitor_settings`` written as the YAML file the command line and the API read."""
    log, drift = monitor_settings.log, monitor_settings.drift
    settings = {
        "training_config": str(monitor_settings.training_config),
        "prediction_log": {
            "directory": str(log.directory),
            "max_megabytes": 1,
            "backups": 1,
            "flush_seconds": log.flush_seconds,
        },
        "reload_interval_seconds": 0,
        "drift": {
            "window": drift.window,
            "min_rows": drift.min_rows,
            "alpha": drift.alpha,
            "rule": drift.rule,
            "drift_share": drift.drift_share,
            "report_dir": str(drift.report_dir),
        },
    }
    return write_yaml(settings, "monitor.yaml")
{%- endif %}
