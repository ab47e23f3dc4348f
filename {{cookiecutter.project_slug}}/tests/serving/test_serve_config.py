"""Tests of the serving config: the shipped one loads, and mistakes are named."""

import pytest
import yaml

from {{ cookiecutter.package_name }}.pipeline.errors import ConfigError
from {{ cookiecutter.package_name }}.serving.settings import load_serve_config, parse_serve_config


@pytest.fixture(name="shipped_settings")
def fixture_shipped_settings(training_config) -> dict:
    """The shipped serving config, pointing at the shipped training config wherever tests run."""
    serve_config = training_config.parent / "serve.yaml"
    settings = yaml.safe_load(serve_config.read_text(encoding="utf-8"))
    return {**settings, "training_config": str(training_config)}


def test_the_shipped_config_serves_the_configured_features(
    shipped_settings, training_config, features
):
    """The request schema's features and the model name come from the training config."""
    settings = parse_serve_config(shipped_settings)
    assert settings.features == features
    training = yaml.safe_load(training_config.read_text(encoding="utf-8"))
    assert settings.registered_model == training["tracking"]["registered_model"]
    assert 0 <= settings.challenger_share <= 1


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("challenger_share", 1.5, "challenger_share must be a number from 0 to 1"),
        ("challenger_share", "half", "challenger_share must be a number from 0 to 1"),
        ("max_batch_rows", 0, "max_batch_rows must be a whole number of at least 1"),
        ("max_abs_value", -1, "max_abs_value must be a number above 0"),
        ("max_abs_value", float("inf"), "max_abs_value must be a number above 0"),
        ("micro_batch_rows", 2.5, "micro_batch_rows must be a whole number"),
        ("max_batch_size", 10, "unknown max_batch_size"),
        ("training_config", "missing.yaml", "missing.yaml does not exist"),
    ],
)
def test_mistakes_are_named(shipped_settings, key, value, message):
    """Each wrong or unknown setting gets a message naming it."""
    with pytest.raises((ConfigError, FileNotFoundError), match=message):
        parse_serve_config({**shipped_settings, key: value})


def test_errors_start_with_the_file(shipped_settings, tmp_path):
    """The message says which file to fix."""
    path = tmp_path / "serve.yaml"
    path.write_text(yaml.safe_dump({**shipped_settings, "challenger_share": 2}), encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^{path}: challenger_share"):
        load_serve_config(path)
