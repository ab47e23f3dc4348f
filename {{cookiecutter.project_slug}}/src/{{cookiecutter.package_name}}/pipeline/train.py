"""Train step: build the configured model, preprocessing included, and fit it on the training
rows."""

from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import InvalidParameterError

from .config import TrainConfig
from .errors import ConfigError
from .estimators import build_estimator
from .features import build_features
from .schema import DataSchema
from .split import Split


def build_pipeline(config: TrainConfig, schema: DataSchema) -> Pipeline:
    """The unfitted model: the features transformer of the schema, then the estimator.

    The estimator is checked here, once the task is known: it must exist, fit the task and
    accept its parameters (:func:`.estimators.build_estimator`).
    """
    model = config.model
    estimator = build_estimator(model.estimator, model.params, schema.task, config.seed)
    return Pipeline([("features", build_features(schema)), ("model", estimator)])


def train_model(pipeline: Pipeline, split: Split) -> Pipeline:
    """Fit ``pipeline`` on the training rows and return it, fitted.

    A parameter value an estimator refuses only when fitted (one of another library, or one
    scikit-learn checks late) is reported as a config mistake, naming the parameter.
    """
    try:
        return pipeline.fit(split.train_features, split.train_target)
    except InvalidParameterError as error:
        raise ConfigError(f"model.params: {error}") from error
