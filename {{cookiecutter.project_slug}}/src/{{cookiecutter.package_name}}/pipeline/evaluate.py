"""Evaluate step: measure the fitted model on the held-out rows, and explain what it relies on.

The metrics are macro averages next to plain accuracy: with classes of unequal size, accuracy
alone can look good while one class is always missed, and a macro average shows it.
"""

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    precision_score,
    recall_score,
)
from sklearn.pipeline import Pipeline

from .split import Split


def compute_metrics(truth: pd.Series, predicted: pd.Series) -> dict[str, float]:
    """Scores of the predictions for the held-out rows, each between 0 and 1, higher is better."""
    # A class never predicted has no precision: count it as 0 rather than warn.
    macro = {"average": "macro", "zero_division": 0}
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "balanced_accuracy": float(balanced_accuracy_score(truth, predicted)),
        "f1_macro": float(f1_score(truth, predicted, **macro)),
        "precision_macro": float(precision_score(truth, predicted, **macro)),
        "recall_macro": float(recall_score(truth, predicted, **macro)),
    }


def feature_importances(model: Pipeline, split: Split, seed: int) -> pd.Series:
    """How much the model relies on each feature, largest first.

    Tree ensembles report their own importances, and linear models their coefficients (the
    features are scaled, so their sizes compare); any other estimator is measured by how much
    shuffling each feature hurts it on the held-out rows, with a seeded shuffle.
    """
    estimator = model.named_steps["model"]
    if hasattr(estimator, "feature_importances_"):
        values = estimator.feature_importances_
    elif hasattr(estimator, "coef_"):
        values = np.abs(estimator.coef_).mean(axis=0)
    else:
        values = permutation_importance(
            model, split.test_features, split.test_target, random_state=seed
        ).importances_mean
    names = model.named_steps["features"].get_feature_names_out()
    return pd.Series(values, index=names, name="importance").sort_values(ascending=False)
