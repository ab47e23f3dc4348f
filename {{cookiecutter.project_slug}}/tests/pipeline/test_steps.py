"""Tests of the split, features, train and evaluate steps, and of the plots, one by one."""

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.pipeline.config import parse_config
from {{ cookiecutter.package_name }}.pipeline.evaluate import (
    DEFAULT_PROMOTION_METRIC,
    METRICS,
    compute_metrics,
    feature_importances,
)
from {{ cookiecutter.package_name }}.pipeline.features import MISSING_CATEGORY, build_features
from {{ cookiecutter.package_name }}.pipeline.plots import (
    HeldOut,
    plot_feature_importance,
    plot_task,
)
from {{ cookiecutter.package_name }}.pipeline.run import prepare_data
from {{ cookiecutter.package_name }}.pipeline.schema import DataSchema, Feature, Kind, Task
from {{ cookiecutter.package_name }}.pipeline.split import split_dataset
from {{ cookiecutter.package_name }}.pipeline.train import build_pipeline, train_model

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CLASSIFICATION_METRICS = {
    "accuracy",
    "balanced_accuracy",
    "f1_macro",
    "precision_macro",
    "recall_macro",
    "log_loss",
}
# A raw row as a CSV file or a client sends it: an empty number, a colour never seen in training.
RAW_ROW = {"size": 55.0, "weight (kg)": np.nan, "colour": "ultraviolet", "member": None}


def with_estimator(config, estimator: str, **params):
    """``config`` training another estimator."""
    model = config.model.model_copy(update={"estimator": estimator, "params": params})
    return config.model_copy(update={"model": model})


@pytest.fixture(name="prepared")
def fixture_prepared(config):
    """The classification data set, validated and split."""
    return prepare_data(config)


@pytest.fixture(name="regression_prepared")
def fixture_regression_prepared(regression_config):
    """The regression data set, validated and split."""
    return prepare_data(regression_config)


def test_classification_splits_keep_each_class_share(prepared, datasets):
    """Stratified: the held-out quarter has each class in the same proportion as the data."""
    split = prepared.split
    assert (len(split.train_target), len(split.test_target)) == (180, 60)
    counts = datasets["classification"]["outcome"].value_counts()
    tested = split.test_target.value_counts()
    assert all(abs(tested[label] - counts[label] / 4) <= 0.5 for label in counts.index)


def test_regression_splits_are_not_stratified(regression_prepared):
    """Every target value is distinct: a stratified split would refuse it, a plain one works."""
    split = regression_prepared.split
    assert (len(split.train_target), len(split.test_target)) == (180, 60)


def test_splits_are_seeded(datasets, config, prepared):
    """Same seed, same rows; another seed, other rows."""
    frame, schema = datasets["classification"], prepared.schema
    again = split_dataset(frame, schema, config)
    other = split_dataset(frame, schema, config.model_copy(update={"seed": config.seed + 1}))
    assert list(again.test_target.index) == list(prepared.split.test_target.index)
    assert list(other.test_target.index) != list(prepared.split.test_target.index)


def test_splits_keep_only_the_schema_columns(datasets, config, prepared):
    """A column the schema does not name never reaches the model."""
    frame = datasets["classification"].assign(row_id=range(240))
    split = split_dataset(frame, prepared.schema, config)
    assert list(split.train_features.columns) == list(prepared.schema.names)


def test_the_schema_learns_categories_and_classes_from_the_training_rows(prepared):
    """Categories most frequent first, classes sorted: what the API and the drift check use."""
    colour = prepared.schema.features[prepared.schema.names.index("colour")]
    assert colour.categories[:2] == ("red", "green")
    assert set(colour.categories) <= {"red", "green", "blue", "grey", "teal"}
    assert prepared.schema.classes == ("no", "yes")


@pytest.fixture(name="kinds_schema")
def fixture_kinds_schema() -> DataSchema:
    """One feature of each kind."""
    features = (
        Feature("number", Kind.NUMERIC),
        Feature("colour", Kind.CATEGORICAL),
        Feature("flag", Kind.BOOLEAN),
    )
    return DataSchema(Task.CLASSIFICATION, "outcome", features)


@pytest.mark.parametrize("text_dtype", ["str", object])
def test_features_impute_scale_and_encode_each_kind(kinds_schema, text_dtype):
    """Numbers: median, then scaled; categories: one-hot, empty as its own category, rare ones
    grouped; booleans: 0/1, empty as the most frequent. Text as pandas' str or as objects."""
    colours = ["red"] * 6 + ["blue"] * 5 + [None] * 5 + ["rare"]
    frame = pd.DataFrame(
        {
            "number": [1.0, np.nan, 3.0] + [2.0] * 14,
            "colour": pd.Series(colours, dtype=text_dtype),
            "flag": pd.Series([True, None, True] + [False] * 14, dtype=object),
        }
    )
    transformer = build_features(kinds_schema)
    encoded = pd.DataFrame(
        transformer.fit_transform(frame), columns=transformer.get_feature_names_out()
    )
    assert np.allclose(encoded["numeric__number"].mean(), 0)
    assert encoded["numeric__number"][1] == encoded["numeric__number"][3]
    assert {"categorical__colour_red", "categorical__colour_blue"} <= set(encoded.columns)
    assert f"categorical__colour_{MISSING_CATEGORY}" in encoded.columns
    assert "categorical__colour_infrequent_sklearn" in encoded.columns
    assert list(encoded["boolean__flag"][:4]) == [1.0, 0.0, 1.0, 0.0]


@pytest.mark.filterwarnings("ignore:Found unknown categories")
def test_an_unseen_category_sets_no_column(kinds_schema):
    """A new category is answered, as if it were none of the known ones."""
    frame = pd.DataFrame(
        {"number": [1.0] * 10, "colour": ["red"] * 5 + ["blue"] * 5, "flag": [True] * 10}
    )
    transformer = build_features(kinds_schema).fit(frame)
    unseen = frame.head(1).assign(colour="ultraviolet")
    encoded = pd.DataFrame(
        transformer.transform(unseen), columns=transformer.get_feature_names_out()
    )
    assert encoded.filter(like="colour").to_numpy().sum() == 0


@pytest.mark.filterwarnings("ignore:Found unknown categories")
@pytest.mark.parametrize(
    ("task", "estimator"),
    [
        ("classification", "random_forest"),
        ("classification", "hist_gradient_boosting"),
        ("classification", "logistic_regression"),
        ("classification", "knn"),
        ("regression", "extra_trees"),
        ("regression", "ridge"),
        ("regression", "linear_regression"),
        ("regression", "sklearn.ensemble.HistGradientBoostingRegressor"),
    ],
)
def test_the_model_takes_raw_rows_with_gaps_and_new_categories(make_settings, task, estimator):
    """Preprocessing lives in the saved model: a raw row with an empty cell, an unknown
    category and an empty flag is predicted, by every kind of estimator."""
    config = with_estimator(parse_config(make_settings(task)), estimator)
    prepared = prepare_data(config)
    model = train_model(build_pipeline(config, prepared.schema), prepared.split)
    (prediction,) = model.predict(pd.DataFrame([RAW_ROW]))
    if task == "classification":
        assert prediction in {"yes", "no"}
    else:
        assert np.isfinite(prediction)


def test_histogram_gradient_boosting_splits_on_category_codes(config, prepared):
    """An estimator that splits on categories itself gets one code column per categorical
    feature and is told which it is; the others get a 0/1 column per category."""
    boosting = with_estimator(config, "hist_gradient_boosting", max_iter=5)
    model = train_model(build_pipeline(boosting, prepared.schema), prepared.split)
    features = model.named_steps["features"].transform(prepared.split.test_features)
    assert features.shape[1] == len(prepared.schema.features)
    assert list(model.named_steps["model"].is_categorical_) == [False, False, True, False]
    forest = train_model(build_pipeline(config, prepared.schema), prepared.split)
    assert forest.named_steps["features"].transform(prepared.split.test_features).shape[1] > 4


def test_training_is_reproducible(config, prepared):
    """Two fits with the same seed predict the same probabilities."""
    fits = [train_model(build_pipeline(config, prepared.schema), prepared.split) for _ in "ab"]
    features = prepared.split.test_features
    assert np.array_equal(*(fit.predict_proba(features) for fit in fits))


@pytest.fixture(name="classifier")
def fixture_classifier(config, prepared):
    """The tests' small forest, fitted on the classification data set."""
    return train_model(build_pipeline(config, prepared.schema), prepared.split)


def test_classification_metrics_include_log_loss_and_binary_auc(classifier, prepared):
    """Every classification metric, probabilities included; ROC AUC since there are two classes."""
    split = prepared.split
    metrics = compute_metrics(
        classifier, split.test_features, split.test_target, Task.CLASSIFICATION
    )
    assert set(metrics) == CLASSIFICATION_METRICS | {"roc_auc"}
    assert metrics["accuracy"] > 0.7 and metrics["roc_auc"] > 0.7
    assert 0 < metrics["log_loss"] < 1


def test_three_classes_get_no_roc_auc_and_a_model_without_probabilities_no_log_loss(
    datasets, settings
):
    """ROC AUC needs two classes; log loss needs probabilities."""
    frame = datasets["classification"].copy()
    frame.loc[frame["size"] > 58, "outcome"] = "maybe"
    frame.to_csv(settings["data"]["path"], index=False)
    config = parse_config(settings)
    prepared = prepare_data(config)
    split = prepared.split
    model = train_model(build_pipeline(config, prepared.schema), split)
    metrics = compute_metrics(model, split.test_features, split.test_target, Task.CLASSIFICATION)
    assert set(metrics) == CLASSIFICATION_METRICS
    ridge = with_estimator(config, "sklearn.linear_model.RidgeClassifier")
    model = train_model(build_pipeline(ridge, prepared.schema), split)
    metrics = compute_metrics(model, split.test_features, split.test_target, Task.CLASSIFICATION)
    assert set(metrics) == CLASSIFICATION_METRICS - {"log_loss"}


def test_regression_metrics_are_rmse_mae_and_r2(regression_config, regression_prepared):
    """The regression metrics, on a model that learnt the data set."""
    split = regression_prepared.split
    model = train_model(build_pipeline(regression_config, regression_prepared.schema), split)
    metrics = compute_metrics(model, split.test_features, split.test_target, Task.REGRESSION)
    assert set(metrics) == {"rmse", "mae", "r2"}
    assert 0 < metrics["mae"] <= metrics["rmse"]
    assert metrics["r2"] > 0.5


def test_metrics_of_known_predictions():
    """Each regression metric computes what its name says, on predictions off by 1, 1, 2."""
    truth = pd.Series([1.0, 2.0, 3.0])
    predicted = np.array([2.0, 1.0, 5.0])
    scores = {name: METRICS[name].score(truth, predicted, None) for name in ("rmse", "mae", "r2")}
    assert scores["mae"] == pytest.approx(4 / 3)
    assert scores["rmse"] == pytest.approx(np.sqrt(2))
    assert scores["r2"] == pytest.approx(1 - 6 / 2)


def test_each_task_has_a_default_promotion_metric_of_its_own():
    """Log loss for classes, RMSE for quantities: both lower is better."""
    for task, name in DEFAULT_PROMOTION_METRIC.items():
        assert METRICS[name].task == task
        assert not METRICS[name].higher_is_better


def test_feature_importances_are_of_the_raw_columns(classifier, prepared):
    """One non-negative importance per raw feature (not per one-hot column), largest first."""
    split = prepared.split
    importances = feature_importances(classifier, split.test_features, split.test_target, 7)
    assert set(importances.index) == set(prepared.schema.names)
    assert (importances >= 0).all() and importances.is_monotonic_decreasing
    assert importances.index[0] in {"size", "colour"}


def held_out(model, prepared) -> HeldOut:
    """The held-out rows of ``prepared`` and ``model``'s predictions (and probabilities, when it
    gives them) of them, as training hands them to the plots."""
    split = prepared.split
    predicted = pd.Series(model.predict(split.test_features), index=split.test_target.index)
    gives = hasattr(model, "predict_proba")
    probabilities = model.predict_proba(split.test_features) if gives else None
    return HeldOut(model, split.test_features, split.test_target, predicted, probabilities)


def png_names(paths) -> list[str]:
    """The file names of written PNG images (each checked to be one)."""
    assert all(path.read_bytes().startswith(PNG_SIGNATURE) for path in paths)
    return [path.name for path in paths]


def test_each_task_draws_its_plots_and_removes_the_other_tasks(
    classifier, prepared, regression_config, regression_prepared, tmp_path
):
    """Binary classification: confusion matrix, ROC and precision-recall; regression: predicted
    against actual and residuals. A folder switched to the other task keeps no stale plot."""
    folder = tmp_path / "figures"
    drawn = png_names(plot_task(held_out(classifier, prepared), Task.CLASSIFICATION, folder))
    assert drawn == ["confusion_matrix.png", "roc_curve.png", "precision_recall.png"]
    regressor = train_model(
        build_pipeline(regression_config, regression_prepared.schema), regression_prepared.split
    )
    drawn = png_names(plot_task(held_out(regressor, regression_prepared), Task.REGRESSION, folder))
    assert drawn == ["predicted_vs_actual.png", "residuals.png"]
    assert sorted(path.name for path in folder.iterdir()) == sorted(drawn)


def test_a_classifier_without_probabilities_gets_no_curves(config, prepared, tmp_path):
    """ROC and precision-recall need probabilities: only the confusion matrix is drawn."""
    ridge = with_estimator(config, "sklearn.linear_model.RidgeClassifier")
    model = train_model(build_pipeline(ridge, prepared.schema), prepared.split)
    drawn = plot_task(held_out(model, prepared), Task.CLASSIFICATION, tmp_path)
    assert png_names(drawn) == ["confusion_matrix.png"]


def test_the_importance_plot_is_a_png_file(tmp_path):
    """Written as a PNG image, creating its folder."""
    importances = pd.Series([0.7, 0.3], index=["size", "weight (kg)"])
    path = plot_feature_importance(importances, tmp_path / "figures" / "importance.png")
    assert png_names([path]) == ["importance.png"]
