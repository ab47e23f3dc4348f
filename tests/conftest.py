"""Shared fixtures: the parsed manifest, a content-check cache and an in-process baker.

Baking goes through cookiecutter's API rather than pytest-cookies' ``cookies`` fixture:
the plugin renders the context a second time per bake and hides the rendered answers the
expected-file computation needs, and the API call is all the plugin does besides.
"""

import os
from pathlib import Path

import pytest
import template_model


@pytest.fixture(scope="session")
def config():
    """cookiecutter.json, parsed once per test process."""
    return template_model.load_config()


@pytest.fixture(scope="session")
def checker():
    """One content-check cache per process, so identical files are checked once."""
    return template_model.ProjectChecker()


@pytest.fixture(name="cookiecutter_config", scope="session")
def fixture_cookiecutter_config(tmp_path_factory):
    """A user config that keeps cookiecutter's replay files inside the test's temp dir."""
    return template_model.write_user_config(tmp_path_factory.mktemp("cookiecutter-user"))


class Oven:
    """Bakes into its own empty output directory, so leftovers of a failed bake are visible."""

    def __init__(self, output_dir, config_file):
        self.output_dir = Path(output_dir)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self.config_file = config_file

    def __call__(self, extra_context):
        """Bake with these answers; the result carries the error instead of raising it."""
        return template_model.bake(self.output_dir, extra_context, self.config_file)

    def leftovers(self):
        """Whatever a bake left in the output directory (nothing after a refused bake)."""
        return sorted(os.listdir(self.output_dir))


@pytest.fixture
def oven(tmp_path, cookiecutter_config):
    """A fresh baker for one test."""
    return Oven(tmp_path / "baked", cookiecutter_config)
