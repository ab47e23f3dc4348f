"""Chain the steps as ``make train`` and ``make evaluate`` run them, and write what they produce.

:func:`run_training` is the whole pipeline: load, validate (resolving the data schema), split,
build the features and the model, train, evaluate, and save the model, its lineage, the metrics
and the plots. Nothing is written before the model is fitted, so a mistake in the config or the
data leaves no half-made outputs. :func:`run_evaluation` evaluates the saved model again on the
same held-out rows (the seeded split gives them back), for example after changing the
evaluation, or to check a model file.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import pandas as pd
from sklearn.pipeline import Pipeline

from .config import TrainConfig
from .evaluate import feature_importances, metric_names, predictions, scores
from .lineage import collect_lineage
from .load import load_csv
from .plots import FEATURE_IMPORTANCE_FILE, HeldOut, plot_feature_importance, plot_task
from .schema import DataSchema, with_categories, with_classes
from .split import Split, split_dataset
from .train import build_pipeline, train_model
from .validate import validate_dataset


@dataclass(frozen=True)
class PreparedData:
    """The split rows, their schema, and what was inferred or is worth a warning."""

    schema: DataSchema
    split: Split
    notes: list[str]


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
    prepared: PreparedData
    evaluation: Evaluation
    lineage: dict[str, str]

    @property
    def split(self) -> Split:
        """The rows the model was trained and evaluated on."""
        return self.prepared.split

    @property
    def schema(self) -> DataSchema:
        """What the model takes and predicts."""
        return self.prepared.schema


def prepare_data(config: TrainConfig) -> PreparedData:
    """Load, validate and split the configured dataset; the schema learns its categories and
    classes from the training rows."""
    frame = load_csv(config.data.path)
    schema, notes = validate_dataset(frame, config, source=config.data.path.as_posix())
    split = split_dataset(frame, schema, config)
    schema = with_classes(with_categories(schema, split.train_features), split.train_target)
    return PreparedData(schema, split, notes)


def write_json(data: dict[str, Any], path: Path) -> Path:
    """Write ``data`` as sorted, indented JSON, so two runs' files compare line by line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def evaluate_model(model: Pipeline, prepared: PreparedData, config: TrainConfig) -> Evaluation:
    """Score ``model`` on the held-out rows; write the metrics and the plots."""
    split = prepared.split
    features, truth = split.test_features, split.test_target
    task = prepared.schema.task
    names = metric_names(model, task)
    predicted = predictions(model, features, names)  # once, for the metrics and the plots
    metrics = scores(names, truth, predicted, model)
    write_json(metrics, config.outputs.metrics)
    labels = pd.Series(predicted[False], index=truth.index)
    held_out = HeldOut(model, features, truth, labels, predicted.get(True))
    figures = config.outputs.figures
    plots = plot_task(held_out, task, figures)
    importances = feature_importances(model, features, truth, config.seed)
    plots.append(plot_feature_importance(importances, figures / FEATURE_IMPORTANCE_FILE))
    return Evaluation(metrics=metrics, figures=tuple(plots))


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
    prepared = prepare_data(config)
    model = train_model(build_pipeline(config, prepared.schema), prepared.split)
    lineage = collect_lineage(config)
    save_model(model, config.outputs.model)
    write_json(lineage, config.outputs.lineage)
    evaluation = evaluate_model(model, prepared, config)
    return TrainingResult(config, model, prepared, evaluation, lineage)


def run_evaluation(config: TrainConfig) -> Evaluation:
    """Evaluate the saved model again on the held-out rows, and rewrite the metrics and plots."""
    model = load_model(config.outputs.model)
    return evaluate_model(model, prepare_data(config), config)
