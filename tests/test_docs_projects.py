"""Generated documentation sites build strictly and offline, and hold what the README promises.

``make docs`` runs in the installed projects of the first level with the documentation site
and of the top level, with proxies pointing nowhere, so that anything the build would fetch
fails it. The built HTML is read back against independent sources: the README's title, the
sections and targets ``make help`` prints, and a docstring read from the source with ``ast``.
Then every distinct set of Python files with the site on is built too (with the top level's
virtualenv), since a docstring that varies with the answers could break a strict build in a
combination no level preset bakes.
"""

import ast
import html
import re
from pathlib import Path

import manifest
import pytest
from installed_projects import package_of, run
from test_docs_site import NO_NETWORK
from test_generated_projects import distinct_python_bakes

pytestmark = pytest.mark.slow

CONFIG = manifest.load_config()
DOCS = manifest.components(CONFIG)["docs"]
DOCS_LEVELS = sorted({str(manifest.first_on_level(DOCS)), manifest.levels(CONFIG)[-1]}, key=int)
HEADING_RE = re.compile(r"<h([12])[^>]*>(.*?)</h\1>", re.DOTALL)
# What a page would load from elsewhere: scripts, styles, images and fonts from a URL.
REMOTE_RE = re.compile(
    r"<(?:script|img)[^>]*\ssrc=\"(?:https?:)?//|<link[^>]*\shref=\"(?:https?:)?//"
)


def headings(page):
    """(level, text) of the h1 and h2 headings of a built page, tags and permalinks removed."""
    text = page.read_text(encoding="utf-8")
    found = []
    for level, inner in HEADING_RE.findall(text):
        inner = re.sub(r"<a class=\"headerlink\".*?</a>", "", inner, flags=re.DOTALL)
        found.append((int(level), html.unescape(re.sub(r"<[^>]+>", "", inner)).strip()))
    return found


def help_sections(project):
    """Section title -> its targets, as ``make help`` prints them."""
    sections = {}
    for line in run(["make", "--no-print-directory", "help"], project).splitlines():
        if line and not line.startswith(" "):
            sections[line.strip()] = []
        elif line.strip() and sections:
            sections[list(sections)[-1]].append(line.split()[0])
    return sections


def first_docstring_line(source, function):
    """The first line of a module-level function's docstring, read with ast."""
    tree = ast.parse(Path(source).read_text(encoding="utf-8"))
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
    return ast.get_docstring(node).splitlines()[0]


@pytest.mark.parametrize("level", DOCS_LEVELS)
def test_make_docs_builds_the_readme_the_make_targets_and_the_api(level, installed, tmp_path):
    """The README is the home page; each section of ``make help`` has a page with its targets;
    the API reference shows the data module's functions with their docstrings; no page loads
    anything from another site."""
    project = installed.get(level)
    site = tmp_path / "site"
    run(["make", "docs", f"SITE_DIR={site}"], project, env=NO_NETWORK)

    title = Path(project, "README.md").read_text(encoding="utf-8").splitlines()[0]
    assert (1, title.removeprefix("# ")) in headings(site / "index.html")

    pages = {headings(page)[0][1]: headings(page) for page in site.glob("make-targets/*.html")}
    sections = help_sections(project)
    assert sorted(pages) == sorted(sections)
    for title, targets in sections.items():
        assert [text for size, text in pages[title] if size == 2] == [
            f"make {target}" for target in targets
        ]

    package = package_of(project)
    reference = (site / "reference.html").read_text(encoding="utf-8")
    assert f'id="{package}.data.read_dataset"' in reference
    docstring = first_docstring_line(Path(project, "src", package, "data.py"), "read_dataset")
    assert re.sub(r":\w+:|`", "", docstring) in html.unescape(re.sub(r"<[^>]+>", "", reference))
    # Its :func:`write_dataset` links to that function.
    assert f'<a href="#{package}.data.write_dataset"><code>write_dataset</code></a>' in reference

    remote = [page.name for page in site.rglob("*.html") if REMOTE_RE.search(page.read_text())]
    assert not remote, f"pages that load from another site: {remote}"


def test_docs_build_for_every_distinct_python_set(installed, cookies, tmp_path):
    """Every combination with the site on builds it strictly: one bake per distinct set of
    Python files (their docstrings are what varies), built offline with the top level's
    mkdocs."""
    top = installed.get(manifest.levels(CONFIG)[-1])
    bakes = distinct_python_bakes(cookies, installed.version, lambda combo: combo["docs"] == "yes")
    assert len(bakes) > 1
    for index, bake in enumerate(bakes):
        command = [
            top / ".venv/bin/mkdocs",
            "build",
            "--strict",
            "--site-dir",
            tmp_path / str(index),
        ]
        run(command, bake, env=NO_NETWORK)
        assert (tmp_path / str(index) / "reference.html").is_file(), bake
