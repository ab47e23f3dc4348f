"""Chain the steps as ``make train`` and ``make evaluate`` run them, and write what they produce.

:func:`run_training` is the whole pipeline: load, validate, split, build the features and the
model, train, evaluate, and save the model, its lineage, the metrics and the plots.
:func:`run_evaluation` evaluates the saved model again on the same held-out rows (the seeded
split gives them back), for example after changing the evaluation, or to check a model file.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import pandas as pd
from sklearn.pipeline import Pipeline

from .config import TrainConfig
from .evaluate import compute_metrics, feature_importances
from .lineage import collect_lineage
from .load import load_csv
from .plots import (
    CONFUSION_MATRIX_FILE,
    FEATURE_IMPORTANCE_FILE,
    plot_confusion_matrix,
    plot_feature_importance,
)
from .split import Split, split_dataset
from .train import build_pipeline, train_model
from .validate import validate_dataset


@dataclass(frozen=True)
class Evaluation:
    """The metrics of a model on the held-out rows, and the plots drawn from them."""

    metrics: dict[str, float]
    figures: tuple[Path, ...]


@dataclass(frozen=True)
class TrainingResult:
    """Everything a training run produced, for reporting and for tracking."""

    config: TrainConfig
    model: Pipeline
    split: Split
    evaluation: Evaluation
    lineage: dict[str, str]


def prepare_data(config: TrainConfig) -> Split:
    """Load, validate and split the configured dataset."""
    frame = load_csv(config.data.path)
    validate_dataset(frame, config, source=config.data.path.as_posix())
    return split_dataset(frame, config)


def write_json(data: dict[str, Any], path: Path) -> Path:
    """Write ``data`` as sorted, indented JSON, so two runs' files compare line by line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def evaluate_model(model: Pipeline, split: Split, config: TrainConfig) -> Evaluation:
    """Score ``model`` on the held-out rows; write the metrics and the plots."""
    predicted = pd.Series(model.predict(split.test_features), index=split.test_target.index)
    metrics = compute_metrics(split.test_target, predicted)
    write_json(metrics, config.outputs.metrics)
    figures_dir = config.outputs.figures
    importances = feature_importances(model, split, config.seed)
    figures = (
        plot_confusion_matrix(split.test_target, predicted, figures_dir / CONFUSION_MATRIX_FILE),
        plot_feature_importance(importances, figures_dir / FEATURE_IMPORTANCE_FILE),
    )
    return Evaluation(metrics=metrics, figures=figures)


def save_model(model: Pipeline, path: Path) -> Path:
    """Write the fitted model with joblib, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path)
    return path


def load_model(path: Path) -> Pipeline:
    """Read a model written by :func:`save_model`.

    joblib files are pickles, which run code when loaded: load only models this project
    trained, never a file from elsewhere.
    """
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run `make train` to train a model first.")
    return joblib.load(path)


def run_training(config: TrainConfig) -> TrainingResult:
    """The whole pipeline, on a config checked by :func:`.config.load_config`."""
    split = prepare_data(config)
    lineage = collect_lineage(config)
    model = train_model(build_pipeline(config), split)
    save_model(model, config.outputs.model)
    write_json(lineage, config.outputs.lineage)
    evaluation = evaluate_model(model, split, config)
    return TrainingResult(config, model, split, evaluation, lineage)


def run_evaluation(config: TrainConfig) -> Evaluation:
    """Evaluate the saved model again on the held-out rows, and rewrite the metrics and plots."""
    model = load_model(config.outputs.model)
    return evaluate_model(model, prepare_data(config), config)
