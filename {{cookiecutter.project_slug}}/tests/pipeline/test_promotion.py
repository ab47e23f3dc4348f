"""Tests of the promotion gate: per-task metrics, first model, ties, a better model, the margin,
models of other features refused (or replaced on request), and the record of each decision."""

import pytest
from mlflow import MlflowClient

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.pipeline.config import parse_config
from {{ cookiecutter.package_name }}.pipeline.errors import ConfigError
from {{ cookiecutter.package_name }}.pipeline.promotion import (
    CHAMPION_ALIAS,
    PromotionError,
    is_better,
    promote,
    same_inputs,
)
from {{ cookiecutter.package_name }}.pipeline.schema import DataSchema, Feature, Kind, Task
from {{ cookiecutter.package_name }}.pipeline.tracking import log_training_run, tracking_uri


@pytest.fixture(name="train")
def fixture_train(fit):
    """Train and register a model as ``make train`` does (another estimator if given, and
    without plots); its version."""

    def train(settings, **model) -> str:
        if model:
            settings = {**settings, "model": model}
        return log_training_run(fit(settings)).model_version

    return train


def champion_version(config) -> str:
    """The version the champion alias points at."""
    client = MlflowClient(tracking_uri())
    name = config.tracking.registered_model
    return str(client.get_model_version_by_alias(name, CHAMPION_ALIAS).version)


def run_of(config, version: str):
    """The MLflow run that registered ``version``."""
    client = MlflowClient(tracking_uri())
    run_id = client.get_model_version(config.tracking.registered_model, version).run_id
    return client.get_run(run_id)


@pytest.mark.parametrize(
    ("task", "metric"), [("classification", "log_loss"), ("regression", "rmse")]
)
def test_each_task_has_its_default_metric_lower_is_better(make_settings, task, metric):
    """Left out, the metric is the task's: log loss for classes, RMSE for quantities."""
    promotion = parse_config(make_settings(task)).promotion
    assert promotion.metric is None
    assert promotion.metric_for(Task(task)) == metric
    assert not promotion.higher_is_better(Task(task))


def test_a_chosen_metric_keeps_its_own_direction(settings):
    """Accuracy is better higher, log loss lower."""
    settings["promotion"] = {"metric": "accuracy", "margin": 0.01}
    promotion = parse_config(settings).promotion
    assert promotion.metric_for(Task.CLASSIFICATION) == "accuracy"
    assert promotion.higher_is_better(Task.CLASSIFICATION)


def test_a_tie_keeps_the_champion_and_a_better_model_takes_over(
    settings, config, config_file, train, capsys
):
    """First model promoted; the same model again ties and stays out; a better one moves in.

    This is the gate's whole life in order: each step depends on the registry the previous
    one left, and training is the slow part, so it is one test rather than four.
    """
    weak = {"estimator": "random_forest", "params": {"n_estimators": 2, "max_depth": 1}}
    assert train(settings, **weak) == "1"
    decision = promote(config)
    assert (decision.promoted, decision.champion_version, decision.metric) == (
        True,
        None,
        "log_loss",
    )
    assert champion_version(config) == "1"

    assert train(settings, **weak) == "2"
    tie = promote(config)
    assert not tie.promoted
    assert tie.challenger_score == tie.champion_score
    assert champion_version(config) == "1"
    recorded = run_of(config, "2")
    assert recorded.data.tags["promotion.promoted"] == "false"
    assert recorded.data.metrics["promotion.challenger_log_loss"] == tie.challenger_score
    assert recorded.data.metrics["promotion.champion_log_loss"] == tie.champion_score

    assert train(settings) == "3"
    better = promote(config)
    assert better.promoted and better.challenger_score < better.champion_score
    assert champion_version(config) == "3"
    assert "promoted version 3" in run_of(config, "3").data.tags["promotion.decision"]

    assert main(["promote", "--config", str(config_file)]) == 0
    output = capsys.readouterr().out
    assert "version 3 is already the champion" in output
    assert "is version 3" in output


def test_the_margin_keeps_a_champion_that_is_only_a_little_worse(regression_settings, train):
    """A regression gate on RMSE: a better model by less than the margin stays out."""
    regression_settings["promotion"] = {"margin": 1000.0}
    config = parse_config(regression_settings)
    weak = {"estimator": "random_forest", "params": {"n_estimators": 2, "max_depth": 1}}
    assert train(regression_settings, **weak) == "1"
    assert promote(config).promoted
    assert train(regression_settings, estimator="linear_regression", params={}) == "2"
    decision = promote(config)
    assert decision.metric == "rmse"
    assert decision.challenger_score < decision.champion_score
    assert not decision.promoted
    assert champion_version(config) == "1"


@pytest.mark.parametrize(
    ("challenger", "champion", "margin", "higher_is_better", "expected"),
    [
        (0.10, 0.20, 0.0, False, True),
        (0.20, 0.20, 0.0, False, False),
        (0.15, 0.20, 0.1, False, False),
        (0.30, 0.20, 0.0, False, False),
        (0.99, 0.98, 0.0, True, True),
        (1.00, 1.00, 0.0, True, False),
        (0.99, 0.98, 0.05, True, False),
    ],
)
def test_better_means_beyond_the_margin_in_the_metric_direction(
    challenger, champion, margin, higher_is_better, expected
):
    """Lower log loss or RMSE, higher accuracy: better only by more than the margin; ties never."""
    assert is_better(challenger, champion, margin, higher_is_better) is expected


@pytest.mark.parametrize(
    ("promotion", "message"),
    [
        ({"margin": -0.1}, "promotion.margin: Input should be greater than or equal to 0"),
        ({"margin": float("inf")}, "promotion.margin: Input should be a finite number"),
        ({"metric": "log_loss", "marjin": 0}, "promotion.marjin: unknown setting"),
        ({"metric": "rmse"}, "promotion.metric 'rmse' is not a classification metric"),
        ({"metric": "roc"}, "promotion.metric 'roc' is not a classification metric: choose one"),
    ],
)
def test_promotion_settings_are_checked(settings, promotion, message):
    """A mistake in the promotion section names the setting; a metric of another task is
    refused as soon as the task is known."""
    settings["task"] = "classification"
    settings["promotion"] = promotion
    with pytest.raises(ConfigError, match=message):
        parse_config(settings)


def test_a_metric_of_another_task_is_refused_once_the_data_tells_the_task(settings, train):
    """With the task left to be inferred, the config cannot check the metric; the gate does,
    before scoring anything: RMSE of class labels would compare nothing."""
    settings.pop("task", None)
    settings["promotion"] = {"metric": "rmse", "margin": 0.0}
    train(settings)
    with pytest.raises(ConfigError, match="promotion.metric 'rmse' is not a classification"):
        promote(parse_config(settings))


def schema_of(*features: tuple[str, Kind], task: Task = Task.CLASSIFICATION) -> DataSchema:
    """A schema of these features (name, kind)."""
    return DataSchema(task, "outcome", tuple(Feature(name, kind) for name, kind in features))


def test_same_inputs_means_same_task_columns_and_kinds():
    """Names, kinds and task count; their order, categories and missing values do not."""
    base = schema_of(("size", Kind.NUMERIC), ("colour", Kind.CATEGORICAL))
    assert same_inputs(base, schema_of(("size", Kind.NUMERIC), ("colour", Kind.CATEGORICAL)))
    assert same_inputs(base, schema_of(("colour", Kind.CATEGORICAL), ("size", Kind.NUMERIC)))
    assert not same_inputs(base, schema_of(("size", Kind.NUMERIC)))
    assert not same_inputs(base, schema_of(("size", Kind.NUMERIC), ("colour", Kind.NUMERIC)))
    regression = schema_of(
        ("size", Kind.NUMERIC), ("colour", Kind.CATEGORICAL), task=Task.REGRESSION
    )
    assert not same_inputs(base, regression)


def test_a_champion_of_other_features_is_refused_then_replaced_on_request(
    settings, config, write_yaml, train, capsys
):
    """A new data set under the same registered model: the gate cannot score the champion on
    the new rows, refuses with what to do, and crowns the challenger only when asked."""
    assert train(settings) == "1"
    assert promote(config).promoted
    narrower = {**settings, "data": {**settings["data"], "features": ["size", "colour"]}}
    assert train(narrower) == "2"
    narrow_config = parse_config(narrower)
    with pytest.raises(PromotionError) as refused:
        promote(narrow_config)
    message = str(refused.value)
    assert (
        "only the champion of 'model-classification' (version 1) takes weight (kg), member"
        in message
    )
    assert "tracking.registered_model" in message and "REPLACE_CHAMPION=yes" in message
    config_file = write_yaml(narrower, "narrow.yaml")
    assert main(["promote", "--config", str(config_file)]) == 1
    assert "cannot be scored on the same rows" in capsys.readouterr().err
    assert champion_version(config) == "1"

    assert main(["promote", "--config", str(config_file), "--replace-champion"]) == 0
    assert "without a comparison (--replace-champion)" in capsys.readouterr().out
    assert champion_version(config) == "2"


def test_replace_champion_still_compares_models_of_the_same_features(settings, config, train):
    """``replace_champion`` only skips a comparison that cannot be made."""
    weak = {"estimator": "random_forest", "params": {"n_estimators": 2, "max_depth": 1}}
    assert train(settings) == "1"
    assert promote(config, replace_champion=True).promoted
    assert train(settings, **weak) == "2"
    decision = promote(config, replace_champion=True)
    assert not decision.promoted and not decision.replaced
    assert champion_version(config) == "1"


def test_a_challenger_that_does_not_fit_the_config_is_refused(settings, config, train):
    """The challenger must take what the config describes now, or it cannot be scored; the
    message says how they differ, and to train first."""
    train({**settings, "data": {**settings["data"], "features": ["size", "colour"]}})
    with pytest.raises(PromotionError, match="only the training config takes weight .kg., member"):
        promote(config)
    with pytest.raises(PromotionError) as refused:
        promote(config)
    assert str(refused.value).endswith("run `make train` first")


def test_features_listed_in_another_order_are_compared(settings, config, train):
    """Rewriting the config with its features in another order (a YAML dump sorts them) keeps
    the champion comparable: the models select their columns by name."""
    train(settings)
    promote(config)
    features = dict(sorted(settings["data"]["features"].items(), reverse=True))
    assert list(features) != list(settings["data"]["features"])
    reordered = {**settings, "data": {**settings["data"], "features": features}}
    train(reordered)
    decision = promote(parse_config(reordered))
    assert decision.champion_version == "1" and decision.champion_score is not None


def test_promote_without_a_challenger_says_to_train(config, config_file, capsys):
    """Promoting before any training run: a one-line error and status 1, not a traceback."""
    with pytest.raises(PromotionError, match="run `make train` first"):
        promote(config)
    assert main(["promote", "--config", str(config_file)]) == 1
    assert "run `make train` first" in capsys.readouterr().err
