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


def test_data_command_writes_the_default_sample(samples, tmp_path, capsys):
    """``data --output`` writes every row of the wine sample and says where."""
    output = tmp_path / "raw" / "wine.csv"
    assert main(["data", "--output", str(output)]) == 0
    assert len(read_dataset(output)) == len(samples["wine"])
    assert f"of the wine sample to {output}" in capsys.readouterr().out


def test_data_command_writes_the_sample_asked_for(samples, tmp_path, monkeypatch, capsys):
    """``--sample diabetes`` writes the regression sample, to data/raw/diabetes.csv by default."""
    monkeypatch.chdir(tmp_path)
    assert main(["data", "--sample", "diabetes"]) == 0
    written = read_dataset(tmp_path / "data" / "raw" / "diabetes.csv")
    assert len(written) == len(samples["diabetes"])
    assert "442 rows of the diabetes sample to data/raw/diabetes.csv" in capsys.readouterr().out


def test_data_command_refuses_an_unknown_sample(capsys):
    """Only the bundled samples can be asked for: argparse names them, status 2."""
    with pytest.raises(SystemExit) as exit_info:
        main(["data", "--sample", "iris"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'iris'" in error and "diabetes" in error and "wine" in error


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


@pytest.mark.starts_python
def test_package_runs_as_a_module(tmp_path):
    """The package runs with ``python -m``, as the Makefile and the Docker image call it."""
    output = tmp_path / "wine.csv"
    command = [sys.executable, "-m", PACKAGE, "data", "--output", str(output)]
    subprocess.run(command, check=True, capture_output=True)
    assert output.is_file()
{%- if cookiecutter.__training == 'yes' %}


@pytest.fixture(name="config_naming")
def fixture_config_naming(make_settings, write_yaml, tmp_path, monkeypatch):
    """Write a training config naming a data path, run from tmp_path; the config's path."""
    monkeypatch.chdir(tmp_path)

    def write(path: str):
        settings = make_settings()
        settings["data"]["path"] = path
        return write_yaml(settings, "named.yaml")

    return write


def test_data_command_writes_the_sample_the_config_names(config_naming, tmp_path, capsys):
    """``make data`` (``data --config``) writes the bundled sample the config points at."""
    config = config_naming("data/raw/diabetes.csv")
    assert main(["data", "--config", str(config)]) == 0
    assert (tmp_path / "data" / "raw" / "diabetes.csv").is_file()
    out = capsys.readouterr().out
    assert out == "Wrote the bundled diabetes sample (442 rows) to data/raw/diabetes.csv\n"


def test_data_command_checks_ones_own_file_and_says_how_to_provide_it(config_naming, capsys):
    """The user's own file is never written over; a missing one is one line saying what to do."""
    config = config_naming("data/raw/houses.csv")
    assert main(["data", "--config", str(config)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: data/raw/houses.csv does not exist: commit it")
    assert len(error.strip().splitlines()) == 1
    houses = config.parent / "data" / "raw" / "houses.csv"
    houses.parent.mkdir(parents=True)
    houses.write_text("rooms,price\n3,100\n", encoding="utf-8")
    assert main(["data", "--config", str(config)]) == 0
    assert "data/raw/houses.csv is your own data" in capsys.readouterr().out
    assert houses.read_text(encoding="utf-8") == "rooms,price\n3,100\n"


def test_data_command_writes_a_sample_on_request_whatever_the_config(config_naming, tmp_path):
    """``--sample`` or ``--output`` write a sample, as at every level; the config is not read."""
    config = config_naming("data/raw/houses.csv")
    assert main(["data", "--config", str(config), "--sample", "diabetes"]) == 0
    assert (tmp_path / "data" / "raw" / "diabetes.csv").is_file()
    assert main(["data", "--output", str(tmp_path / "copy.csv")]) == 0
    assert len(read_dataset(tmp_path / "copy.csv")) == 178
{%- endif %}
{%- if cookiecutter.__serving == 'fastapi' %}


@pytest.fixture(name="serve_options")
def fixture_serve_options(make_settings, write_yaml{% if cookiecutter.__monitoring == 'yes' %}, monitor_config_file{% endif %}) -> list[str]:
    """The serve command's config options, naming configs of the tests' own."""
    serve = {
        "training_config": str(write_yaml(make_settings(), "serve-train.yaml")),
        "challenger_share": 0.1,
        "max_batch_rows": 10,
        "max_abs_value": 1e6,
        "micro_batch_rows": 8,
        "max_concurrent_requests": 32,
    }
    options = ["--config", str(write_yaml(serve, "serve.yaml"))]
{%- if cookiecutter.__monitoring == 'yes' %}
    options += ["--monitor-config", str(monitor_config_file)]
{%- endif %}
    return options


def test_serve_command_runs_uvicorn_on_the_app_factory(monkeypatch, tmp_path, serve_options):
    """``serve`` hands uvicorn the app factory and the options (no proxy headers), and the
    configs and the address it listens on through the environment."""
    store = tmp_path / "mlflow.db"
    store.touch()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{store}")
    calls = []
    monkeypatch.setattr("uvicorn.run", lambda app, **options: calls.append((app, options)))
    for variable in ("SERVE_CONFIG", "SERVE_HOST", "MONITOR_CONFIG"):
        monkeypatch.delenv(variable, raising=False)
    command = ["serve", *serve_options, "--host", "0.0.0.0", "--port", "8080", "--workers", "2"]
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
        "proxy_headers": False,
    }
    assert os.environ["SERVE_CONFIG"] == serve_options[1]
    assert os.environ["SERVE_HOST"] == "0.0.0.0"
{%- if cookiecutter.__monitoring == 'yes' %}
    assert os.environ["MONITOR_CONFIG"] == serve_options[3]
{%- endif %}


def test_serve_command_refuses_a_local_store_that_does_not_exist(
    monkeypatch, tmp_path, serve_options, capsys
):
    """No mlflow.db yet (nothing trained, or a container without MLFLOW_TRACKING_URI): say so.

    MLflow would otherwise create an empty store and serve nothing, or hang on a read-only disk.
    """
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setattr("uvicorn.run", lambda app, **options: pytest.fail("uvicorn started"))
    assert main(["serve", *serve_options]) == 1
    error = capsys.readouterr().err
    assert "no MLflow store at" in error and "MLFLOW_TRACKING_URI" in error
    assert not (tmp_path / "mlflow.db").exists()


def test_serve_command_reports_a_missing_config(tmp_path, capsys):
    """A serving config that does not exist: one line on stderr and status 1, no server."""
    assert main(["serve", "--config", str(tmp_path / "serve.yaml")]) == 1
    assert "serve.yaml does not exist" in capsys.readouterr().err
{%- endif %}
