"""Tests of the serving config: the shipped one is valid, and mistakes are named."""

from pathlib import Path

import pytest
import yaml

from {{ cookiecutter.package_name }}.pipeline.errors import ConfigError
from {{ cookiecutter.package_name }}.serving.settings import load_serve_config, parse_serve_config

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


@pytest.fixture(name="serve_settings")
def fixture_serve_settings(make_settings, write_yaml) -> dict:
    """The shipped serving settings, pointing at a training config of the tests' own."""
    settings = yaml.safe_load((CONFIGS / "serve.yaml").read_text(encoding="utf-8"))
    return {**settings, "training_config": str(write_yaml(make_settings(), "train.yaml"))}


def test_the_shipped_config_is_valid(serve_settings):
    """configs/serve.yaml loads (here with a training config of the tests' own)."""
    settings = parse_serve_config(serve_settings)
    assert 0 <= settings.challenger_share <= 1


def test_the_model_and_its_features_come_from_the_training_config(serve_settings, make_settings):
    """The registered model and the declared features are the training config's."""
    training = make_settings()
    settings = parse_serve_config(serve_settings)
    assert settings.registered_model == training["tracking"]["registered_model"]
    assert settings.features == ("size", "weight (kg)", "colour", "member")


def test_features_left_to_inference_are_none(serve_settings, make_settings, write_yaml):
    """Without declared features, any champion's features are served: no list to check."""
    training = make_settings()
    del training["data"]["features"]
    serve_settings["training_config"] = str(write_yaml(training, "inferred.yaml"))
    assert parse_serve_config(serve_settings).features is None


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("challenger_share", 1.5, "challenger_share: Input should be less than or equal to 1"),
        ("challenger_share", "half", "challenger_share: Input should be a valid number"),
        ("max_batch_rows", 0, "max_batch_rows: Input should be greater than or equal to 1"),
        ("max_abs_value", -1, "max_abs_value: Input should be greater than 0"),
        ("max_abs_value", float("inf"), "max_abs_value: Input should be a finite number"),
        ("micro_batch_rows", 2.5, "micro_batch_rows: Input should be a valid integer"),
        (
            "max_concurrent_requests",
            0,
            "max_concurrent_requests: Input should be greater than or equal to 1",
        ),
        ("max_batch_size", 10, "max_batch_size: unknown setting"),
        ("training_config", "missing.yaml", "missing.yaml does not exist"),
    ],
)
def test_mistakes_are_named(serve_settings, key, value, message):
    """Each wrong or unknown setting gets a message naming it."""
    with pytest.raises((ConfigError, FileNotFoundError), match=message):
        parse_serve_config({**serve_settings, key: value})


def test_errors_start_with_the_file(serve_settings, tmp_path):
    """The message says which file to fix."""
    path = tmp_path / "serve.yaml"
    path.write_text(yaml.safe_dump({**serve_settings, "challenger_share": 2}), encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^{path}: challenger_share"):
        load_serve_config(path)
