"""Linting several projects in one process (tests/pylint_sets.py) judges each on its own files.

The projects below share a package name, as bakes do. A module that only an earlier project
has, or a name only its version defines, must not satisfy a later project's imports; a library
an earlier project's settings ignore must still be importable by a later one.
"""

import json
import subprocess
import sys
from pathlib import Path

PYLINT_SETS = Path(__file__).with_name("pylint_sets.py")
IMPORTER = "from pkg.helpers import shout\n\nshout()\n"
# The same package three times: complete, without the helpers module, with another helper.
PROJECTS = {
    "complete": {"helpers.py": "def shout():\n    return 1\n", "main.py": IMPORTER},
    "missing-module": {"main.py": IMPORTER},
    "missing-name": {"helpers.py": "def whisper():\n    return 1\n", "main.py": IMPORTER},
}
IMPORT_CHECKS = ["--disable=all", "--enable=import-error,no-name-in-module"]


def write_project(root, modules):
    """A folder holding package ``pkg`` with these modules; the files to lint, relative."""
    package = root / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    for name, text in modules.items():
        (package / name).write_text(text, encoding="utf-8")
    return sorted(path.relative_to(root).as_posix() for path in package.glob("*.py"))


def lint_in_one_process(jobs, folder):
    """Run the jobs through pylint_sets.py; project folder name -> its result."""
    completed = subprocess.run(
        [sys.executable, PYLINT_SETS],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        check=True,
        cwd=folder,
    )
    return {Path(result["directory"]).name: result for result in json.loads(completed.stdout)}


def test_each_project_is_linted_against_its_own_modules(tmp_path):
    """The complete project passes; the later ones fail on what they lack, in order."""
    jobs = []
    for name, modules in PROJECTS.items():
        files = write_project(tmp_path / name, modules)
        jobs.append({"directory": str(tmp_path / name), "options": IMPORT_CHECKS, "files": files})
    outputs = lint_in_one_process(jobs, tmp_path)
    assert outputs["complete"]["rating"] == 10, outputs["complete"]["output"]
    assert "E0401" in outputs["missing-module"]["output"], outputs["missing-module"]["output"]
    assert "E0611" in outputs["missing-name"]["output"], outputs["missing-name"]["output"]


def test_a_library_one_project_ignores_is_imported_by_the_next(tmp_path):
    """A project whose settings ignore a library (``ignored-modules``), then one that imports it
    without: both pass, the second because the first's ignoring did not outlive its job."""
    importer = {"main.py": "import email\n\nprint(email)\n"}
    options = {"ignores": [*IMPORT_CHECKS, "--ignored-modules=email"], "imports": IMPORT_CHECKS}
    jobs = []
    for name, project_options in options.items():
        files = write_project(tmp_path / name, importer)
        jobs.append({"directory": str(tmp_path / name), "options": project_options, "files": files})
    outputs = lint_in_one_process(jobs, tmp_path)
    for name in options:
        assert outputs[name]["rating"] == 10, outputs[name]["output"]
