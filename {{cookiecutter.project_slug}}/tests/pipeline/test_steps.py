"""Tests of the split, features, train and evaluate steps, and of the plots, one by one."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.data import TARGET_COLUMN
from {{ cookiecutter.package_name }}.pipeline.config import ModelConfig
from {{ cookiecutter.package_name }}.pipeline.evaluate import compute_metrics, feature_importances
from {{ cookiecutter.package_name }}.pipeline.features import build_features
from {{ cookiecutter.package_name }}.pipeline.models import MODEL_KINDS
from {{ cookiecutter.package_name }}.pipeline.plots import (
    plot_confusion_matrix,
    plot_feature_importance,
)
from {{ cookiecutter.package_name }}.pipeline.split import split_dataset
from {{ cookiecutter.package_name }}.pipeline.train import build_pipeline, train_model

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def with_model(config, kind, **params):
    """``config`` training another model kind."""
    return dataclasses.replace(config, model=ModelConfig(kind=kind, params=params))


def test_split_holds_out_the_configured_share_per_class(wine, config):
    """A quarter of the 178 wines is held out, each cultivar in proportion."""
    split = split_dataset(wine, config)
    assert (len(split.train_target), len(split.test_target)) == (133, 45)
    shares = split.test_target.value_counts(normalize=True).sort_index()
    expected = wine[TARGET_COLUMN].value_counts(normalize=True).sort_index()
    assert np.allclose(shares, expected, atol=0.03)


def test_split_is_seeded(wine, config):
    """Same seed, same rows; another seed, other rows."""
    first, again = split_dataset(wine, config), split_dataset(wine, config)
    other = split_dataset(wine, dataclasses.replace(config, seed=config.seed + 1))
    assert list(first.test_target.index) == list(again.test_target.index)
    assert list(first.test_target.index) != list(other.test_target.index)


def test_split_keeps_only_the_configured_columns(wine, config):
    """A column the config does not name never reaches the model."""
    split = split_dataset(wine.assign(row_id=range(len(wine))), config)
    assert list(split.train_features.columns) == list(config.data.features)


def test_features_are_scaled_and_keep_their_names(wine, config):
    """Zero mean and unit variance per feature, under the column's own name."""
    transformer = build_features(config.data.features)
    scaled = transformer.fit_transform(wine)
    assert scaled.shape == (len(wine), len(config.data.features))
    assert np.allclose(scaled.mean(axis=0), 0) and np.allclose(scaled.std(axis=0), 1)
    assert list(transformer.get_feature_names_out()) == list(config.data.features)


@pytest.mark.parametrize("kind", sorted(MODEL_KINDS))
def test_every_model_kind_trains_and_predicts_every_class(wine, config, kind):
    """Each kind ``model.type`` can name learns the three cultivars."""
    config = with_model(config, kind)
    split = split_dataset(wine, config)
    model = train_model(build_pipeline(config), split)
    assert set(model.predict(split.test_features)) == {0, 1, 2}


def test_training_is_reproducible(wine, config):
    """Two fits with the same seed predict the same probabilities."""
    split = split_dataset(wine, config)
    first = train_model(build_pipeline(config), split).predict_proba(split.test_features)
    again = train_model(build_pipeline(config), split).predict_proba(split.test_features)
    assert np.array_equal(first, again)


def test_metrics_of_perfect_predictions_are_one():
    """Every metric is 1 when every prediction is right."""
    truth = pd.Series([0, 1, 2, 2])
    metrics = compute_metrics(truth, truth)
    assert set(metrics) == {
        "accuracy",
        "balanced_accuracy",
        "f1_macro",
        "precision_macro",
        "recall_macro",
    }
    assert all(value == 1.0 for value in metrics.values())


def test_macro_metrics_expose_a_missed_class():
    """Always predicting the majority class keeps accuracy high but not the macro F1."""
    truth = pd.Series([0] * 8 + [1] * 2)
    metrics = compute_metrics(truth, pd.Series([0] * 10))
    assert metrics["accuracy"] == 0.8
    assert metrics["f1_macro"] < 0.5


@pytest.mark.parametrize("kind", sorted(MODEL_KINDS))
def test_feature_importances_cover_every_feature(wine, config, kind):
    """One non-negative importance per feature, largest first."""
    config = with_model(config, kind)
    split = split_dataset(wine, config)
    model = train_model(build_pipeline(config), split)
    importances = feature_importances(model, split, config.seed)
    assert set(importances.index) == set(config.data.features)
    assert (importances >= 0).all() and importances.is_monotonic_decreasing


def test_feature_importances_of_a_model_without_its_own(wine, config):
    """A model with neither importances nor coefficients is measured by permutation."""
    split = split_dataset(wine, config)
    steps = [("features", build_features(config.data.features)), ("model", KNeighborsClassifier())]
    model = train_model(Pipeline(steps), split)
    importances = feature_importances(model, split, config.seed)
    assert set(importances.index) == set(config.data.features)
    assert importances.max() > 0


def test_plots_are_png_files(tmp_path):
    """Both plots are written as PNG images, creating their folder."""
    truth = pd.Series([0, 1, 2, 1])
    confusion = plot_confusion_matrix(truth, truth, tmp_path / "figures" / "confusion.png")
    importances = pd.Series([0.7, 0.3], index=["alcohol", "hue"])
    importance = plot_feature_importance(importances, tmp_path / "figures" / "importance.png")
    for path in (confusion, importance):
        assert path.read_bytes().startswith(PNG_SIGNATURE)
