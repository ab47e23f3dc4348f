"""Tests of the command line, the entry point the Makefile, Docker and CI call."""

{% if cookiecutter.__serving == 'fastapi' -%}
import os
{% endif -%}
import subprocess
import sys

import pytest

from {{ cookiecutter.package_name }}.__main__ import main
from {{ cookiecutter.package_name }}.data import read_dataset

PACKAGE = "{{ cookiecutter.package_name }}"


def test_data_command_writes_the_dataset(wine, tmp_path, capsys):
    """``data --output`` writes every row and says where."""
    output = tmp_path / "raw" / "wine.csv"
    assert main(["data", "--output", str(output)]) == 0
    assert len(read_dataset(output)) == len(wine)
    assert str(output) in capsys.readouterr().out


def test_data_command_reports_an_unwritable_path(tmp_path, capsys):
    """A path under a regular file cannot be created: one line on stderr and status 1."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file, not a folder\n", encoding="utf-8")
    assert main(["data", "--output", str(blocker / "wine.csv")]) == 1
    assert capsys.readouterr().err.startswith("error: ")


def test_a_command_is_required(capsys):
    """Without a command, argparse explains the usage and exits with status 2."""
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


def test_package_runs_as_a_module(tmp_path):
    """The package runs with ``python -m``, as the Makefile and the Docker image call it."""
    output = tmp_path / "wine.csv"
    command = [sys.executable, "-m", PACKAGE, "data", "--output", str(output)]
    subprocess.run(command, check=True, capture_output=True)
    assert output.is_file()
{%- if cookiecutter.__serving == 'fastapi' %}


def test_serve_command_runs_uvicorn_on_the_app_factory(monkeypatch, tmp_path):
    """``serve`` hands uvicorn the app factory, the options, and the config through the env."""
    store = tmp_path / "mlflow.db"
    store.touch()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{store}")
    calls = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: calls.append((app, options)))
    monkeypatch.delenv("SERVE_CONFIG", raising=False)
    command = ["serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "2"]
    assert main(command) == 0
    assert len(calls) == 1
    app, options = calls[0]
    assert app == f"{PACKAGE}.serving.app:app_from_environment"
    assert options == {
        "factory": True,
        "host": "0.0.0.0",
        "port": 8080,
        "workers": 2,
        "access_log": False,
    }
    assert os.environ["SERVE_CONFIG"] == "configs/serve.yaml"


def test_serve_command_refuses_a_local_store_that_does_not_exist(monkeypatch, tmp_path, capsys):
    """No mlflow.db yet (nothing trained, or a container without MLFLOW_TRACKING_URI): say so.

    MLflow would otherwise create an empty store and serve nothing, or hang on a read-only disk.
    """
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setattr("uvicorn.run", lambda app, **options: pytest.fail("uvicorn started"))
    assert main(["serve"]) == 1
    error = capsys.readouterr().err
    assert "no MLflow store at" in error and "MLFLOW_TRACKING_URI" in error
    assert not (tmp_path / "mlflow.db").exists()


def test_serve_command_reports_a_missing_config(tmp_path, capsys):
    """A serving config that does not exist: one line on stderr and status 1, no server."""
    assert main(["serve", "--config", str(tmp_path / "serve.yaml")]) == 1
    assert "serve.yaml does not exist" in capsys.readouterr().err
{%- endif %}
