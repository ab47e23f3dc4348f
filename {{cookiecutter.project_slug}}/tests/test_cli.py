"""Tests of the command line, the entry point the Makefile, Docker and CI call."""

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
