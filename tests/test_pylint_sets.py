"""Linting several projects in one process (tests/pylint_sets.py) judges each on its own files.

The projects below share a package name, as bakes do. A module that only an earlier project
has, or a name only its version defines, must not satisfy a later project's imports.
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


def test_each_project_is_linted_against_its_own_modules(tmp_path):
    """The complete project passes; the later ones fail on what they lack, in order."""
    jobs = []
    for name, modules in PROJECTS.items():
        files = write_project(tmp_path / name, modules)
        jobs.append({"directory": str(tmp_path / name), "options": IMPORT_CHECKS, "files": files})
    completed = subprocess.run(
        [sys.executable, PYLINT_SETS],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    outputs = {Path(result["directory"]).name: result for result in json.loads(completed.stdout)}
    assert outputs["complete"]["rating"] == 10, outputs["complete"]["output"]
    assert "E0401" in outputs["missing-module"]["output"], outputs["missing-module"]["output"]
    assert "E0611" in outputs["missing-name"]["output"], outputs["missing-name"]["output"]
