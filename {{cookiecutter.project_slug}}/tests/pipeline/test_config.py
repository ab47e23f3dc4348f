"""Tests of the training config: the shipped ones are valid, and each mistake is named precisely."""

import copy
import re
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.pipeline.config import load_config, parse_config
from {{ cookiecutter.package_name }}.pipeline.errors import ConfigError
from {{ cookiecutter.package_name }}.pipeline.estimators import build_estimator
from {{ cookiecutter.package_name }}.pipeline.schema import Task

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
# The training configs the project ships: the default and the examples beside it.
SHIPPED = [CONFIGS / "train.yaml", *sorted((CONFIGS / "examples").glob("*.yaml"))]
REMOVE = object()
# (dotted setting, new value or REMOVE, what the error must say)
MISTAKES = {
    "missing-seed": ("seed", REMOVE, "seed: missing"),
    "misspelt-key": ("sead", 1, "sead: unknown setting"),
    "misspelt-nested-key": ("data.target_column", "x", "data.target_column: unknown setting"),
    "seed-not-a-number": ("seed", "forty-two", "seed: Input should be a valid integer"),
    "seed-negative": ("seed", -1, "seed: Input should be greater than or equal to 0, not -1"),
    "test-size-above-one": ("split.test_size", 1.5, "split.test_size: Input should be less than 1"),
    "unknown-task": ("task", "clustering", "task: Input should be 'classification' or 'regr"),
    "no-features": ("data.features", {}, "data.features: lists no column"),
    "feature-twice": ("data.features", ["size", "size"], "data.features: lists size more than"),
    "target-as-feature": ("data.features", ["size", "outcome"], "features lists the target 'ou"),
    "unknown-kind": ("data.features", {"size": "text"}, "data.features.size.+'numeric', 'categ"),
    "forbid-missing-not-a-feature": ("data.forbid_missing", ["age"], "forbid_missing names age"),
    "empty-path": ("data.path", "", "data.path: must name a CSV file"),
    "empty-target": ("data.target", " ", "data.target: String should have at least 1 char"),
    "min-rows-one": ("data.min_rows", 1, "data.min_rows: Input should be greater than or equal"),
    "params-not-a-mapping": ("model.params", [1, 2], "model.params: Input should be a valid dict"),
    "section-not-a-mapping": ("outputs", "models/", "outputs: Input should be a valid dictionary"),
    "old-model-type": ("model.type", "random_forest", "'type' is now 'estimator'"),
{%- if cookiecutter.__tracking == 'mlflow' %}
    "missing-tracking": ("tracking", REMOVE, "tracking: missing"),
{%- endif %}
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


def buildable_tasks(config) -> list[Task]:
    """The tasks the config's estimator and parameters can be built for."""
    tasks = []
    for task in Task:
        try:
            build_estimator(config.model.estimator, config.model.params, task, config.seed)
        except ConfigError:
            continue
        tasks.append(task)
    return tasks


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_shipped_configs_are_valid(path):
    """Each shipped config loads, and its estimator and parameters fit a task it may have.

    Only validity is checked: which data the config names is the user's choice, checked by
    test_data_contract.py against the data itself.
    """
    config = load_config(path)
    tasks = buildable_tasks(config)
    assert tasks and (config.known_task() is None or config.known_task() in tasks)


def test_the_tests_settings_parse(config, settings):
    """The tests' own settings are valid, and keep the features' order and kinds."""
    assert config.data.path == Path(settings["data"]["path"])
    assert list(config.data.features) == ["size", "weight (kg)", "colour", "member"]
    assert config.data.features["colour"] == "categorical"


@pytest.mark.parametrize(("dotted", "value", "message"), MISTAKES.values(), ids=MISTAKES.keys())
def test_each_mistake_is_named(settings, dotted, value, message):
    """The error names the setting and says what it should be."""
    with pytest.raises(ConfigError, match=message):
        parse_config(changed(settings, dotted, value))


def test_every_mistake_is_reported_at_once(settings):
    """Two wrong settings, two lines: the config is fixed in one go."""
    wrong = changed(changed(settings, "seed", -1), "split.test_size", 0)
    with pytest.raises(ConfigError) as refused:
        parse_config(wrong)
    assert str(refused.value).splitlines() == [
        "seed: Input should be greater than or equal to 0, not -1",
        "  split.test_size: Input should be greater than 0, not 0",
    ]


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        ({"size": "numeric", "colour": "auto"}, {"size": "numeric", "colour": "auto"}),
        (["size", "colour"], {"size": "auto", "colour": "auto"}),
        (REMOVE, None),
    ],
    ids=["mapping", "list", "absent"],
)
def test_features_are_a_mapping_a_list_or_left_out(settings, features, expected):
    """A list infers every kind; leaving features out means every column but the target."""
    settings = changed(settings, "data.forbid_missing", [])
    assert parse_config(changed(settings, "data.features", features)).data.features == expected


def test_forbid_missing_may_name_any_column_when_features_are_inferred(settings):
    """Without a features list there is nothing to check the names against yet."""
    settings = changed(changed(settings, "data.features", REMOVE), "data.forbid_missing", ["a"])
    assert parse_config(settings).data.forbid_missing == ("a",)


def test_empty_params_mean_none(settings):
    """``params:`` with nothing after it is an empty mapping, not a mistake."""
    assert parse_config(changed(settings, "model.params", None)).model.params == {}


def test_the_task_is_known_when_declared_or_named_by_the_estimator(settings):
    """A declared task, or an estimator path's own task; a short name alone leaves it open."""
    assert parse_config(settings).known_task() is None
    declared = changed(settings, "task", "regression")
    declared["model"] = {"estimator": "ridge", "params": {}}
    assert parse_config(declared).known_task() == Task.REGRESSION
    by_path = changed(settings, "model", {"estimator": "sklearn.svm.SVR", "params": {}})
    assert parse_config(by_path).known_task() == Task.REGRESSION


def test_settings_are_plain_values(config):
    """What lineage hashes and tracking logs: JSON types only, paths as text."""
    settings = config.settings
    assert settings["data"]["path"] == config.data.path.as_posix()
    assert settings["data"]["features"]["member"] == "boolean"
    assert settings["model"] == {"estimator": "random_forest", "params": config.model.params}


def test_errors_of_a_file_start_with_its_path(tmp_path):
    """A message that names the file tells which config to open."""
    path = tmp_path / "broken.yaml"
    path.write_text("seed: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^{re.escape(str(path))} is not valid YAML"):
        load_config(path)
    path.write_text("seed: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^{re.escape(str(path))}: data: missing"):
        load_config(path)
    path.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="the config must be a mapping of seed, task, data"):
        load_config(path)


def test_a_missing_config_file_is_an_os_error(tmp_path):
    """The command line reports it in one line, like any missing file."""
    with pytest.raises(FileNotFoundError, match="training config"):
        load_config(tmp_path / "absent.yaml")
