"""The estimators ``model.type`` can name, and how to read them back safely.

To offer another estimator, add an entry to ``MODEL_KINDS``: the config's ``model.params``
reach it unchanged, and their names are checked against the parameters it accepts when the
config is loaded, before any data is read.
"""

from dataclasses import dataclass

from sklearn.base import ClassifierMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression


@dataclass(frozen=True)
class ModelKind:
    """An estimator the config can name, and what a safe loader must trust to read it back.

    Models are saved in a format that refuses to load unknown types (skops, as MLflow does), so
    each kind lists the scikit-learn internals it is built from; they were reviewed, not guessed.
    """

    estimator: type[ClassifierMixin]
    trusted_types: tuple[str, ...]


MODEL_KINDS = {
    "logistic_regression": ModelKind(LogisticRegression, ()),
    "random_forest": ModelKind(RandomForestClassifier, ("sklearn.tree._tree.Tree",)),
}
