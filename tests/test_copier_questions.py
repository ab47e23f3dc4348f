"""copier.yml asks exactly what cookiecutter.json asks: same names, choices, labels, defaults.

cookiecutter.json is the single source of truth; copier.yml has to restate the questions
(copier cannot read cookiecutter's question format), so this file catches every drift.
"""

import json

import pytest

import copier_questions as copier_questions_script
import script_cli
from copier_model import copier_questions, load_copier_config
from manifest import ROOT, load_config

CONFIG = load_config()
COPIER = load_copier_config()
QUESTIONS = [name for name in CONFIG if not name.startswith("_")]


# Questions cookiecutter has the user type (a menu numbered from 1 would not match their
# values) and copier offers as choices: value -> copier label.
TYPED_CHOICES = {
    "maturity_level": {level: f"{level} {meaning}" for level, meaning in CONFIG["_levels"].items()},
    "python_version": {version: version for version in CONFIG["_python_versions"]},
}


def cookiecutter_prompt(name):
    """The readable prompt cookiecutter shows for a question: its first line (a typed level
    lists the levels below it, which copier shows as its choices)."""
    prompt = CONFIG["__prompts__"][name]
    return (prompt["__prompt__"] if isinstance(prompt, dict) else prompt).splitlines()[0]


def cookiecutter_labels(name):
    """value -> label for a choice question (the value itself when no label is given)."""
    prompt = CONFIG["__prompts__"][name]
    labels = prompt if isinstance(prompt, dict) else {}
    return {value: labels.get(value, value) for value in CONFIG[name]}


def choice_value(value):
    """A copier choice's value, given plainly or as {value, validator}."""
    return value["value"] if isinstance(value, dict) else value


def copier_labels(spec):
    """value -> label for a copier choice question, given as a list or a label map."""
    choices = spec["choices"]
    if isinstance(choices, dict):
        return {choice_value(value): label for label, value in choices.items()}
    return {value: value for value in choices}


def test_same_questions_in_the_same_order():
    """A question added to one tool and not the other fails here."""
    assert list(copier_questions(COPIER)) == QUESTIONS


@pytest.mark.parametrize("name", QUESTIONS)
def test_same_help_text(name):
    """Both tools show the same prompt."""
    assert COPIER[name]["help"] == cookiecutter_prompt(name)


@pytest.mark.parametrize("name", [q for q in QUESTIONS if isinstance(CONFIG[q], list)])
def test_same_choices_labels_and_default(name):
    """Choice questions: the same values, labels and default (cookiecutter's first entry)."""
    spec = COPIER[name]
    assert spec["type"] == "str"
    assert copier_labels(spec) == cookiecutter_labels(name)
    assert spec["default"] == CONFIG[name][0]


@pytest.mark.parametrize("name", list(TYPED_CHOICES))
def test_typed_questions_are_choices_under_copier(name):
    """copier's menu is chosen with the arrow keys, so it keeps the values as choices, with
    the labels cookiecutter's prompt lists and the same default."""
    spec = COPIER[name]
    assert copier_labels(spec) == TYPED_CHOICES[name]
    assert spec["default"] == CONFIG[name]


@pytest.mark.parametrize(
    "name", [q for q in QUESTIONS if isinstance(CONFIG[q], str) and q not in TYPED_CHOICES]
)
def test_same_text_default(name):
    """Derived defaults use the same expression, minus cookiecutter's namespace."""
    assert COPIER[name]["default"] == CONFIG[name].replace("cookiecutter.", "")


@pytest.mark.parametrize("name", [q for q in QUESTIONS if q in CONFIG["_rules"]])
def test_validated_fields_have_a_copier_validator_on_the_same_rule(name):
    """Every field with a rule in _rules is validated by copier with that rule."""
    assert f"pattern_problem('{name}', {name})" in COPIER[name]["validator"]


@pytest.mark.parametrize(
    "name", [q for q in QUESTIONS if "import_name" in CONFIG["_rules"].get(q, {})]
)
def test_import_name_fields_are_checked_for_reserved_names_under_copier(name):
    """A field that becomes an import name is checked against the reserved names, on the name
    Python imports (test_copier_parity refuses a hyphenated slug that would shadow one)."""
    assert f"reserved_problem('{name}', {name}" in COPIER[name]["validator"]


@pytest.mark.parametrize("name", [q for q in QUESTIONS if q not in CONFIG["_rules"]])
def test_fields_without_a_rule_have_no_validator(name):
    """Only _rules (and the choices' own checks) refuse an answer: no hidden extra rule."""
    assert "validator" not in COPIER[name]


@pytest.mark.parametrize("name", ["maturity_level", *CONFIG["_components"]])
def test_every_choice_that_decides_files_is_checked_under_copier(name):
    """Each choice of the level and of every component carries choice_problems for itself:
    requirements and the no-deletion rule on update. On the choices, not the question: copier
    checks a question's validator only on its default (crashing an interactive session before
    the question shows) and never on a choice made in its menu."""
    assert "validator" not in COPIER[name]
    for value in COPIER[name]["choices"].values():
        assert value["validator"].endswith(
            f"{{{{ choice_problems('{name}', '{value['value']}') }}}}"
        )


def test_copier_questions_are_what_the_script_writes():
    """copier.yml's questions, every one, are generated from cookiecutter.json: an edit by
    hand, or a change to cookiecutter.json without `python scripts/copier_questions.py
    --write`, fails."""
    text = (ROOT / "copier.yml").read_text(encoding="utf-8")
    block = copier_questions_script.generated_block(CONFIG)
    assert block in text, "run: python scripts/copier_questions.py --write"


def test_shared_data_is_included_not_copied():
    """Presets, manifest and rules reach copier by !include, so they cannot drift."""
    assert COPIER["template_data"]["default"] == {"!include": "cookiecutter.json"}
    assert COPIER["template_data"]["when"] is False
    assert COPIER["cookiecutter"]["when"] is False
    assert list(COPIER)[-1] == "cookiecutter", "the namespace needs every answer: keep it last"


def test_copier_settings_that_make_the_tree_shared():
    """The settings without which copier would not render the cookiecutter tree."""
    assert COPIER["_subdirectory"] == "{% raw %}{{cookiecutter.project_slug}}{% endraw %}"
    assert COPIER["_templates_suffix"] == ""
    assert COPIER["_answers_file"] == ".copier-answers.yml"
    assert "_tasks" not in COPIER, "tasks would need --trust on every copy and update"


def template_copy(tmp_path):
    """cookiecutter.json and copier.yml copied, for the script to read and write there."""
    return script_cli.template_copy(tmp_path, "cookiecutter.json", "copier.yml")


def test_write_with_root_rewrites_that_copy_only(tmp_path):
    """--root points the script at another copy of the template (the contributing guide's
    test adds a component to one): a changed prompt reaches that copy's copier.yml."""
    root = template_copy(tmp_path)
    config = json.loads((root / "cookiecutter.json").read_text(encoding="utf-8"))
    config["__prompts__"]["author_name"] = "Who wrote it"
    (root / "cookiecutter.json").write_text(json.dumps(config), encoding="utf-8")
    assert copier_questions_script.main(["--write", "--root", str(root)]) == 0
    assert load_copier_config(root)["author_name"]["help"] == "Who wrote it"
    assert COPIER["author_name"]["help"] == load_copier_config()["author_name"]["help"]


def edit_config(root, edit):
    """Apply ``edit`` to the copy's cookiecutter.json."""
    config = json.loads((root / "cookiecutter.json").read_text(encoding="utf-8"))
    edit(config)
    (root / "cookiecutter.json").write_text(json.dumps(config), encoding="utf-8")


BAD_INPUTS = {
    "no-template": (lambda root: (root / "cookiecutter.json").unlink(), "cannot read"),
    "bad-json": (
        lambda root: (root / "cookiecutter.json").write_text("{", encoding="utf-8"),
        "is not valid JSON",
    ),
    "no-markers": (
        lambda root: (root / "copier.yml").write_text("_subdirectory: x\n", encoding="utf-8"),
        "must hold the line",
    ),
    "no-prompt": (
        lambda root: edit_config(root, lambda config: config["__prompts__"].pop("docker")),
        "question 'docker' has no entry in __prompts__",
    ),
    "dict-question": (
        lambda root: edit_config(root, lambda config: config.update(extra={"a": 1})),
        "question 'extra' is a dict",
    ),
    "no-levels": (
        lambda root: edit_config(root, lambda config: config.pop("_levels")),
        "cookiecutter.json lacks '_levels'",
    ),
}


@pytest.mark.parametrize(("break_it", "message"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_one_line_not_a_traceback(tmp_path, capsys, break_it, message):
    """What the script cannot work from is named in one line on stderr, and it exits non-zero
    without touching copier.yml."""
    root = template_copy(tmp_path)
    break_it(root)
    assert message in script_cli.one_line_refusal(copier_questions_script.main, root, "copier.yml")
    assert capsys.readouterr().out == ""
