"""The estimator ``model.estimator`` names: a short name, or the import path of any class with
the scikit-learn API, checked before it is trained.

A short name stands for the classifier or the regressor of one family, chosen by the task, so
the same config trains either. Any other estimator is named by its import path, for example
``sklearn.ensemble.HistGradientBoostingRegressor`` or ``lightgbm.LGBMClassifier`` (once its
package is in requirements.txt). ``model.params`` reach its constructor unchanged; the top-level
``seed`` becomes its ``random_state`` when it takes one.
"""

import importlib
from collections.abc import Mapping
from typing import Any

from sklearn.base import BaseEstimator, is_classifier, is_regressor
from sklearn.utils._param_validation import InvalidParameterError

from .errors import ConfigError
from .schema import Task

SHORT_NAMES: dict[str, dict[Task, str]] = {
    "random_forest": {
        Task.CLASSIFICATION: "sklearn.ensemble.RandomForestClassifier",
        Task.REGRESSION: "sklearn.ensemble.RandomForestRegressor",
    },
    "extra_trees": {
        Task.CLASSIFICATION: "sklearn.ensemble.ExtraTreesClassifier",
        Task.REGRESSION: "sklearn.ensemble.ExtraTreesRegressor",
    },
    "hist_gradient_boosting": {
        Task.CLASSIFICATION: "sklearn.ensemble.HistGradientBoostingClassifier",
        Task.REGRESSION: "sklearn.ensemble.HistGradientBoostingRegressor",
    },
    "knn": {
        Task.CLASSIFICATION: "sklearn.neighbors.KNeighborsClassifier",
        Task.REGRESSION: "sklearn.neighbors.KNeighborsRegressor",
    },
    "logistic_regression": {Task.CLASSIFICATION: "sklearn.linear_model.LogisticRegression"},
    "ridge": {Task.REGRESSION: "sklearn.linear_model.Ridge"},
    "linear_regression": {Task.REGRESSION: "sklearn.linear_model.LinearRegression"},
}


def import_class(path: str) -> type:
    """The class at a dotted import path; ConfigError naming what could not be found."""
    module_name, _, class_name = path.rpartition(".")
    if not module_name:
        raise ConfigError(
            f"model.estimator {path!r} is neither a short name ({', '.join(SHORT_NAMES)}) "
            "nor an import path such as sklearn.ensemble.HistGradientBoostingRegressor"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ConfigError(
            f"model.estimator {path!r}: cannot import {module_name} ({error}); "
            "add its package to requirements.txt and run `make install`"
        ) from error
    found = getattr(module, class_name, None)
    if not isinstance(found, type):
        raise ConfigError(f"model.estimator {path!r}: {module_name} has no class {class_name}")
    return found


def estimator_path(name: str, task: Task) -> str:
    """The import path ``name`` stands for: itself, or the short name's model for ``task``."""
    if name not in SHORT_NAMES:
        return name
    paths = SHORT_NAMES[name]
    if task not in paths:
        fitting = sorted(short for short, tasks in SHORT_NAMES.items() if task in tasks)
        raise ConfigError(
            f"model.estimator {name!r} has no {task} model; for {task} choose one of "
            f"{', '.join(fitting)} or an import path"
        )
    return paths[task]


def task_of(estimator: Any) -> Task | None:
    """The task an estimator instance does, from scikit-learn's own tags."""
    if is_classifier(estimator):
        return Task.CLASSIFICATION
    if is_regressor(estimator):
        return Task.REGRESSION
    return None


def instantiate(estimator_class: type, params: Mapping[str, Any]) -> Any:
    """An instance with ``params``; an unknown parameter is named with the accepted ones."""
    if not issubclass(estimator_class, BaseEstimator) or not hasattr(estimator_class, "fit"):
        raise ConfigError(
            f"model.estimator {estimator_class.__name__} is not an estimator with the "
            "scikit-learn API (fit, predict, get_params)"
        )
    accepted = estimator_class().get_params(deep=False)
    unknown = sorted(set(map(str, params)) - set(accepted))
    if unknown:
        raise ConfigError(
            f"model.params {', '.join(unknown)} not accepted by {estimator_class.__name__} "
            f"(it accepts {', '.join(sorted(accepted))})"
        )
    if "random_state" in params:
        raise ConfigError("model.params.random_state: set the top-level seed instead")
    return estimator_class(**params)


def check_params(estimator: Any) -> None:
    """Check parameter values against the estimator's own constraints, as fit would.

    scikit-learn's estimators declare the type and range of each parameter; checking them now
    turns ``n_estimators: -3`` into one line before any data is read, instead of a traceback
    from the middle of training. Estimators of other libraries are checked when fitted.
    """
    validate = getattr(estimator, "_validate_params", None)
    if validate is None:
        return
    try:
        validate()
    except InvalidParameterError as error:
        raise ConfigError(f"model.params: {error}") from error


def build_estimator(name: str, params: Mapping[str, Any], task: Task, seed: int) -> Any:
    """The unfitted estimator the config names, checked to fit ``task``, seeded when it can be."""
    path = estimator_path(name, task)
    estimator = instantiate(import_class(path), params)
    does = task_of(estimator)
    if does != task:
        what = f"a {does} model" if does else "neither a classifier nor a regressor"
        raise ConfigError(
            f"model.estimator {name!r} is not a {task} model: {type(estimator).__name__} is {what}"
        )
    if "random_state" in estimator.get_params(deep=False):
        estimator.set_params(random_state=seed)
    check_params(estimator)
    return estimator
