"""The contributing guide's steps are all a new component needs.

docs/contributing.md ("How to add a component") promises that a component is one manifest
entry with its question, resolution key and prompts, its files, the scripts that write
copier's questions and the README's ladder, and its row in the README's table of questions:
no test, demo or validator is edited. Here a dummy component is added to a copy of the
template by exactly those steps, as a contributor would (the scripts are the copy's own, run
from its folder). Then the copy's own checks of the declarations, copier.yml and the README
pass; cookiecutter bakes the dummy's file at the level that turns it on, and not below it nor
when answered ``no``; and copier makes the same trees from the same answers.
"""

import json
import os
import subprocess
import sys

import pytest
from copier_model import commit_all, copier_copy, snapshot_template, tree, tree_differences

import manifest

NAME = "dummy"
DUMMY_FILE = "dummy.txt"
# The manifest entry: on from level 3, needing Docker, with one file and one make target.
ENTRY = {
    "label": "a dummy file and make target, added by the contributing guide's steps",
    "levels": ["no", "no", "no", "yes", "yes"],
    "requires": ["docker"],
    "files": {"yes": [DUMMY_FILE], "no": []},
    "pipeline": ["dummy"],
}
PROMPTS = {
    "__prompt__": "Dummy component (needs Docker)",
    "auto": "follow the maturity level (on from level 3)",
    "yes": "yes",
    "no": "no",
}
# A section of the shared Makefile, gated on the component, as the guide says.
MAKEFILE_SECTION = (
    "{%- if cookiecutter.__dummy == 'yes' %}\n\n"
    "dummy: ## Show the dummy file\n"
    f"\tcat {DUMMY_FILE}\n"
    "{%- endif %}\n"
)
DOCS_PAGE = (
    "# Dummy\n\nA file that proves the contributing guide.\n\n"
    "## How to use it\n\n`make dummy`.\n\n"
    "## How to replace or change it\n\nDelete it.\n"
)
# The copy's own checks of what step 1 and step 3 declare and write.
CHECKS = ("tests/test_manifest.py", "tests/test_copier_questions.py", "tests/test_docs.py")


def with_question(config):
    """cookiecutter.json's keys in order, with the question after the last component's, the
    resolution key after the last one, and the manifest entry and prompts added."""
    last_question = list(manifest.components(config))[-1]
    declared = {}
    for key, value in config.items():
        if key == "__prompts__":
            declared[f"__{NAME}"] = manifest.resolution_key(NAME)
        declared[key] = value
        if key == last_question:
            declared[NAME] = ["auto", *ENTRY["files"]]
    declared["_components"][NAME] = ENTRY
    declared["__prompts__"][NAME] = PROMPTS
    return declared


def add_files(root):
    """Step 2: the component's file, its Makefile section and its documentation page."""
    project = root / "{{cookiecutter.project_slug}}"
    (project / DUMMY_FILE).write_text("{{ cookiecutter.project_name }} has a dummy.\n", "utf-8")
    makefile = project / "Makefile"
    makefile.write_text(makefile.read_text(encoding="utf-8") + MAKEFILE_SECTION, "utf-8")
    (root / "docs" / "components" / f"{NAME}.md").write_text(DOCS_PAGE, encoding="utf-8")


def name_in_readme(root):
    """Step 4: the question in the README's table of questions."""
    readme = root / "README.md"
    header = "| question | choices (default first) |\n|---|---|\n"
    row = f"| `{NAME}` (needs `docker`) | auto, yes, no |\n"
    text = readme.read_text(encoding="utf-8")
    assert header in text, "the README's table of questions has another header"
    readme.write_text(text.replace(header, header + row), encoding="utf-8")


def run_in(root, *command):
    """Run a command of the guide in the copy, with this interpreter; its output if it fails.
    pytest-xdist's variables stay out, so a pytest run there is a plain one."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    done = subprocess.run(
        [sys.executable, *command], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}"


def follow_the_guide(root):
    """The guide's four steps, on the copy at ``root``, committed for copier."""
    path = root / "cookiecutter.json"
    config = with_question(json.loads(path.read_text(encoding="utf-8")))
    path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    add_files(root)
    run_in(root, "scripts/copier_questions.py", "--write")
    run_in(root, "scripts/ladder.py", "--write")
    name_in_readme(root)
    commit_all(root, "Add the dummy component by the contributing guide")
    return config


@pytest.fixture(name="template", scope="module")
def fixture_template(tmp_path_factory):
    """A git copy of the template with the dummy component added by the guide alone."""
    root = snapshot_template(tmp_path_factory.mktemp("guided") / "template")
    follow_the_guide(root)
    return root


def test_the_copy_passes_the_declaration_checks(template):
    """The template's own checks of cookiecutter.json, copier.yml and the README pass in the
    copy: the guide's declarations are complete and its scripts wrote the rest."""
    run_in(template, "-m", "pytest", "-q", "-p", "no:cacheprovider", *CHECKS)


def test_the_level_that_turns_it_on_runs_its_pipeline(template):
    """The demo and the slow tests run a level's pipeline from the manifest: the dummy's target
    joins level 3's and is not in level 2's."""
    config = manifest.load_config(template)
    assert manifest.level_pipeline(config, "3")[-1] == "dummy"
    assert "dummy" not in manifest.level_pipeline(config, "2")


CASES = {
    "on-at-level-3": ({"maturity_level": "3"}, True),
    "off-at-level-2": ({"maturity_level": "2"}, False),
    "answered-no-at-level-3": ({"maturity_level": "3", NAME: "no"}, False),
}


@pytest.mark.parametrize(("answers", "present"), CASES.values(), ids=CASES.keys())
def test_both_tools_generate_it_where_it_is_on(template, cookies, tmp_path, answers, present):
    """cookiecutter writes the dummy's file where the level or the answer turns it on, with
    its Makefile target, and copier makes the identical tree from the same answers."""
    baked = cookies.bake(extra_context=answers, template=str(template))
    assert baked.exception is None, baked.exception
    project = baked.project_path
    assert (project / DUMMY_FILE).is_file() == present
    described = manifest.makefile_targets((project / "Makefile").read_text(encoding="utf-8"))
    assert ("dummy" in described) == present
    copied = copier_copy(template, tmp_path / "copied" / project.name, data=answers)
    assert not tree_differences(tree(project), tree(copied))
