"""copier's view of the template: copier.yml parsed, and copy/update helpers over a git repo.

copier copies from git repositories (it records the tag or commit it used), so the parity
and update tests work on a throwaway git repository holding the template's working tree.
pytest-copie cannot load beside pytest-cookies, so copier's Python API is called directly.
"""

import shutil
import subprocess
from pathlib import Path

import copier
import yaml

from template_model import ROOT

GIT_IDENTITY = ("-c", "user.name=Template Tests", "-c", "user.email=tests@example.invalid")
COMPUTED_QUESTIONS = ("template_data", "confirm_file_removal", "deleted_on_update", "cookiecutter")


class _IncludeLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors  # PyYAML's own
    """A loader that leaves copier's `!include` tag as a marker instead of failing."""


_IncludeLoader.add_constructor("!include", lambda loader, node: {"!include": node.value})


def load_copier_config(root=ROOT):
    """copier.yml as data; `!include` values come back as {'!include': path}."""
    return yaml.load(Path(root, "copier.yml").read_text(encoding="utf-8"), Loader=_IncludeLoader)


def copier_questions(config):
    """The questions a user answers, in order (settings and computed values left out)."""
    return {
        name: spec
        for name, spec in config.items()
        if not name.startswith("_") and name not in COMPUTED_QUESTIONS
    }


def git(directory, *args):
    """Run git in ``directory`` and return its stdout; fail loudly."""
    result = subprocess.run(
        ["git", *GIT_IDENTITY, *args], cwd=directory, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def template_working_files(root=ROOT):
    """The template files git tracks or would track (ignored output and venvs excluded)."""
    listed = git(root, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    return [name for name in listed.split("\0") if name and Path(root, name).exists()]


def snapshot_template(destination, tag="v1", root=ROOT):
    """A git repository holding the template's current working tree, tagged ``tag``."""
    destination = Path(destination)
    for name in template_working_files(root):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(root, name), target)
    git(destination, "init", "-q", "-b", "main")
    commit_all(destination, "template snapshot", tag)
    return destination


def commit_all(directory, message, tag=None):
    """Commit everything in ``directory`` (and tag it), as a user or maintainer would."""
    git(directory, "add", "-A")
    git(directory, "commit", "-q", "-m", message)
    if tag:
        git(directory, "tag", tag)


def copier_copy(template, destination, data, vcs_ref="HEAD"):
    """`copier copy --defaults` in process; raises copier's validation errors."""
    copier.run_copy(
        str(template),
        str(destination),
        data=data,
        defaults=True,
        vcs_ref=vcs_ref,
        quiet=True,
        unsafe=False,
    )
    return Path(destination)


def copier_update(project, data=None, vcs_ref=None, conflict="inline"):
    """`copier update --defaults [--data ...]` on a clean git project, conflicts inline (or
    ``rej``: the hunks that do not apply go to <file>.rej)."""
    copier.run_update(
        str(project),
        data=data or {},
        defaults=True,
        overwrite=True,
        vcs_ref=vcs_ref,
        quiet=True,
        conflict=conflict,
        unsafe=False,
    )


def tree(directory):
    """{relative path: (bytes, mode)} for files and {path: None} for directories, sans .git."""
    entries = {}
    for path in sorted(Path(directory).rglob("*")):
        relative = path.relative_to(directory).as_posix()
        if relative == ".git" or relative.startswith(".git/"):
            continue
        entries[relative] = None if path.is_dir() else (path.read_bytes(), path.stat().st_mode)
    return entries


def tree_differences(expected, actual):
    """The paths of two trees (see ``tree``) that differ: on one side only, or with other
    bytes or mode. Comparing the trees whole would print every file of both on a failure."""
    missing = object()
    return sorted(
        path
        for path in expected.keys() | actual.keys()
        if expected.get(path, missing) != actual.get(path, missing)
    )
