"""Evaluate step: measure the fitted model on the held-out rows, and explain what it relies on.

Each task has its metrics. A classifier gets macro averages next to plain accuracy (with classes
of unequal size, accuracy alone can look good while one class is always missed), and, when it
predicts probabilities, log loss (and ROC AUC for two classes), which judge how sure it is. A
regressor gets RMSE, MAE and R². The promotion gate compares models on one of these metrics.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    log_loss,
    mean_absolute_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
    root_mean_squared_error,
)
from sklearn.pipeline import Pipeline

from .schema import Task

# A class never predicted has no precision: count it as 0 rather than warn.
MACRO = {"average": "macro", "zero_division": 0}
# Held-out rows that permutation importance shuffles: enough for a stable ranking, few enough
# that a large dataset is explained in seconds.
IMPORTANCE_ROWS = 2000
IMPORTANCE_REPEATS = 5


@dataclass(frozen=True)
class Metric:
    """A score of predictions: its task, its direction, and whether it reads probabilities."""

    task: Task
    higher_is_better: bool
    score: Callable[[pd.Series, Any, np.ndarray], float]
    needs_probabilities: bool = False
    binary_only: bool = False


def binary_auc(truth: pd.Series, probabilities: np.ndarray, classes: np.ndarray) -> float:
    """ROC AUC of the second class's probability (the positive class, as scikit-learn sorts)."""
    return float(roc_auc_score(truth == classes[1], probabilities[:, 1]))


METRICS = {
    "accuracy": Metric(Task.CLASSIFICATION, True, lambda t, p, _: accuracy_score(t, p)),
    "balanced_accuracy": Metric(
        Task.CLASSIFICATION, True, lambda t, p, _: balanced_accuracy_score(t, p)
    ),
    "f1_macro": Metric(Task.CLASSIFICATION, True, lambda t, p, _: f1_score(t, p, **MACRO)),
    "precision_macro": Metric(
        Task.CLASSIFICATION, True, lambda t, p, _: precision_score(t, p, **MACRO)
    ),
    "recall_macro": Metric(Task.CLASSIFICATION, True, lambda t, p, _: recall_score(t, p, **MACRO)),
    "log_loss": Metric(Task.CLASSIFICATION, False, lambda t, p, c: log_loss(t, p, labels=c), True),
    "roc_auc": Metric(Task.CLASSIFICATION, True, binary_auc, True, binary_only=True),
    "rmse": Metric(Task.REGRESSION, False, lambda t, p, _: root_mean_squared_error(t, p)),
    "mae": Metric(Task.REGRESSION, False, lambda t, p, _: mean_absolute_error(t, p)),
    "r2": Metric(Task.REGRESSION, True, lambda t, p, _: r2_score(t, p)),
}
# What the promotion gate compares when the config does not say: log loss tells apart two
# classifiers that both get every held-out row right, where accuracy ties.
DEFAULT_PROMOTION_METRIC = {Task.CLASSIFICATION: "log_loss", Task.REGRESSION: "rmse"}


def metrics_of(task: Task) -> list[str]:
    """The names of the metrics of a task, in the order they are reported."""
    return [name for name, metric in METRICS.items() if metric.task == task]


def applies(metric: Metric, model: Pipeline) -> bool:
    """Whether ``metric`` can score ``model``: probabilities and two classes where it needs them."""
    if metric.needs_probabilities and not hasattr(model, "predict_proba"):
        return False
    return not metric.binary_only or len(getattr(model, "classes_", ())) == 2


def predictions(model: Pipeline, features: pd.DataFrame, names: list[str]) -> dict[bool, Any]:
    """What the metrics ``names`` read, each computed once: the predictions under ``False``, the
    probabilities under ``True``. On a large test set, a prediction costs seconds."""
    wanted = {METRICS[name].needs_probabilities for name in names}
    return {
        needs: model.predict_proba(features) if needs else model.predict(features)
        for needs in wanted
    }


def scored(name: str, truth: pd.Series, predicted: dict[bool, Any], classes: Any) -> float:
    """One metric, from what :func:`predictions` computed."""
    metric = METRICS[name]
    return float(metric.score(truth, predicted[metric.needs_probabilities], classes))


def score(model: Pipeline, features: pd.DataFrame, truth: pd.Series, name: str) -> float:
    """One metric of ``model`` on these rows."""
    classes = getattr(model, "classes_", None)
    return scored(name, truth, predictions(model, features, [name]), classes)


def metric_names(model: Pipeline, task: Task) -> list[str]:
    """The metrics of the task that apply to ``model``. Each task's include one that reads
    the predicted labels (accuracy, rmse), so :func:`predictions` of them always has them."""
    return [name for name in metrics_of(task) if applies(METRICS[name], model)]


def scores(
    names: list[str], truth: pd.Series, predicted: dict[bool, Any], model: Pipeline
) -> dict[str, float]:
    """The metrics ``names``, from what :func:`predictions` computed for them."""
    classes = getattr(model, "classes_", None)
    return {name: scored(name, truth, predicted, classes) for name in names}


def compute_metrics(
    model: Pipeline, features: pd.DataFrame, truth: pd.Series, task: Task
) -> dict[str, float]:
    """Every metric of the task that applies to ``model``, on these rows, the model predicting
    once (and giving its probabilities once) for all of them."""
    names = metric_names(model, task)
    return scores(names, truth, predictions(model, features, names), model)


def feature_importances(
    model: Pipeline, features: pd.DataFrame, truth: pd.Series, seed: int
) -> pd.Series:
    """How much shuffling each input column hurts the model's score, largest first.

    Measured on the raw columns, through the whole pipeline, so a categorical feature spread over
    many one-hot columns counts once, and every estimator is explained the same way. A seeded
    sample of at most ``IMPORTANCE_ROWS`` held-out rows keeps it fast on large data.
    """
    if len(features) > IMPORTANCE_ROWS:
        features = features.sample(IMPORTANCE_ROWS, random_state=seed)
        truth = truth.loc[features.index]
    result = permutation_importance(
        model, features, truth, n_repeats=IMPORTANCE_REPEATS, random_state=seed
    )
    values = np.clip(result.importances_mean, 0, None)
    return pd.Series(values, index=features.columns, name="importance").sort_values(ascending=False)
