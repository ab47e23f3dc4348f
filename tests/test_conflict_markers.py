"""Conflict markers cannot slip through: `make conflicts`, `make lint` and the pre-commit hook.

`copier update` writes conflict markers inline and exits 0, outside any git merge. Every
generated project has `make conflicts` (git and awk only, no virtualenv), which names each
marker by file and line; `make lint` runs it first; the pre-commit hook refuses a commit with
markers at any time, not only during a merge. The slow tests run `make lint` and a real
`git commit` on the installed virtualenv of the lowest level that has both.
"""

from pathlib import Path

import pytest
import manifest
from installed_projects import GIT, commit_everything, completed_run, link_venv, package_of, run

CONFIG = manifest.load_config()
SPECS = manifest.components(CONFIG)
# The lowest level with `make lint` and the pre-commit hook.
HOOKS_LEVEL = str(max(manifest.first_on_level(SPECS[n]) for n in ("tests_lint", "pre_commit")))
MARKER_SET = "<<<<<<< before updating\n{mine}\n=======\n{theirs}\n>>>>>>> after updating\n"
# Legitimate text that starts like a marker: a Markdown heading underlined with seven "=".
HEADING = "Our notes\n=======\n\nA line of seven = under a heading is no conflict.\n"


def plant(path, mine, theirs):
    """Append a conflict marker set to a file; return the line number of its first marker."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(text + MARKER_SET.format(mine=mine, theirs=theirs), encoding="utf-8")
    return text.count("\n") + 1


def expected_reports(relative, first_line):
    """The lines `make conflicts` prints for a marker set planted at ``first_line``."""
    return [
        f"{relative}:{first_line}: conflict marker <<<<<<<",
        f"{relative}:{first_line + 2}: conflict marker =======",
        f"{relative}:{first_line + 4}: conflict marker >>>>>>>",
    ]


def plant_everywhere(project):
    """Marker sets in a tracked YAML file and a new Python file, and a heading underline in a
    Markdown file; the report lines the marker sets must produce, in order."""
    package = package_of(project)
    planted = {
        ".copier-answers.yml": ("maturity_level: '1'", "maturity_level: '2'"),
        f"src/{package}/extra.py": ("VALUE = 1", "VALUE = 2"),
    }
    reports = []
    for relative, (mine, theirs) in planted.items():
        reports += expected_reports(relative, plant(Path(project, relative), mine, theirs))
    Path(project, "NOTES.md").write_text(HEADING, encoding="utf-8")
    return reports


def make_conflicts(project, env=None):
    """`make conflicts` in a project: (exit status, output)."""
    completed = completed_run(["make", "--no-print-directory", "conflicts"], project, env)
    return completed.returncode, completed.stdout + completed.stderr


@pytest.fixture(name="bake_level")
def fixture_bake_level(cookies):
    """Bake a project of a level preset; with ``git`` it is committed, as after generating."""

    def bake_level(level, git=True):
        result = cookies.bake(extra_context={"maturity_level": level})
        assert result.exception is None, repr(result.exception)
        if git:
            commit_everything(result.project_path)
        return result.project_path

    return bake_level


@pytest.mark.parametrize("level", ["0", HOOKS_LEVEL])
def test_make_conflicts_names_each_marker_and_passes_clean_text(bake_level, level):
    """Every level has the target; it passes on a fresh project and on a heading underline,
    and fails on marker sets in a tracked YAML file and an untracked Python file."""
    project = bake_level(level)
    Path(project, "NOTES.md").write_text(HEADING, encoding="utf-8")
    status, output = make_conflicts(project)
    assert status == 0 and output == "", output
    reports = plant_everywhere(project)
    status, output = make_conflicts(project)
    assert status != 0, output
    listed = [line for line in output.splitlines() if ": conflict marker " in line]
    assert listed == reports, output
    assert "NOTES.md" not in output


def test_make_conflicts_works_without_git_and_skips_ignored_files(bake_level):
    """Outside a git repository too; what .gitignore ignores (.venv, data) is not read."""
    project = bake_level("0", git=False)
    for ignored in (".venv/lib/site.py", "data/raw/notes.txt"):
        Path(project, ignored).parent.mkdir(parents=True, exist_ok=True)
        plant(Path(project, ignored), "a", "b")
    status, output = make_conflicts(project)
    assert status == 0 and output == "", output
    first = plant(Path(project, "notes.txt"), "a", "b")
    status, output = make_conflicts(project)
    assert status != 0 and expected_reports("notes.txt", first)[0] in output, output


def test_make_conflicts_lists_rejected_hunks(bake_level):
    """A .rej file of `copier update --conflict rej` holds unapplied edits: it is listed."""
    project = bake_level("0")
    Path(project, "README.md.rej").write_text(
        "diff a/README.md b/README.md\t(rejected hunks)\n@@ -1 +1 @@\n-# A\n+# B\n",
        encoding="utf-8",
    )
    status, output = make_conflicts(project)
    assert status != 0 and "README.md.rej:1: rejected hunks" in output, output


# --- in the installed virtualenv: make lint and the pre-commit hook ----------------------------


@pytest.fixture(name="hooked_project")
def fixture_hooked_project(installed, tmp_path):
    """A committed project of HOOKS_LEVEL on the level's virtualenv, linked in as its .venv,
    with the pre-commit hook installed in its git clone."""
    project = installed.variant(tmp_path / "hooked", HOOKS_LEVEL, {})
    venv = installed.venv(HOOKS_LEVEL)
    link_venv(project, venv)
    run([venv / "bin/pre-commit", "install"], project)
    return project


@pytest.mark.slow
def test_make_lint_fails_on_markers_naming_file_and_line(hooked_project):
    """`make lint` passes with a heading underline, and fails on planted markers, by file:line."""
    Path(hooked_project, "NOTES.md").write_text(HEADING, encoding="utf-8")
    run(["make", "lint"], hooked_project)
    reports = plant_everywhere(hooked_project)
    completed = completed_run(["make", "--no-print-directory", "lint"], hooked_project)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert all(report in output for report in reports), output
    assert "NOTES.md" not in output


@pytest.mark.slow
def test_pre_commit_hook_refuses_markers_outside_a_merge(hooked_project):
    """A real `git commit` (no merge in progress) of a file with markers is refused."""
    head = run(["git", "rev-parse", "HEAD"], hooked_project)
    first = plant(Path(hooked_project, "NOTES.md"), "mine", "theirs")
    run(["git", "add", "NOTES.md"], hooked_project)
    completed = completed_run([*GIT, "commit", "-m", "markers"], hooked_project)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert f"NOTES.md:{first}: Merge conflict string '<<<<<<<' found" in output, output
    assert run(["git", "rev-parse", "HEAD"], hooked_project) == head
