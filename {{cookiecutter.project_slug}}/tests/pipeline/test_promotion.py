"""Tests of the promotion gate: first model, ties, a better model, the margin, and the record."""

import copy
import dataclasses

import pytest
from mlflow import MlflowClient

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.pipeline.config import (
    ModelConfig,
    PromotionConfig,
    load_config,
    parse_config,
)
from {{ cookiecutter.package_name }}.pipeline.errors import ConfigError
from {{ cookiecutter.package_name }}.pipeline.promotion import (
    CHAMPION_ALIAS,
    PromotionError,
    is_better,
    model_score,
    promote,
)
from {{ cookiecutter.package_name }}.pipeline.run import prepare_data, run_training
from {{ cookiecutter.package_name }}.pipeline.tracking import log_training_run, tracking_uri
from {{ cookiecutter.package_name }}.pipeline.train import build_pipeline, train_model

# Scores the held-out probabilities better than the small forest of the tests' config does.
BETTER_MODEL = ModelConfig(kind="logistic_regression", params={})


def train(config) -> str:
    """Train and register a model as ``make train`` does; return its version."""
    return log_training_run(run_training(config)).model_version


def champion_version(config) -> str:
    """The version the champion alias points at."""
    client = MlflowClient(tracking_uri())
    return str(
        client.get_model_version_by_alias(config.tracking.registered_model, CHAMPION_ALIAS).version
    )


def run_of(config, version: str):
    """The MLflow run that registered ``version``."""
    client = MlflowClient(tracking_uri())
    run_id = client.get_model_version(config.tracking.registered_model, version).run_id
    return client.get_run(run_id)


def test_the_shipped_gate_compares_log_loss_and_keeps_ties(shipped_config):
    """Accuracy ties on wine; the shipped gate compares probabilities, with no margin."""
    promotion = load_config(shipped_config).promotion
    assert (promotion.metric, promotion.margin) == ("log_loss", 0.0)
    assert not promotion.higher_is_better


def test_a_tie_keeps_the_champion_and_a_better_model_takes_over(config, config_file, capsys):
    """First model promoted; the same config again ties and stays out; a better one moves in.

    This is the gate's whole life in order: each step depends on the registry the previous
    one left, and training is the slow part, so it is one test rather than four.
    """
    assert train(config) == "1"
    decision = promote(config)
    assert (decision.promoted, decision.champion_version) == (True, None)
    assert champion_version(config) == "1"

    assert train(config) == "2"
    tie = promote(config)
    assert not tie.promoted
    assert tie.challenger_score == tie.champion_score
    assert champion_version(config) == "1"
    recorded = run_of(config, "2")
    assert recorded.data.tags["promotion.promoted"] == "false"
    assert recorded.data.metrics["promotion.challenger_log_loss"] == tie.challenger_score
    assert recorded.data.metrics["promotion.champion_log_loss"] == tie.champion_score

    assert train(dataclasses.replace(config, model=BETTER_MODEL)) == "3"
    better = promote(config)
    assert better.promoted and better.challenger_score < better.champion_score
    assert champion_version(config) == "3"
    assert "promoted version 3" in run_of(config, "3").data.tags["promotion.decision"]

    assert main(["promote", "--config", str(config_file)]) == 0
    output = capsys.readouterr().out
    assert "version 3 is already the champion" in output
    assert "is version 3" in output


@pytest.mark.parametrize(
    "challenger, champion, metric, margin, expected",
    [
        (0.10, 0.20, "log_loss", 0.0, True),
        (0.20, 0.20, "log_loss", 0.0, False),
        (0.15, 0.20, "log_loss", 0.1, False),
        (0.30, 0.20, "log_loss", 0.0, False),
        (0.99, 0.98, "accuracy", 0.0, True),
        (1.00, 1.00, "accuracy", 0.0, False),
        (0.99, 0.98, "f1_macro", 0.05, False),
    ],
)
def test_better_means_beyond_the_margin_in_the_metric_direction(
    challenger, champion, metric, margin, expected
):
    """Lower log loss, higher accuracy: better only by more than the margin; ties never."""
    assert is_better(challenger, champion, PromotionConfig(metric, margin)) is expected


def test_log_loss_separates_models_that_accuracy_ties(config):
    """Two models that classify every held-out row right still differ in log loss."""
    split = prepare_data(config)
    forest = train_model(build_pipeline(config), split)
    linear = train_model(build_pipeline(dataclasses.replace(config, model=BETTER_MODEL)), split)
    assert model_score(forest, split, "accuracy") == model_score(linear, split, "accuracy")
    assert model_score(linear, split, "log_loss") < model_score(forest, split, "log_loss")


@pytest.mark.parametrize(
    "promotion, message",
    [
        ({"metric": "roc", "margin": 0}, "promotion.metric 'roc' is not one of"),
        ({"metric": "log_loss", "margin": -0.1}, "promotion.margin must be a number of at least 0"),
        ({"metric": "log_loss", "margin": True}, "promotion.margin must be a number"),
        ({"metric": "log_loss"}, "missing promotion.margin"),
    ],
)
def test_promotion_settings_are_checked(settings, promotion, message):
    """A mistake in the promotion section names the setting."""
    settings = copy.deepcopy(settings)
    settings["promotion"] = promotion
    with pytest.raises(ConfigError, match=message):
        parse_config(settings)


def test_promote_command_without_a_challenger_says_to_train(config, config_file, capsys):
    """Promoting before any training run: a one-line error and status 1, not a traceback."""
    with pytest.raises(PromotionError, match="run `make train` first"):
        promote(config)
    assert main(["promote", "--config", str(config_file)]) == 1
    assert "run `make train` first" in capsys.readouterr().err
