"""cruft's own command line on this template: create, diff, update, and copier after it.

cruft generates through cookiecutter's generate_files with a context of its own (no
`_repo_dir`), so these tests run the real `cruft` commands on a throwaway git repository of
the template, the same scenario as test_copier_update.py: tag v1, a committed user edit, a
v2 that retitles the README. Bakes only, no virtualenvs, but each cruft command clones the
template and renders it once or twice, so they are marked slow.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
from copier_model import copier_update, git, tree
from update_scenario import (
    TEMPLATE_TITLE_SUFFIX,
    add_user_edit,
    fresh_bake_with_edit,
    release_v2,
    start_project_repo,
)

import template_model

pytestmark = pytest.mark.slow

ANSWERS = {"project_name": "Cruft Me", "maturity_level": "1"}


def cruft(directory, config_file, *args):
    """Run the `cruft` command in ``directory``; cookiecutter's user config is the test's."""
    env = {**os.environ, "COOKIECUTTER_CONFIG": str(config_file)}
    return subprocess.run(
        [template_model.tool("cruft"), *args],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def cruft_create(template_repo, output_dir, config_file, answers=None):
    """`cruft create --checkout v1 --no-input`, committed as a user would right after."""
    output_dir.mkdir(parents=True, exist_ok=True)
    context = json.dumps(answers or ANSWERS)
    created = cruft(
        output_dir,
        config_file,
        "create",
        str(template_repo),
        "--checkout",
        "v1",
        "--no-input",
        "--extra-context",
        context,
        "--config-file",
        str(config_file),
    )
    assert created.returncode == 0, created.stdout + created.stderr
    assert "Traceback" not in created.stderr and "WARNING" not in created.stderr
    (project,) = output_dir.iterdir()
    start_project_repo(project)
    return project


def without_cruft_state(entries):
    """A project tree less .cruft.json, which a plain cookiecutter bake does not write."""
    return {path: entry for path, entry in entries.items() if path != ".cruft.json"}


def test_cruft_create_records_both_update_paths(template_repo, tmp_path, cookiecutter_config):
    """.cruft.json is kept and committed; .copier-answers.yml names the template and v1."""
    project = cruft_create(template_repo, tmp_path / "out", cookiecutter_config)
    assert git(project, "ls-files", ".cruft.json", ".copier-answers.yml").split() == [
        ".copier-answers.yml",
        ".cruft.json",
    ]
    state = json.loads(Path(project, ".cruft.json").read_text(encoding="utf-8"))
    assert state["commit"] == git(template_repo, "rev-parse", "v1")
    answers = Path(project, ".copier-answers.yml").read_text(encoding="utf-8")
    assert f"_src_path: {template_repo}\n" in answers and "_commit: v1\n" in answers
    assert "maturity_level: '1'\n" in answers


def test_cruft_diff_and_update_take_v2_and_keep_the_edit(
    template_repo, tmp_path, cookiecutter_config, cookies
):
    """`cruft diff --checkout v2` shows the retitle; `cruft update -y` applies it over the
    user's edit, which gives a fresh v2 bake plus the edit, answers file included."""
    project = cruft_create(template_repo, tmp_path / "out", cookiecutter_config)
    add_user_edit(project)
    release_v2(template_repo)
    assert cruft(project, cookiecutter_config, "check").returncode != 0
    shown = cruft(project, cookiecutter_config, "diff", "--checkout", "v2")
    assert shown.returncode == 0, shown.stderr
    assert f"\n+# {ANSWERS['project_name']}{TEMPLATE_TITLE_SUFFIX}\n" in shown.stdout
    updated = cruft(project, cookiecutter_config, "update", "-y")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    expected = fresh_bake_with_edit(cookies, template_repo, ANSWERS)
    assert without_cruft_state(tree(project)) == without_cruft_state(expected)
    state = json.loads(Path(project, ".cruft.json").read_text(encoding="utf-8"))
    assert state["commit"] == git(template_repo, "rev-parse", "v2")


def test_cruft_made_project_updates_with_copier(
    template_repo, tmp_path, cookiecutter_config, cookies
):
    """The .copier-answers.yml the hook wrote under cruft is enough for `copier update`."""
    project = cruft_create(template_repo, tmp_path / "out", cookiecutter_config)
    add_user_edit(project)
    release_v2(template_repo)
    copier_update(project)
    expected = fresh_bake_with_edit(cookies, template_repo, ANSWERS)
    assert without_cruft_state(tree(project)) == without_cruft_state(expected)


@pytest.mark.parametrize("level", ["2", "0"])
def test_cruft_changes_the_level_with_variables_to_update(
    level, template_repo, tmp_path, cookiecutter_config, cookies
):
    """`--variables-to-update` re-renders from the stored intent: raising the level adds
    the new components, lowering it deletes theirs with no confirmation asked. Either way the
    project equals a fresh bake at the new level plus the user's edit."""
    project = cruft_create(template_repo, tmp_path / "out", cookiecutter_config)
    add_user_edit(project)
    change = json.dumps({"maturity_level": level})
    updated = cruft(project, cookiecutter_config, "update", "-y", "--variables-to-update", change)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    expected = fresh_bake_with_edit(cookies, template_repo, {**ANSWERS, "maturity_level": level})
    assert without_cruft_state(tree(project)) == without_cruft_state(expected)
