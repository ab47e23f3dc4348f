"""Train step: build the configured model and fit it on the training rows."""

from sklearn.base import ClassifierMixin
from sklearn.pipeline import Pipeline

from .config import TrainConfig
from .features import build_features
from .models import MODEL_KINDS
from .split import Split


def build_model(config: TrainConfig) -> ClassifierMixin:
    """The configured estimator (checked with the config), seeded from the top-level ``seed``."""
    estimator = MODEL_KINDS[config.model.kind].estimator
    return estimator(**config.model.params, random_state=config.seed)


def build_pipeline(config: TrainConfig) -> Pipeline:
    """The unfitted model: the features transformer, then the estimator."""
    steps = [("features", build_features(config.data.features)), ("model", build_model(config))]
    return Pipeline(steps)


def train_model(pipeline: Pipeline, split: Split) -> Pipeline:
    """Fit ``pipeline`` on the training rows and return it, fitted.

    Parameter values are checked by scikit-learn here, with a message naming the parameter.
    """
    return pipeline.fit(split.train_features, split.train_target)
