"""Shape the generated project to the chosen components, and make it updatable by copier.

cookiecutter renders every template file; this hook then deletes the files of the
components that are off (the manifest in cookiecutter.json says which paths each
component value owns), prunes the directories that end up empty, and writes the
.copier-answers.yml that copier would have written, so `copier update` works on a
project made by cookiecutter (or by cruft, which runs this hook through cookiecutter's
generate_files with a context of its own). The tests import this module unrendered and
call its functions on scratch directories.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ANSWERS_JSON = r"""{{ cookiecutter | jsonify }}"""

COPIER_ANSWERS_FILE = ".copier-answers.yml"
COPIER_ANSWERS_HEADER = "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"
# Manifest paths are written in template spelling; the only templated segment below the
# project root is the package directory. Built in pieces: cookiecutter renders this file.
PACKAGE_PLACEHOLDER = "{" * 2 + "cookiecutter.package_name" + "}" * 2
# What cookiecutter and copier both accept as a remote template: gh:/gl:/bb: abbreviations,
# URLs with a scheme (https://, git+ssh://, file://) and scp-like git@host:org/repo.
REMOTE_TEMPLATE = re.compile(r"^(gh|gl|bb):|^[a-z][a-z0-9+.-]*://|^[\w.-]+@[\w.-]+:")


def owned_paths(answers, selected):
    """Paths owned by the selected (or, with selected=False, unselected) component values."""
    paths = set()
    for name, spec in answers["_components"].items():
        chosen = answers[f"__{name}"]
        for value, value_paths in spec["files"].items():
            if (value == chosen) == selected:
                paths.update(value_paths)
    return paths


def paths_to_remove(answers):
    """Paths of unselected values, except those another selected value also owns.

    Returned as they are named in the generated project (the package name filled in).
    """
    unowned = owned_paths(answers, selected=False) - owned_paths(answers, selected=True)
    return sorted(path.replace(PACKAGE_PLACEHOLDER, answers["package_name"]) for path in unowned)


def remove_paths(root, relative_paths):
    """Delete files and directory trees under ``root``; missing ones were already removed."""
    for relative in relative_paths:
        path = Path(root, relative)
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def prune_empty_dirs(root):
    """Remove directories left empty, deepest first, so no hollow folders remain."""
    for directory in sorted(Path(root).rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()


def local_template_dir(repo_dir):
    """Absolute path of a local template, which cookiecutter may pass relative.

    While hooks run, cookiecutter's own process works inside the template directory, so
    on Linux its working directory names the template even when ``repo_dir`` is relative.
    """
    path = Path(repo_dir)
    if path.is_absolute():
        return path
    parent_cwd = Path(f"/proc/{os.getppid()}/cwd")
    if parent_cwd.exists():
        return parent_cwd.resolve()
    return Path(os.environ.get("PWD", os.getcwd()), path).resolve()


def template_source(answers):
    """The `_src_path` copier clones on update: the URL the user gave, or a local path."""
    if REMOTE_TEMPLATE.match(answers["_template"]):
        return answers["_template"]
    return str(local_template_dir(answers["_repo_dir"]))


def git_output(directory, *args):
    """stdout of a git command in ``directory``, or None when it fails (not a repository)."""
    result = subprocess.run(
        ["git", "-C", str(directory), *args], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else None


def template_commit(template_dir):
    """copier's `_commit` (the template's tag or commit) and a warning when updates will fail."""
    commit = git_output(template_dir, "describe", "--tags", "--always")
    if commit is None:
        return None, (
            f"the template at {template_dir} is not a git repository, so .copier-answers.yml "
            "has no _commit and `copier update` will not work; generate from a git clone."
        )
    if git_output(template_dir, "status", "--porcelain"):
        return commit, (
            f"the template at {template_dir} has uncommitted changes; _commit records "
            f"{commit}, which does not contain them, so `copier update` will see them as "
            "your edits. Commit the template changes and generate again."
        )
    return commit, None


def copier_answers(answers, source, commit):
    """The answers copier records: its two private keys, then every question's answer."""
    recorded = {"_src_path": source}
    if commit:
        recorded["_commit"] = commit
    recorded.update((key, value) for key, value in answers.items() if not key.startswith("_"))
    return recorded


def render_copier_answers(recorded):
    """Byte-identical to copier's own answers file (its `to_nice_yaml` settings)."""
    body = yaml.dump(recorded, indent=4, allow_unicode=True, default_flow_style=False)
    return COPIER_ANSWERS_HEADER + body


def cruft_template(answers):
    """copier's `_src_path` and `_commit` under cruft, or a warning when they are unknown.

    cruft passes no `_repo_dir`: its `_template` is already an absolute path or a URL (the
    template itself, not cruft's temporary clone) and its `_commit` the full SHA it checked
    out, which is recorded as a tag when one names it. Hooks run from inside the clone.
    """
    template, sha = answers.get("_template", ""), answers.get("_commit", "")
    if not sha or not (REMOTE_TEMPLATE.match(template) or Path(template).is_absolute()):
        return (
            None,
            None,
            (
                f"cannot tell where the template came from (_template={template!r}, "
                f"_commit={sha!r}), so no {COPIER_ANSWERS_FILE} was written and `copier update` "
                "will not work on this project."
            ),
        )
    commit = git_output(local_template_dir("."), "describe", "--tags", "--always", sha)
    return template, commit or sha, None


def write_copier_answers(project_dir, answers):
    """Write .copier-answers.yml; return a warning when `copier update` will not work."""
    if "_repo_dir" not in answers:
        source, commit, warning = cruft_template(answers)
        if source is None:
            return warning
    else:
        source = template_source(answers)
        template_dir = answers["_repo_dir"] if REMOTE_TEMPLATE.match(source) else source
        commit, warning = template_commit(local_template_dir(template_dir))
    text = render_copier_answers(copier_answers(answers, source, commit))
    Path(project_dir, COPIER_ANSWERS_FILE).write_text(text, encoding="utf-8")
    return warning


def missing_python_note(version, find=shutil.which):
    """Tell the user now, not at `make install`, that the Python the project targets is absent."""
    if find(f"python{version}"):
        return None
    return (
        f"this project targets Python {version}, and python{version} is not on your PATH. "
        f"`make install` creates .venv with it: install it first, for example with "
        f"`uv python install {version}` (make install then finds it through uv) or pyenv."
    )


def main():
    """Apply the component choices, then record the answers for `copier update`."""
    answers = json.loads(ANSWERS_JSON)
    remove_paths(Path.cwd(), paths_to_remove(answers))
    prune_empty_dirs(Path.cwd())
    warning = write_copier_answers(Path.cwd(), answers)
    if warning:
        print(f"WARNING: {warning}", file=sys.stderr)
    note = missing_python_note(answers["python_version"])
    if note:
        print(f"NOTE: {note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
