"""The update scenario shared by the copier and cruft update tests.

A throwaway git repository of the template (tag v1) is the template's home; a project is
generated from it and committed, the user commits an edit, and the template releases a v2
that retitles the generated README. Whatever updates the project must apply v2 and keep
the edit, which is checked against a fresh bake plus the same edit.
"""

from pathlib import Path

from copier_model import commit_all, git, tree

USER_LINE = "user-notes/  # added by the user after generation\n"
TEMPLATE_TITLE_SUFFIX = " (template v2)"


def start_project_repo(project):
    """git init and a first commit, what a user does right after generating."""
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "generated")


def add_user_edit(project):
    """A user's own change, committed: it must survive every update."""
    with Path(project, ".gitignore").open("a", encoding="utf-8") as gitignore:
        gitignore.write(USER_LINE)
    commit_all(project, "user edit")


def release_v2(template_repo):
    """A real template change: the generated README's title line changes, tagged v2."""
    readme = Path(template_repo, "{{cookiecutter.project_slug}}", "README.md")
    lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = lines[0].rstrip("\n") + TEMPLATE_TITLE_SUFFIX + "\n"
    readme.write_text("".join(lines), encoding="utf-8")
    commit_all(template_repo, "template v2: retitle the README", tag="v2")


def fresh_bake_with_edit(cookies, template_repo, answers):
    """What an update must equal: a fresh bake with the same answers, plus the user's edit."""
    baked = cookies.bake(extra_context=answers, template=str(template_repo))
    assert baked.exception is None, baked.exception
    with Path(baked.project_path, ".gitignore").open("a", encoding="utf-8") as gitignore:
        gitignore.write(USER_LINE)
    return tree(baked.project_path)
