"""`copier update` on projects made by either tool: template changes, edits, levels.

Each test builds a throwaway git repository of the template (tag v1), generates a project
from it, commits a user's edit, and then updates: to a v2 that changes the template, or to
new answers (a higher level, a component switched on or off).
"""

import re
import subprocess
from pathlib import Path

import pytest
from copier_model import commit_all, copier_copy, copier_update, git, tree
from installed_projects import completed_run, link_venv
from update_scenario import (
    TEMPLATE_TITLE_SUFFIX,
    USER_LINE,
    add_user_edit,
    fresh_bake_with_edit,
    release_v2,
    start_project_repo,
)

import manifest
import template_model

CONFIG = manifest.load_config()
USER_TITLE = "# Our own title\n"
# What `make conflicts` prints first when the README's first line conflicts.
CONFLICT_REPORT = "README.md:1: conflict marker <<<<<<<\n"


def bake_with_cookiecutter(cookies, template_repo, answers):
    """A cookiecutter-made project, committed to git as `copier update` requires."""
    baked = cookies.bake(extra_context=answers, template=str(template_repo))
    assert baked.exception is None, baked.exception
    start_project_repo(baked.project_path)
    return baked.project_path


@pytest.mark.parametrize("maker", ["cookiecutter", "copier"])
def test_template_change_arrives_and_user_edit_survives(template_repo, tmp_path, cookies, maker):
    """The README retitle of v2 arrives; the user's committed .gitignore line stays."""
    answers = {"project_name": "Update Me", "maturity_level": "1"}
    if maker == "cookiecutter":
        project = bake_with_cookiecutter(cookies, template_repo, answers)
    else:
        project = copier_copy(template_repo, tmp_path / "update-me", answers, vcs_ref="v1")
        start_project_repo(project)
    add_user_edit(project)
    release_v2(template_repo)
    copier_update(project)
    assert (
        Path(project, "README.md")
        .read_text(encoding="utf-8")
        .splitlines()[0]
        .endswith(TEMPLATE_TITLE_SUFFIX)
    )
    assert Path(project, ".gitignore").read_text(encoding="utf-8").endswith(USER_LINE)
    assert "_commit: v2" in Path(project, ".copier-answers.yml").read_text(encoding="utf-8")


def marker_lines(text):
    """The conflict markers that start lines of ``text`` (the README quotes some mid-line)."""
    return [line[:7] for line in text.splitlines() if line[:7] in ("<<<<<<<", "=======", ">>>>>>>")]


def retitle_readme(project):
    """The user's own README title, committed: v2's retitle of the same line conflicts."""
    readme = Path(project, "README.md")
    body = readme.read_text(encoding="utf-8").splitlines(keepends=True)[1:]
    readme.write_text(USER_TITLE + "".join(body), encoding="utf-8")
    commit_all(project, "user retitles the README")
    return readme


def conflicted_project(cookies, template_repo, level="0"):
    """A cookiecutter-made project whose update to v2 conflicts on the README's first line."""
    answers = {"project_name": "Conflicted", "maturity_level": level}
    project = bake_with_cookiecutter(cookies, template_repo, answers)
    retitle_readme(project)
    release_v2(template_repo)
    return project


def test_conflicting_edit_is_marked_inline(template_repo, cookies):
    """When user and template change the same line, both versions stay, marked inline, and
    `make conflicts` (every level has it) names the markers, since copier says nothing."""
    project = conflicted_project(cookies, template_repo)
    copier_update(project)
    text = Path(project, "README.md").read_text(encoding="utf-8")
    assert marker_lines(text) == ["<<<<<<<", "=======", ">>>>>>>"], text[:500]
    assert USER_TITLE in text and TEMPLATE_TITLE_SUFFIX in text
    completed = completed_run(["make", "--no-print-directory", "conflicts"], project)
    assert completed.returncode != 0, completed.stdout
    assert completed.stdout.startswith(CONFLICT_REPORT), completed.stdout


def test_rejected_edit_is_listed_by_make_conflicts(template_repo, cookies):
    """With --conflict rej the README takes v2's title, the user's hunk waits in a .rej file,
    and `make conflicts` lists that file."""
    project = conflicted_project(cookies, template_repo)
    copier_update(project, conflict="rej")
    text = Path(project, "README.md").read_text(encoding="utf-8")
    assert not marker_lines(text) and TEMPLATE_TITLE_SUFFIX in text.splitlines()[0]
    assert USER_TITLE in Path(project, "README.md.rej").read_text(encoding="utf-8")
    completed = completed_run(["make", "--no-print-directory", "conflicts"], project)
    assert completed.returncode != 0, completed.stdout
    assert "README.md.rej:1: rejected hunks" in completed.stdout, completed.stdout


@pytest.mark.slow
def test_conflicting_update_fails_make_lint(template_repo, cookies, installed):
    """At the first level with `make lint`, the markers of an update fail it, by file and line
    (on that level's installed virtualenv: the snapshot's code is the working tree's)."""
    level = str(manifest.first_on_level(manifest.components(CONFIG)["tests_lint"]))
    project = conflicted_project(cookies, template_repo, level)
    link_venv(project, installed.venv(level))
    copier_update(project)
    completed = completed_run(["make", "--no-print-directory", "lint"], project)
    assert completed.returncode != 0, completed.stdout
    assert completed.stdout.startswith(CONFLICT_REPORT), completed.stdout


def test_climbing_every_level_equals_a_fresh_bake(template_repo, cookies):
    """0 -> 1 -> ... by successive updates: each step equals a fresh bake plus the edit."""
    levels = manifest.levels(CONFIG)
    answers = {"project_name": "Climber", "maturity_level": levels[0]}
    project = bake_with_cookiecutter(cookies, template_repo, answers)
    add_user_edit(project)
    for level in levels[1:]:
        copier_update(project, data={"maturity_level": level})
        expected = fresh_bake_with_edit(
            cookies, template_repo, {**answers, "maturity_level": level}
        )
        assert tree(project) == expected, f"climbing to level {level} differs from a fresh bake"
        commit_all(project, f"climb to level {level}")


def first_optional_component():
    """A component that is off at level 0 and can be switched on there on its own."""
    for name, spec in manifest.components(CONFIG).items():
        if not spec["requires"] and not manifest.is_on(spec["levels"][0]):
            on_value = next(v for v in spec["files"] if manifest.is_on(v))
            off_value = next(v for v in spec["files"] if not manifest.is_on(v))
            return name, on_value, off_value, spec["files"][on_value]
    raise AssertionError("the manifest has no optional component without requirements")


def test_component_on_by_update_and_off_only_when_confirmed(template_repo, cookies):
    """Switching on adds the files; switching off is refused unless confirmed for the run."""
    name, on_value, off_value, paths = first_optional_component()
    answers = {"project_name": "Toggle", "maturity_level": "0"}
    project = bake_with_cookiecutter(cookies, template_repo, answers)
    add_user_edit(project)
    copier_update(project, data={name: on_value})
    on = {**answers, name: on_value}
    assert tree(project) == fresh_bake_with_edit(cookies, template_repo, on)
    commit_all(project, f"{name} on")
    listed = f"would delete the files of {name} ({', '.join(paths)}), with any edits you made"
    with pytest.raises(ValueError, match=re.escape(listed)):
        copier_update(project, data={name: off_value})
    assert git(project, "status", "--porcelain") == "", "a refused update changed files"
    copier_update(project, data={name: off_value, "confirm_file_removal": True})
    off = {**answers, name: off_value}
    assert tree(project) == fresh_bake_with_edit(cookies, template_repo, off)
    assert "confirm_file_removal" not in Path(project, ".copier-answers.yml").read_text(
        encoding="utf-8"
    )


def dropped_components(level_from, level_to):
    """The components whose preset is on at one level and off or different at the other."""
    before = manifest.level_preset(CONFIG, level_from)
    after = manifest.level_preset(CONFIG, level_to)
    return [
        name for name, value in before.items() if manifest.is_on(value) and value != after[name]
    ]


def test_lowering_the_level_names_every_component_and_path_then_deletes_when_confirmed(
    template_repo, cookies
):
    """4 -> 2 with edits in serving, monitoring and Kubernetes files: one refusal names every
    component that would go with every path, in the project's own spelling, and changes
    nothing; confirmed, exactly those go, its closing message lists the same paths, and the
    rest equals a fresh level-2 bake."""
    answers = {"project_name": "Lower", "package_name": "lower_pkg", "maturity_level": "4"}
    project = bake_with_cookiecutter(cookies, template_repo, answers)
    edited = [
        "src/lower_pkg/serving/app.py",
        "src/lower_pkg/monitoring/drift.py",
        "deploy/k8s/deployment.yaml",
    ]
    for relative in edited:
        with Path(project, relative).open("a", encoding="utf-8") as handle:
            handle.write("\n# my edit\n")
    commit_all(project, "my edits")
    with pytest.raises(ValueError, match="Nothing was changed") as refused:
        copier_update(project, data={"maturity_level": "2"})
    message = str(refused.value)
    assert git(project, "status", "--porcelain") == "", "a refused update changed files"
    assert "{{" not in message and "cookiecutter.package_name" not in message
    for name in dropped_components("4", "2"):
        assert f" {name} (" in message, (name, message)
    for relative in edited:
        assert any(relative.startswith(f"{listed}/") for listed in listed_paths(message)), relative
    confirmed = subprocess.run(
        [template_model.tool("copier"), "update", "--defaults", "--data", "maturity_level=2"]
        + ["--data", "confirm_file_removal=true"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    deleted_line = next(
        line for line in confirmed.stderr.splitlines() if line.startswith("Deleted, as you ")
    )
    refused_listing = message.split(", with any edits you made", maxsplit=1)[0]
    deleted_listing = deleted_line.split(". `git status`", maxsplit=1)[0]
    assert listed_paths(deleted_listing) == listed_paths(refused_listing)
    assert not any(Path(project, relative).exists() for relative in edited)
    assert tree(project) == tree(
        bake_with_cookiecutter(cookies, template_repo, {**answers, "maturity_level": "2"})
    )


def listed_paths(message):
    """Every path a refusal lists inside the parentheses after a component's name."""
    return [
        path.strip()
        for group in re.findall(r"\w+ \(([^)]*)\)", message)
        for path in group.split(",")
    ]


def test_a_refusal_names_only_what_goes_not_the_folders_that_stay(template_repo, cookies):
    """4 -> 3 drops monitoring but keeps Kubernetes: monitoring's files under deploy/ are
    named, deploy/ itself (Kubernetes still owns it) is not."""
    answers = {"project_name": "Keep", "maturity_level": "4"}
    project = bake_with_cookiecutter(cookies, template_repo, answers)
    with pytest.raises(ValueError, match="Nothing was changed") as refused:
        copier_update(project, data={"maturity_level": "3"})
    listed = listed_paths(str(refused.value))
    assert dropped_components("4", "3") == ["monitoring"]
    assert {"deploy/prometheus", "deploy/k8s/pvc.yaml"} <= set(listed)
    assert "deploy" not in listed and "deploy/k8s" not in listed
