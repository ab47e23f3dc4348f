"""Write copier.yml's questions from cookiecutter.json, the single source of truth.

copier cannot read cookiecutter's question format, so every question of cookiecutter.json is
written here, in cookiecutter's order, between two marker lines of copier.yml;
tests/test_copier_questions.py fails when the committed file is not what this script writes.
What copier.yml holds outside the markers is written by hand: its settings and the computed
values (template_data, confirm_file_removal, deleted_on_update, cookiecutter).

- A free-text question gets cookiecutter's default, its Jinja written for copier's context
  (answers at the top level, not under ``cookiecutter.``), and a validator from ``_rules``:
  the field's pattern, and for a field that becomes an import name (``import_name``), the
  reserved names, checked on the name Python would import.
- A choice question (a menu, or the typed Python version and level) gets its labels, and each
  choice of the level and of every component a choice validator: copier shows a choice that
  would contradict an earlier answer, or delete files on update, as disabled with the reason,
  and refuses it with that reason when it comes from --data. (copier 9.19 checks a question's
  own validator only on its default and on --data, never on a choice made in its menu, so a
  question-level validator would let a contradiction through interactively.)

    python scripts/copier_questions.py                    # print the generated block
    python scripts/copier_questions.py --write            # replace it in copier.yml
    python scripts/copier_questions.py --write --root DIR # in another copy of the template
"""

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "# --- questions: written by scripts/copier_questions.py from cookiecutter.json ---"
END = "# --- end of the written questions ---"
MACROS_FILE = "hooks/copier_macros.jinja"
# A Jinja expression or statement, where cookiecutter's answers are read.
JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


class QuestionError(Exception):
    """cookiecutter.json or copier.yml cannot give the questions: the message says why."""


def quoted(text):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def macro_call(macros, expression):
    """A copier validator: import the macros from hooks/copier_macros.jinja, then render."""
    imported = ", ".join(macros)
    return f"{{% from '{MACROS_FILE}' import {imported} with context %}}{{{{ {expression} }}}}"


def prompt_text(config, name):
    """The question's prompt: the first line of cookiecutter's (a typed level lists the
    levels below it, which copier shows as labelled choices)."""
    prompt = config["__prompts__"].get(name)
    if prompt is None:
        raise QuestionError(f"question {name!r} has no entry in __prompts__")
    return (prompt["__prompt__"] if isinstance(prompt, dict) else prompt).splitlines()[0]


def typed_choices(config):
    """(label, value) pairs of the questions cookiecutter has the user type (its menus count
    from 1, which would not match these values) and copier offers as a menu."""
    return {
        "python_version": [(version, version) for version in config["_python_versions"]],
        "maturity_level": [
            (f"{level} {meaning}", level) for level, meaning in config["_levels"].items()
        ],
    }


def offered(config, name):
    """(label, value) for each choice, in the order cookiecutter lists or accepts them."""
    typed = typed_choices(config)
    if name in typed:
        return typed[name]
    prompt = config["__prompts__"][name]
    labels = prompt if isinstance(prompt, dict) else {}
    return [(labels.get(value, value), value) for value in config[name]]


def default_of(config, name):
    """cookiecutter's default: the typed default, or the first entry of its menu."""
    raw = config[name]
    return raw[0] if isinstance(raw, list) else raw


def copier_default(text):
    """A cookiecutter default as copier renders it: copier's context holds the answers at the
    top level, so ``cookiecutter.project_name`` in a Jinja tag becomes ``project_name``."""
    return JINJA_TAG.sub(lambda tag: tag.group(0).replace("cookiecutter.", ""), text)


def choice_lines(name, label, value, guarded):
    """One choice: a label and its value, with a validator where the choice can be refused."""
    if not guarded:
        return [f"    {quoted(label)}: {quoted(value)}"]
    validator = macro_call(["choice_problems"], f"choice_problems('{name}', '{value}')")
    return [
        f"    {quoted(label)}:",
        f"      value: {quoted(value)}",
        f"      validator: {quoted(validator)}",
    ]


def choice_block(config, name):
    """The YAML of one choice question. The maturity level and the components decide which
    files exist, so each of their choices is checked (choice_problems)."""
    guarded = name == "maturity_level" or name in config["_components"]
    lines = [
        f"{name}:",
        "  type: str",
        f"  help: {quoted(prompt_text(config, name))}",
        f"  default: {quoted(default_of(config, name))}",
        "  choices:",
    ]
    for label, value in offered(config, name):
        lines += choice_lines(name, label, value, guarded)
    return "\n".join(lines)


def import_expression(name, rule):
    """The Jinja expression of the name Python imports an answer as: the answer with its
    rule's ``import_name`` replacements (``project_slug.replace('-', '_')``)."""
    replacements = "".join(f".replace({old!r}, {new!r})" for old, new in rule.items())
    return name + replacements


def text_validator(config, name):
    """The validator of a free-text question from its rule in ``_rules``, or None: the
    pattern, then the reserved names for a field that becomes an import name."""
    rule = config["_rules"].get(name)
    if not isinstance(rule, dict) or "pattern" not in rule:
        return None
    macros, checks = ["pattern_problem"], [f"pattern_problem('{name}', {name})"]
    if "import_name" in rule:
        macros.append("reserved_problem")
        checks.append(f"reserved_problem('{name}', {import_expression(name, rule['import_name'])})")
    return macro_call(macros, " or ".join(checks))


def text_block(config, name):
    """The YAML of one free-text question: prompt, default and the checks of its rule."""
    lines = [
        f"{name}:",
        "  type: str",
        f"  help: {quoted(prompt_text(config, name))}",
        f"  default: {quoted(copier_default(config[name]))}",
    ]
    validator = text_validator(config, name)
    if validator:
        lines.append(f"  validator: {quoted(validator)}")
    return "\n".join(lines)


def question_block(config, name):
    """The YAML of one question: a choice question for a menu or a typed choice, a free-text
    question for any other text."""
    raw = config[name]
    if isinstance(raw, list) or name in typed_choices(config):
        return choice_block(config, name)
    if isinstance(raw, str):
        return text_block(config, name)
    kind = type(raw).__name__
    raise QuestionError(f"question {name!r} is a {kind}: only text and lists are written")


def questions(config):
    """The questions cookiecutter asks, in its order: every key without a leading underscore."""
    return [name for name in config if not name.startswith("_")]


def generated_block(config):
    """Everything between the two marker lines, markers included."""
    blocks = [question_block(config, name) for name in questions(config)]
    return "\n".join([BEGIN, "\n\n".join(blocks), END])


def replace_block(text, block):
    """copier.yml's text with its generated block replaced."""
    for marker in (BEGIN, END):
        if text.count(marker) != 1:
            raise QuestionError(f"copier.yml must hold the line {marker!r} exactly once")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + block + text[end:]


def read_config(root):
    """The template's cookiecutter.json, parsed."""
    path = Path(root, "cookiecutter.json")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise QuestionError(f"cannot read {path}: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise QuestionError(f"{path} is not valid JSON: {error}") from error


def run(args):
    """Print the block, or write it into the template's copier.yml."""
    block = generated_block(read_config(args.root))
    if not args.write:
        print(block)
        return
    copier_file = Path(args.root, "copier.yml")
    try:
        text = copier_file.read_text(encoding="utf-8")
    except OSError as error:
        raise QuestionError(f"cannot read {copier_file}: {error.strerror}") from error
    copier_file.write_text(replace_block(text, block), encoding="utf-8")


def main(argv=None):
    """Write or print the questions; a problem with the input is one line on stderr."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the block in copier.yml")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the template's folder (default: this one)"
    )
    args = parser.parse_args(argv)
    try:
        run(args)
    except (QuestionError, KeyError) as error:
        message = error if isinstance(error, QuestionError) else f"cookiecutter.json lacks {error}"
        sys.exit(f"copier_questions.py: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
