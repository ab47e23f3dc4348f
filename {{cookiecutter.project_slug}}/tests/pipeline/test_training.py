"""End-to-end tests: the whole pipeline and its commands, on the bundled data, in seconds."""

import json

import pytest
import yaml

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.pipeline.lineage import file_sha256
from {{ cookiecutter.package_name }}.pipeline.run import run_evaluation, run_training


def read_json(path):
    """A JSON file written by the pipeline."""
    return json.loads(path.read_text(encoding="utf-8"))


def test_training_writes_the_model_lineage_metrics_and_plots(config, wine_csv):
    """Every output of the config exists, and the model is good at telling wines apart."""
    result = run_training(config)
    outputs = config.outputs
    assert outputs.model.is_file()
    assert read_json(outputs.lineage)["data_sha256"] == file_sha256(wine_csv)
    metrics = read_json(outputs.metrics)
    assert metrics == result.evaluation.metrics
    assert metrics["accuracy"] > 0.85
    assert sorted(path.name for path in outputs.figures.iterdir()) == [
        "confusion_matrix.png",
        "feature_importance.png",
    ]


def test_training_twice_gives_the_same_metrics(config):
    """Seeded split and model: a second run reproduces the first exactly."""
    first = run_training(config).evaluation.metrics
    assert run_training(config).evaluation.metrics == first


def test_evaluation_of_the_saved_model_reproduces_the_training_metrics(config):
    """The saved model, on the same held-out rows, scores what training reported."""
    trained = run_training(config).evaluation.metrics
    config.outputs.metrics.unlink()
    assert run_evaluation(config).metrics == trained
    assert read_json(config.outputs.metrics) == trained


def test_evaluation_without_a_model_says_to_train(config):
    """Evaluating before training names the command that makes the model."""
    with pytest.raises(FileNotFoundError, match="make train"):
        run_evaluation(config)


def test_train_and_evaluate_commands(config_file, config, capsys):
    """``train`` then ``evaluate`` succeed and report the same accuracy."""
    assert main(["train", "--config", str(config_file)]) == 0
    trained = capsys.readouterr().out
    assert "Trained random_forest on 133 rows" in trained
    assert main(["evaluate", "--config", str(config_file)]) == 0
    evaluated = capsys.readouterr().out
    accuracy = next(line for line in trained.splitlines() if "accuracy " in line)
    assert accuracy in evaluated
    assert config.outputs.model.is_file()


def test_train_command_reports_bad_data_in_one_message(settings, tmp_path, wine, capsys):
    """Bad data ends the command with status 1 and the reasons, without a traceback."""
    bad_csv = tmp_path / "bad.csv"
    wine.drop(columns="hue").to_csv(bad_csv, index=False)
    settings["data"]["path"] = str(bad_csv)
    config_file = tmp_path / "bad.yaml"
    config_file.write_text(yaml.safe_dump(settings), encoding="utf-8")
    assert main(["train", "--config", str(config_file)]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"error: {bad_csv.as_posix()} cannot be used for training")
    assert "missing columns: hue" in error


def test_train_command_reports_a_config_mistake(settings, tmp_path, capsys):
    """A config mistake names the file and the setting."""
    settings["split"]["test_size"] = 2
    config_file = tmp_path / "bad.yaml"
    config_file.write_text(yaml.safe_dump(settings), encoding="utf-8")
    assert main(["train", "--config", str(config_file)]) == 1
    assert "split.test_size must be a number between 0 and 1" in capsys.readouterr().err
