"""copier and cookiecutter make byte-identical projects from the same tree and answers.

For every sampled case of the combination suite (its covering sample of the combinations,
see covering.py) and every level preset, both tools generate from the same git snapshot of
the template, and the trees must match in contents, file modes, directories and the
.copier-answers.yml that makes `copier update` work. Invalid answers are refused by copier
with the hook's wording: bad metadata, and each requirement of the manifest broken.
"""

import subprocess

import pytest
from copier_model import copier_copy, snapshot_template, tree, tree_differences
from test_combinations import preset_cases, sampled_cases
from test_hooks import PRE

import manifest
import template_model

CONFIG = manifest.load_config()


@pytest.fixture(name="template_repo", scope="module")
def fixture_template_repo(tmp_path_factory):
    """The template's working tree as a tagged git repository, as copier needs."""
    return snapshot_template(tmp_path_factory.mktemp("template"))


def cookiecutter_tree(cookies, template_repo, context):
    """Bake with cookiecutter from the snapshot and return the project tree."""
    baked = cookies.bake(extra_context=context, template=str(template_repo))
    assert baked.exception is None, baked.exception
    return baked.project_path.name, tree(baked.project_path)


CASES = sampled_cases() + preset_cases()


@pytest.mark.parametrize(
    "context", [case.values[0] for case in CASES], ids=[case.id for case in CASES]
)
def test_copier_and_cookiecutter_trees_are_identical(template_repo, context, tmp_path, cookies):
    """Same answers, same template commit: the same files, modes, folders and answers file."""
    slug, expected = cookiecutter_tree(cookies, template_repo, context)
    project = copier_copy(template_repo, tmp_path / "cp" / slug, data=context)
    actual = tree(project)
    assert not tree_differences(expected, actual), "missing on one side, or other contents or modes"
    assert ".copier-answers.yml" in actual


INVALID_FOR_COPIER = [
    ({"project_slug": "import"}, "project_slug='import' is a Python keyword"),
    # The slug is checked as Python imports it (its rule's import_name: - read as _).
    (
        {"project_slug": "scikit-learn", "package_name": "fine_pkg"},
        "project_slug='scikit_learn' is the name of a common package",
    ),
    ({"package_name": "os"}, "package_name='os' is a standard-library module"),
    ({"package_name": "sklearn"}, "package_name='sklearn' is the name of a common package"),
    ({"project_slug": "My-Project"}, "project_slug='My-Project' is not valid: use lowercase"),
    ({"author_email": "not-an-email"}, "author_email='not-an-email' is not valid"),
    ({"project_name": " "}, "project_name=' ' is not valid"),
]


def switch_off_dependents(combination, keep):
    """Turn off every component whose requirement is off (transitively), except ``keep``."""
    specs = manifest.components(CONFIG)
    changed = True
    while changed:
        changed = False
        for name, spec in specs.items():
            needs_off = any(not manifest.is_on(combination[r]) for r in spec["requires"])
            if name != keep and needs_off and manifest.is_on(combination[name]):
                combination[name] = next(v for v in spec["files"] if not manifest.is_on(v))
                changed = True
    return combination


def requirement_cases():
    """One refused answer set per (component, requirement) pair of the manifest.

    Starting from the richest preset, the requirement is switched off, and so is everything
    else that needs it, so the component under test is the one copier refuses.
    """
    specs = manifest.components(CONFIG)
    top = manifest.levels(CONFIG)[-1]
    cases = []
    for name, spec in specs.items():
        for required in spec["requires"]:
            combination = manifest.level_preset(CONFIG, top)
            combination[name] = next(v for v in spec["files"] if manifest.is_on(v))
            combination[required] = next(
                v for v in specs[required]["files"] if not manifest.is_on(v)
            )
            answers = {"maturity_level": top, **switch_off_dependents(combination, name)}
            message = manifest.contradiction_message(CONFIG, top, answers, name, required)
            cases.append(pytest.param(answers, message, id=f"{name}-needs-{required}"))
    return cases


@pytest.mark.parametrize(("answers", "message"), INVALID_FOR_COPIER + requirement_cases())
def test_copier_refuses_what_the_hook_refuses(template_repo, tmp_path, answers, message):
    """copier's validators use the same rules and wording, and leave nothing behind."""
    destination = tmp_path / "project"
    # A free-text answer fails its question's validator, a choice its choice's validator.
    with pytest.raises(ValueError, match="Validation error|Invalid choice") as refused:
        copier_copy(template_repo, destination, data=answers)
    assert message in str(refused.value)
    assert not destination.exists()


NOTE_CASES = {
    "docker-off-at-level-3": {"maturity_level": "3", "docker": "no"},
    "kubernetes-on-at-level-1": {"maturity_level": "1", "kubernetes": "yes"},
    "training-off-at-level-4": {"maturity_level": "4", "training": "no"},
}


@pytest.mark.parametrize("answers", NOTE_CASES.values(), ids=NOTE_CASES.keys())
def test_copier_prints_the_notes_the_hook_prints(template_repo, tmp_path, answers):
    """Where auto follows an explicit answer, copier says so after copying, in the hook's
    words (its notes are a Jinja macro; the hook's are Python)."""
    hook_notes = PRE.resolution_notes(template_model.render_context(answers))
    assert hook_notes, "a case without notes would pass vacuously"
    command = [template_model.tool("copier"), "copy", "--defaults", "--vcs-ref", "HEAD"]
    for name, value in answers.items():
        command += ["--data", f"{name}={value}"]
    copied = subprocess.run(
        [*command, str(template_repo), str(tmp_path / "project")],
        capture_output=True,
        text=True,
        check=True,
    )
    printed = [line for line in copied.stderr.splitlines() if line.startswith("NOTE: ")]
    assert printed == [f"NOTE: {note}" for note in hook_notes]
