"""End-to-end tests: the whole pipeline and its commands, on the tests' own data, in seconds."""

import json

import pytest

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.pipeline.config import parse_config
from {{ cookiecutter.package_name }}.pipeline.lineage import file_sha256
from {{ cookiecutter.package_name }}.pipeline.run import load_model, run_evaluation, run_training

# Per task: metrics it must write (among others), and the plots drawn.
EXPECTED = {
    "classification": (
        {"accuracy", "log_loss", "roc_auc"},
        {"confusion_matrix.png", "roc_curve.png", "precision_recall.png"},
    ),
    "regression": ({"rmse", "mae", "r2"}, {"predicted_vs_actual.png", "residuals.png"}),
}


def read_json(path):
    """A JSON file written by the pipeline."""
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("task", sorted(EXPECTED))
def test_training_writes_the_model_lineage_metrics_and_plots_of_its_task(make_settings, task):
    """Every output of the config exists, with the metrics and the plots of the task."""
    config = parse_config(make_settings(task))
    result = run_training(config)
    outputs = config.outputs
    assert result.schema.task == task
    assert read_json(outputs.lineage)["data_sha256"] == file_sha256(config.data.path)
    metrics, plots = EXPECTED[task]
    assert read_json(outputs.metrics) == result.evaluation.metrics
    assert metrics <= set(result.evaluation.metrics)
    assert not {"rmse", "accuracy"} <= set(result.evaluation.metrics)
    assert {path.name for path in outputs.figures.iterdir()} == plots | {"feature_importance.png"}
    saved = load_model(outputs.model)
    features = result.split.test_features
    assert list(saved.predict(features)) == list(result.model.predict(features))


def test_training_twice_gives_the_same_metrics(config):
    """Seeded split and model: a second run reproduces the first exactly."""
    first = run_training(config).evaluation.metrics
    assert run_training(config).evaluation.metrics == first


def test_evaluation_of_the_saved_model_reproduces_the_training_metrics(regression_config):
    """The saved model, on the same held-out rows, scores what training reported."""
    trained = run_training(regression_config).evaluation.metrics
    regression_config.outputs.metrics.unlink()
    assert run_evaluation(regression_config).metrics == trained
    assert read_json(regression_config.outputs.metrics) == trained


def test_evaluation_without_a_model_says_to_train(config):
    """Evaluating before training names the command that makes the model."""
    with pytest.raises(FileNotFoundError, match="make train"):
        run_evaluation(config)


def test_nothing_is_written_when_the_data_is_refused(settings, write_yaml, datasets, capsys):
    """A refused file leaves no half-made model, metrics or plots behind."""
    datasets["classification"].head(20).to_csv(settings["data"]["path"], index=False)
    assert main(["train", "--config", str(write_yaml(settings, "train.yaml"))]) == 1
    assert "20 rows, fewer than data.min_rows=50" in capsys.readouterr().err
    assert not any(path.exists() for path in parse_config(settings).outputs.model_dump().values())


def test_train_and_evaluate_commands(config_file, config, capsys):
    """``train`` says what it learnt from and reports the metrics; ``evaluate`` repeats them."""
    assert main(["train", "--config", str(config_file)]) == 0
    trained = capsys.readouterr().out
    kinds = "1 boolean, 1 categorical, 2 numeric"
    assert f"Task: classification of 'outcome' from 4 features ({kinds})" in trained
    assert "Trained RandomForestClassifier on 180 rows, evaluated on 60 held-out rows" in trained
    assert main(["evaluate", "--config", str(config_file)]) == 0
    evaluated = capsys.readouterr().out
    log_loss = next(line for line in trained.splitlines() if "log_loss " in line)
    assert log_loss in evaluated
    assert config.outputs.model.is_file()


def test_train_prints_what_it_inferred(settings, write_yaml, capsys):
    """Task and kinds left out are printed, as a features mapping to paste into the config."""
    del settings["data"]["features"]
    assert main(["train", "--config", str(write_yaml(settings, "train.yaml"))]) == 0
    printed = capsys.readouterr().out.splitlines()
    reason = "inferred from the target 'outcome': it holds labels (2 distinct)"
    assert f"Note: task: classification ({reason})" in printed
    assert "Note: features: every column but the target (4)" in printed
    start = printed.index("Note: inferred kinds, to pin in the config:")
    assert printed[start + 1 : start + 6] == [
        "  features:",
        "    size: numeric",
        "    weight (kg): numeric",
        "    colour: categorical",
        "    member: boolean",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"split": {"test_size": 2}}, "split.test_size: Input should be less than 1, not 2"),
        (
            {"model": {"estimator": "random_forest", "params": {"n_estimators": -3}}},
            "model.params: The 'n_estimators' parameter of RandomForestClassifier must be an int",
        ),
        (
            {"model": {"type": "random_forest", "params": {}}},
            "model: 'type' is now 'estimator'",
        ),
        (
            {"model": {"estimator": "logistic_regression", "params": {}}, "task": "regression"},
            "'logistic_regression' has no regression model",
        ),
    ],
    ids=["range", "parameter", "old-key", "wrong-task"],
)
def test_a_config_mistake_is_one_line_not_a_traceback(
    settings, write_yaml, change, message, capsys
):
    """The command ends with status 1 and one line naming the file and the setting, also when
    the mistake shows only once the data told the task."""
    config_file = write_yaml({**settings, **change}, "train.yaml")
    assert main(["train", "--config", str(config_file)]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"error: {config_file}: ")
    assert message in error
    assert len(error.strip().splitlines()) == 1


def test_bad_data_is_reported_in_one_message(settings, write_yaml, datasets, capsys):
    """Bad data ends the command with status 1 and the reasons, without a traceback."""
    path = settings["data"]["path"]
    datasets["classification"].drop(columns="colour").to_csv(path, index=False)
    assert main(["train", "--config", str(write_yaml(settings, "train.yaml"))]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"error: {path} cannot be used for training")
    assert "missing columns: colour" in error
    assert "Traceback" not in error
