"""Write copier.yml's choice questions from cookiecutter.json, the single source of truth.

copier cannot read cookiecutter's question format, so its choice questions (the Python
version, the license, the maturity level and every component) are generated here, between
two marker lines of copier.yml; tests/test_copier_questions.py fails when the committed file
is not what this script writes. Each choice carries a copier choice validator: copier shows a
choice that would contradict an earlier answer, or delete files on update, as disabled with
the reason, and refuses it with that reason when it comes from --data. (copier 9.19 checks a
question's own validator only on its default and on --data, never on a choice made in its
menu, so a question-level validator would let a contradiction through interactively.)

    python scripts/copier_questions.py           # print the generated block
    python scripts/copier_questions.py --write   # replace it in copier.yml
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIER_FILE = ROOT / "copier.yml"
BEGIN = "# --- choice questions: written by scripts/copier_questions.py from cookiecutter.json ---"
END = "# --- end of the written choice questions ---"
MACROS = "{% from 'hooks/copier_macros.jinja' import choice_problems with context %}"


def quoted(text):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def prompt_text(config, name):
    """The question's prompt: the first line of cookiecutter's (a typed level lists the
    levels below it, which copier shows as labelled choices)."""
    prompt = config["__prompts__"][name]
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


def choice_lines(name, label, value, guarded):
    """One choice: a label and its value, with a validator where the choice can be refused."""
    if not guarded:
        return [f"    {quoted(label)}: {quoted(value)}"]
    validator = f"{MACROS}{{{{ choice_problems('{name}', '{value}') }}}}"
    return [
        f"    {quoted(label)}:",
        f"      value: {quoted(value)}",
        f"      validator: {quoted(validator)}",
    ]


def question_block(config, name):
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


def choice_questions(config):
    """The questions a choice is made for: cookiecutter menus and typed-in choices."""
    typed = typed_choices(config)
    return [
        name
        for name in config
        if not name.startswith("_") and (isinstance(config[name], list) or name in typed)
    ]


def generated_block(config):
    """Everything between the two marker lines, markers included."""
    blocks = [question_block(config, name) for name in choice_questions(config)]
    return "\n".join([BEGIN, "\n\n".join(blocks), END])


def replace_block(text, block):
    """copier.yml's text with its generated block replaced."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + block + text[end:]


def main(argv=None):
    """Print the block, or write it into copier.yml with --write."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the block in copier.yml")
    args = parser.parse_args(argv)
    config = json.loads((ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    block = generated_block(config)
    if not args.write:
        print(block)
        return 0
    text = COPIER_FILE.read_text(encoding="utf-8")
    COPIER_FILE.write_text(replace_block(text, block), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
