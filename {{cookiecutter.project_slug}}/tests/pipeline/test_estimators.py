"""Tests of the estimators a config may name: short names, import paths, and every refusal."""

import pytest
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor

from {{ cookiecutter.package_name }}.pipeline.config import parse_config
from {{ cookiecutter.package_name }}.pipeline.errors import ConfigError
from {{ cookiecutter.package_name }}.pipeline.estimators import SHORT_NAMES, build_estimator
from {{ cookiecutter.package_name }}.pipeline.run import prepare_data
from {{ cookiecutter.package_name }}.pipeline.schema import Task
from {{ cookiecutter.package_name }}.pipeline.train import build_pipeline

CLASSIFICATION, REGRESSION = Task.CLASSIFICATION, Task.REGRESSION
# (name, params, task, the error's words)
REFUSED = {
    "unknown-short-name": ("magic", {}, CLASSIFICATION, "'magic' is neither a short name"),
    "not-importable": ("nosuchpackage.Model", {}, REGRESSION, "cannot import nosuchpackage"),
    "no-such-class": ("sklearn.ensemble.Nope", {}, REGRESSION, "sklearn.ensemble has no class"),
    "not-an-estimator": ("collections.OrderedDict", {}, REGRESSION, "is not an estimator"),
    "a-transformer": (
        "sklearn.preprocessing.StandardScaler",
        {},
        REGRESSION,
        "StandardScaler is neither a classifier nor a regressor",
    ),
    "classifier-for-regression": (
        "sklearn.ensemble.RandomForestClassifier",
        {},
        REGRESSION,
        "is not a regression model: RandomForestClassifier is a classification model",
    ),
    "short-name-without-the-task": (
        "logistic_regression",
        {},
        REGRESSION,
        "'logistic_regression' has no regression model; for regression choose one of",
    ),
    "unknown-param": ("random_forest", {"n_trees": 5}, REGRESSION, "model.params n_trees not acc"),
    "own-random-state": ("ridge", {"random_state": 1}, REGRESSION, "set the top-level seed"),
    "param-out-of-range": (
        "random_forest",
        {"n_estimators": -3},
        CLASSIFICATION,
        r"^model.params: The 'n_estimators' parameter of RandomForestClassifier must be an int "
        r"in the range \[1, inf\). Got -3 instead.$",
    ),
    "param-of-the-wrong-type": (
        "knn",
        {"n_neighbors": "five"},
        REGRESSION,
        "The 'n_neighbors' parameter of KNeighborsRegressor must be",
    ),
}


@pytest.mark.parametrize(
    ("name", "task", "expected"),
    [
        ("random_forest", CLASSIFICATION, RandomForestClassifier),
        ("hist_gradient_boosting", REGRESSION, HistGradientBoostingRegressor),
        ("knn", REGRESSION, KNeighborsRegressor),
        ("logistic_regression", CLASSIFICATION, LogisticRegression),
        ("ridge", REGRESSION, Ridge),
        (
            "sklearn.ensemble.HistGradientBoostingRegressor",
            REGRESSION,
            HistGradientBoostingRegressor,
        ),
    ],
)
def test_a_short_name_or_a_path_gives_the_estimator_of_the_task(name, task, expected):
    """A short name stands for the classifier or the regressor, as the task needs."""
    assert isinstance(build_estimator(name, {}, task, seed=1), expected)


@pytest.mark.parametrize("name", sorted(SHORT_NAMES))
def test_every_short_name_names_estimators_of_its_tasks(name):
    """The table is right: each entry builds, and does the task it is listed under."""
    for task in SHORT_NAMES[name]:
        build_estimator(name, {}, task, seed=1)


def test_params_reach_the_estimator_and_the_seed_is_its_random_state():
    """``model.params`` go to the constructor unchanged; ``seed`` becomes random_state."""
    forest = build_estimator("random_forest", {"n_estimators": 7}, REGRESSION, seed=11)
    assert (forest.n_estimators, forest.random_state) == (7, 11)
    assert "random_state" not in build_estimator("knn", {}, REGRESSION, seed=11).get_params()


@pytest.mark.parametrize(
    ("name", "params", "task", "message"), REFUSED.values(), ids=REFUSED.keys()
)
def test_a_wrong_estimator_or_parameter_is_named_in_one_line(name, params, task, message):
    """Each refusal is a ConfigError of one line naming the setting, never a traceback."""
    with pytest.raises(ConfigError, match=message) as refused:
        build_estimator(name, params, task, seed=1)
    assert len(str(refused.value).splitlines()) == 1
    assert str(refused.value).startswith("model.")


def test_the_estimator_is_checked_when_the_config_loads_if_the_task_is_known(settings):
    """With the task declared, a bad parameter fails before any data is read."""
    settings = {**settings, "task": "classification"}
    settings["model"] = {"estimator": "random_forest", "params": {"n_estimators": -3}}
    with pytest.raises(ConfigError, match="'n_estimators' parameter"):
        parse_config(settings)


def test_an_estimator_path_is_checked_when_the_config_loads(settings):
    """An import path brings its own task, so the estimator is checked before any data is read:
    a regressor makes the task regression, and a class that is no estimator is refused."""
    settings["model"] = {"estimator": "sklearn.ensemble.RandomForestRegressor", "params": {}}
    assert parse_config(settings).known_task() == REGRESSION
    settings["model"] = {"estimator": "collections.OrderedDict", "params": {}}
    with pytest.raises(ConfigError, match="OrderedDict is not an estimator"):
        parse_config(settings)


def test_a_short_name_is_checked_once_the_data_says_the_task(settings):
    """Without a declared task the config loads; building the model names the bad parameter."""
    settings["model"] = {"estimator": "random_forest", "params": {"n_estimators": -3}}
    config = parse_config(settings)
    with pytest.raises(ConfigError, match="'n_estimators' parameter of RandomForestClassifier"):
        build_pipeline(config, prepare_data(config).schema)
