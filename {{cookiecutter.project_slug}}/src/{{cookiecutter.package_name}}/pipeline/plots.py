"""Evaluation plots, saved as PNG files a person can open and a tracker can store.

Each task has its plots: a classifier's confusion matrix (and, for two classes with
probabilities, its ROC and precision-recall curves); a regressor's predictions against the
truth and its residuals. Every model gets the feature-importance plot. The figures are drawn
with matplotlib's object-oriented API and never shown, so plotting needs no display and works
the same on a laptop, in CI and in a container.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    PrecisionRecallDisplay,
    PredictionErrorDisplay,
    RocCurveDisplay,
)
from sklearn.pipeline import Pipeline

from .schema import Task

FEATURE_IMPORTANCE_FILE = "feature_importance.png"
# Points a regression plot draws at most: a sample keeps large test sets readable and fast.
PLOTTED_POINTS = 2000


@dataclass(frozen=True)
class HeldOut:
    """The held-out rows and what the model made of them, which every plot draws from: its
    labels, and its class probabilities when it gives them (None otherwise)."""

    model: Pipeline
    features: pd.DataFrame
    truth: pd.Series
    predicted: pd.Series
    probabilities: Any = None


def save(figure: Figure, path: Path) -> Path:
    """Write ``figure`` to ``path``, creating its folder; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    return path


def new_axes(title: str, size: tuple[float, float] = (5, 4.5)) -> tuple[Figure, Axes]:
    """A figure with one titled plot."""
    figure = Figure(figsize=size, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(title)
    return figure, axes


def confusion_matrix(held_out: HeldOut) -> Figure:
    """Counts of each true class (rows) against each predicted class (columns)."""
    figure, axes = new_axes("Confusion matrix on the held-out rows")
    ConfusionMatrixDisplay.from_predictions(
        held_out.truth, held_out.predicted, ax=axes, cmap="Blues", colorbar=False
    )
    return figure


def positive_scores(held_out: HeldOut) -> tuple[pd.Series, pd.Series]:
    """Whether each row is of the positive (second) class, and the model's probability of it."""
    positive = held_out.model.classes_[1]
    return held_out.truth == positive, held_out.probabilities[:, 1]


def roc_curve(held_out: HeldOut) -> Figure:
    """True against false positive rate, over every probability threshold."""
    figure, axes = new_axes(f"ROC curve ({held_out.model.classes_[1]} is positive)")
    RocCurveDisplay.from_predictions(*positive_scores(held_out), ax=axes, plot_chance_level=True)
    return figure


def precision_recall(held_out: HeldOut) -> Figure:
    """Precision against recall, over every probability threshold."""
    figure, axes = new_axes(f"Precision-recall ({held_out.model.classes_[1]} is positive)")
    PrecisionRecallDisplay.from_predictions(*positive_scores(held_out), ax=axes)
    return figure


def regression_plot(held_out: HeldOut, kind: str, title: str) -> Figure:
    """One of scikit-learn's prediction-error plots, of a seeded sample of the rows."""
    figure, axes = new_axes(title)
    PredictionErrorDisplay.from_predictions(
        held_out.truth,
        held_out.predicted,
        kind=kind,
        ax=axes,
        subsample=PLOTTED_POINTS,
        random_state=0,
    )
    return figure


def predicted_vs_actual(held_out: HeldOut) -> Figure:
    """Each held-out row's prediction against its true value; perfect ones lie on the diagonal."""
    return regression_plot(held_out, "actual_vs_predicted", "Predicted against actual values")


def residuals(held_out: HeldOut) -> Figure:
    """Each row's error against its prediction: a pattern shows what the model misses."""
    return regression_plot(held_out, "residual_vs_predicted", "Residuals of the held-out rows")


def is_binary_with_probabilities(held_out: HeldOut) -> bool:
    """Two classes and predicted probabilities: what the ROC and PR curves need."""
    return held_out.probabilities is not None and len(held_out.model.classes_) == 2


# Per task: (file name, the plot, when it applies) in the order they are drawn.
Plot = tuple[str, Callable[[HeldOut], Figure], Callable[[HeldOut], bool]]
TASK_PLOTS: dict[Task, list[Plot]] = {
    Task.CLASSIFICATION: [
        ("confusion_matrix.png", confusion_matrix, lambda _: True),
        ("roc_curve.png", roc_curve, is_binary_with_probabilities),
        ("precision_recall.png", precision_recall, is_binary_with_probabilities),
    ],
    Task.REGRESSION: [
        ("predicted_vs_actual.png", predicted_vs_actual, lambda _: True),
        ("residuals.png", residuals, lambda _: True),
    ],
}


def plot_task(held_out: HeldOut, task: Task, folder: Path) -> list[Path]:
    """Draw and save every plot of ``task`` that applies; the paths written.

    Plots of an earlier run that this one does not draw (another task's, say) are removed
    first, so the folder never shows a stale plot beside the new ones.
    """
    for name in [name for plots in TASK_PLOTS.values() for name, _, _ in plots]:
        (folder / name).unlink(missing_ok=True)
    return [
        save(draw(held_out), folder / name)
        for name, draw, applies in TASK_PLOTS[task]
        if applies(held_out)
    ]


def plot_feature_importance(importances: pd.Series, path: Path) -> Path:
    """One horizontal bar per feature, the most important at the top."""
    figure, axes = new_axes("What the model relies on", (7, 0.35 * len(importances) + 1.2))
    ordered = importances.sort_values()
    axes.barh(ordered.index.astype(str), ordered.to_numpy())
    axes.set_xlabel("drop in score when the feature is shuffled")
    return save(figure, path)
