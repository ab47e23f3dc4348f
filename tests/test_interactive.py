"""Both tools, run interactively as a person would: the prompts, their order, the result.

The sessions type into a pseudo-terminal (tests/interactive.py), so they see what a user
sees: cookiecutter's typed level and numbered menus, copier's arrow-key menus with choices
disabled and explained where they would contradict an earlier answer or delete files.
"""

import yaml
from copier_model import copier_copy, copier_questions, load_copier_config
from interactive import run_cookiecutter, run_copier
from update_scenario import start_project_repo

import manifest
import template_model

CONFIG = manifest.load_config()
COPIER = load_copier_config()
LEVELS = manifest.levels(CONFIG)


def answers_file(project):
    """The answers a project records for `copier update`."""
    return yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))


def cookiecutter_prompts():
    """What cookiecutter asks, in order: the first line of each question's prompt."""
    prompts = CONFIG["__prompts__"]
    return [
        (
            prompts[name]["__prompt__"] if isinstance(prompts[name], dict) else prompts[name]
        ).splitlines()[0]
        for name in CONFIG
        if not name.startswith("_")
    ]


def assert_asked_in_order(asked, expected):
    """The questions seen are the expected ones in order (rich may wrap a long one, so a
    question seen is the start of the expected text)."""
    assert len(asked) == len(expected), asked
    for seen, question in zip(asked, expected):
        assert seen and question.startswith(seen), (seen, question)


def menu_entry(name, value):
    """The number cookiecutter's menu gives a choice (it counts from 1)."""
    return str(CONFIG[name].index(value) + 1)


def copier_label(name, value):
    """The label copier's menu shows for a choice."""
    return next(
        label
        for label, choice in COPIER[name]["choices"].items()
        if (choice["value"] if isinstance(choice, dict) else choice) == value
    )


def bake_interactively(template_repo, tmp_path, typed):
    """An interactive cookiecutter session from the template repository."""
    command = ["cookiecutter", "--output-dir", str(tmp_path), str(template_repo)]
    return run_cookiecutter([template_model.tool(command[0]), *command[1:]], tmp_path, typed)


def test_cookiecutter_asks_every_question_in_order_and_the_typed_level_is_the_level(
    template_repo, tmp_path
):
    """Typing 3 at the level prompt gives level 3 (a menu counted from 1 gave level 1), and
    docker=no with everything else on auto is not refused: kubernetes follows it, with a
    note, and the project has no Kubernetes files."""
    typed = {
        "MLOps maturity level": "3",
        "Dockerfile": menu_entry("docker", "no"),
        "Python version": "3.13",
    }
    session = bake_interactively(template_repo, tmp_path, typed)
    assert session.exit_status == 0, session.screen
    assert_asked_in_order(session.questions, cookiecutter_prompts())
    project = tmp_path / "my-mlops-project"
    answers = answers_file(project)
    assert (answers["maturity_level"], answers["python_version"]) == ("3", "3.13")
    assert (answers["docker"], answers["kubernetes"]) == ("no", "auto")
    assert "NOTE: kubernetes is off: it needs docker, which you set to no" in session.screen
    assert (project / "src/my_mlops_project/serving").is_dir()
    assert not (project / "deploy").exists() and not (project / "Dockerfile").exists()


def test_cookiecutter_refuses_two_contradicting_answers_in_one_line_and_leaves_nothing(
    template_repo, tmp_path
):
    """docker=no then kubernetes=yes: the hook's one error names both, and no project is left.
    (cookiecutter itself then logs that the hook stopped it, with a traceback of its own.)"""
    typed = {
        "Dockerfile": menu_entry("docker", "no"),
        "Kubernetes": menu_entry("kubernetes", "yes"),
    }
    session = bake_interactively(template_repo, tmp_path, typed)
    assert session.exit_status != 0
    errors = [line for line in session.screen.splitlines() if line.startswith("ERROR: ")]
    assert errors[:-1] == [
        "ERROR: kubernetes=yes needs docker, but docker=no; set docker to auto or yes, "
        "or set kubernetes to auto or no."
    ]
    assert errors[-1].startswith("ERROR: Stopping generation because pre_gen_project hook")
    assert not (tmp_path / "my-mlops-project").exists()


def test_cookiecutter_refuses_a_level_that_does_not_exist(template_repo, tmp_path):
    """A typed level is checked like any answer: one line, the levels on offer, nothing left."""
    session = bake_interactively(template_repo, tmp_path, {"MLOps maturity level": "7"})
    assert session.exit_status != 0
    assert "ERROR: maturity_level='7' is not offered: choose one of 0, 1, 2, 3, 4." in (
        session.screen
    )
    assert not (tmp_path / "my-mlops-project").exists()


def copy_interactively(template_repo, destination, choose):
    """An interactive copier session copying the template's v1."""
    command = [template_model.tool("copier"), "copy", str(template_repo), str(destination)]
    return run_copier(command, destination.parent, choose)


def test_copier_asks_every_question_in_order_and_disables_a_contradicting_choice(
    template_repo, tmp_path
):
    """The issue's case under copier: level 3, docker=no. The session does not crash before
    the kubernetes question; there, "yes" is shown disabled with the reason, the arrow key
    skips it, and the project is made with kubernetes off."""
    choose = {
        COPIER["maturity_level"]["help"]: copier_label("maturity_level", "3"),
        COPIER["docker"]["help"]: copier_label("docker", "no"),
        COPIER["kubernetes"]["help"]: copier_label("kubernetes", "no"),
    }
    session = copy_interactively(template_repo, tmp_path / "project", choose)
    assert session.exit_status == 0, session.screen
    assert session.questions == [spec["help"] for spec in copier_questions(COPIER).values()]
    assert "- yes (kubernetes=yes needs docker, but docker=no;" in session.screen
    answers = answers_file(tmp_path / "project")
    assert (answers["maturity_level"], answers["docker"], answers["kubernetes"]) == (
        "3",
        "no",
        "no",
    )
    assert not (tmp_path / "project/deploy").exists()


def test_copier_update_shows_a_lower_level_disabled_with_every_file_it_would_delete(
    template_repo, tmp_path
):
    """Interactively, lowering the level is not a crash: the lower levels are disabled in the
    menu with the components and paths they would delete, and the level stays."""
    project = tmp_path / "project"
    copier_copy(template_repo, project, data={"maturity_level": "4"}, vcs_ref="v1")
    start_project_repo(project)
    command = [template_model.tool("copier"), "update", "--vcs-ref", "v1"]
    session = run_copier(command, project, {})
    assert session.exit_status == 0, session.screen
    assert "- 2 automated training" in session.screen
    assert "maturity_level=2 would delete the files of serving (" in session.screen
    assert answers_file(project)["maturity_level"] == "4"
