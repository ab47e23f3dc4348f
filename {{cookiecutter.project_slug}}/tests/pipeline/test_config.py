"""Tests of the config: the shipped one loads, and each kind of mistake is named precisely."""

import copy
import re

import pytest

from {{ cookiecutter.package_name }}.pipeline.config import load_config, parse_config
from {{ cookiecutter.package_name }}.pipeline.errors import ConfigError
from {{ cookiecutter.package_name }}.pipeline.models import MODEL_KINDS

REMOVE = object()
# (dotted setting, new value or REMOVE, what the error must say)
MISTAKES = {
    "missing-seed": ("seed", REMOVE, "missing seed"),
    "misspelt-key": ("sead", 1, "unknown sead"),
    "misspelt-nested-key": ("data.target_column", "x", "unknown data.target_column"),
    "seed-not-a-number": ("seed", "forty-two", "seed must be a whole number"),
    "seed-boolean": ("seed", True, "seed must be a whole number"),
    "test-size-above-one": ("split.test_size", 1.5, "split.test_size must be a number between"),
    "no-features": ("data.features", [], "data.features must be a non-empty list"),
    "feature-twice": ("data.features", ["hue", "hue"], "data.features lists hue more than once"),
    "target-as-feature": ("data.features", ["hue", "target"], "lists the target 'target'"),
    "empty-path": ("data.path", "", "data.path must be a non-empty string"),
    "min-rows-one": ("data.min_rows", 1, "data.min_rows must be a whole number of at least 2"),
    "params-not-a-mapping": ("model.params", [1, 2], "model.params must be a mapping"),
    "section-not-a-mapping": ("outputs", "models/", "outputs must be a mapping"),
    "unknown-model": ("model.type", "magic", "model.type 'magic' is not one of logistic"),
    "unknown-param": ("model.params", {"n_trees": 5}, "model.params n_trees not accepted"),
    "own-seed": ("model.params", {"random_state": 1}, "set the top-level seed instead"),
}


def changed(settings, dotted, value):
    """A deep copy of ``settings`` with one setting replaced or removed."""
    settings = copy.deepcopy(settings)
    *parents, key = dotted.split(".")
    node = settings
    for parent in parents:
        node = node[parent]
    if value is REMOVE:
        del node[key]
    else:
        node[key] = value
    return settings


def test_shipped_config_loads_and_names_the_bundled_columns(shipped_config, wine):
    """The config in configs/ is valid and describes the wine dataset's columns."""
    config = load_config(shipped_config)
    assert config.model.kind in MODEL_KINDS
    assert config.data.target in wine.columns
    assert set(config.data.features) == set(wine.columns) - {config.data.target}


def test_fixture_settings_parse(config, wine_csv):
    """The tests' settings are the shipped ones, pointed at the test's data."""
    assert config.data.path == wine_csv


@pytest.mark.parametrize(("dotted", "value", "message"), MISTAKES.values(), ids=MISTAKES.keys())
def test_each_mistake_is_named(settings, dotted, value, message):
    """The error names the setting and says what it should be."""
    with pytest.raises(ConfigError, match=message):
        parse_config(changed(settings, dotted, value))


def test_errors_of_a_file_start_with_its_path(tmp_path):
    """A message that names the file tells which config to open."""
    path = tmp_path / "broken.yaml"
    path.write_text("seed: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^{re.escape(str(path))} is not valid YAML"):
        load_config(path)
    path.write_text("seed: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^{re.escape(str(path))}: missing data"):
        load_config(path)


def test_a_missing_config_file_is_an_os_error(tmp_path):
    """The command line reports it in one line, like any missing file."""
    with pytest.raises(FileNotFoundError, match="training config"):
        load_config(tmp_path / "absent.yaml")
