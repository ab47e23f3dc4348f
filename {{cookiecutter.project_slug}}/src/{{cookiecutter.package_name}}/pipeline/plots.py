"""Evaluation plots, saved as PNG files a person can open and a tracker can store.

The figures are drawn with matplotlib's object-oriented API and never shown, so plotting needs
no display and works the same on a laptop, in CI and in a container.
"""

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from sklearn.metrics import ConfusionMatrixDisplay

CONFUSION_MATRIX_FILE = "confusion_matrix.png"
FEATURE_IMPORTANCE_FILE = "feature_importance.png"


def save(figure: Figure, path: Path) -> Path:
    """Write ``figure`` to ``path``, creating its folder; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    return path


def plot_confusion_matrix(truth: pd.Series, predicted: pd.Series, path: Path) -> Path:
    """Counts of each true class (rows) against each predicted class (columns)."""
    figure = Figure(figsize=(5, 4.5), layout="constrained")
    axes = figure.add_subplot()
    ConfusionMatrixDisplay.from_predictions(truth, predicted, ax=axes, cmap="Blues", colorbar=False)
    axes.set_title("Confusion matrix on the held-out rows")
    return save(figure, path)


def plot_feature_importance(importances: pd.Series, path: Path) -> Path:
    """One horizontal bar per feature, the most important at the top."""
    figure = Figure(figsize=(7, 0.35 * len(importances) + 1.2), layout="constrained")
    axes = figure.add_subplot()
    ordered = importances.sort_values()
    axes.barh(ordered.index.astype(str), ordered.to_numpy())
    axes.set_xlabel("importance")
    axes.set_title("What the model relies on")
    return save(figure, path)
