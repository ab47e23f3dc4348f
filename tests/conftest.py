"""Shared fixtures: the parsed manifest, a content-check cache, a baker, installed projects.

Baking goes through cookiecutter's API rather than pytest-cookies' ``cookies`` fixture:
the plugin renders the context a second time per bake and hides the rendered answers the
expected-file computation needs, and the API call is all the plugin does besides.
"""

import os
from pathlib import Path

import installed_projects
import pytest
import template_model
from copier_model import snapshot_template


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


@pytest.fixture(name="template_repo")
def fixture_template_repo(tmp_path):
    """A git repository of the template's working tree, tagged v1, for the update tests.

    A fresh one per test, since tests add tags and commits to it.
    """
    return snapshot_template(tmp_path / "template")


@pytest.fixture(name="installed", scope="session")
def fixture_installed(tmp_path_factory, cookiecutter_config):
    """Installed projects of each level, shared by the workers of this run (see the module).

    Under pytest-xdist each worker has its own base temp folder; their parent is this run's.
    """
    version, interpreter = installed_projects.python_choice()
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = shared / "installed-projects"
    root.mkdir(exist_ok=True)
    return installed_projects.InstalledProjects(root, cookiecutter_config, version, interpreter)
