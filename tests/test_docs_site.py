"""The documentation site builds, its links resolve, and its tables say what the manifest says.

The site is built once per module with ``make docs`` (strict) into a temporary directory,
with proxies pointing nowhere so a build step that needs the network fails. The built HTML
is then read back and compared with an independent reading of cookiecutter.json (and of the
generated project's Makefile for make targets): these tests never ask the generator what it
meant to write. Every manifest component must have a hand-written page, so a new component
fails here until it is documented.
"""

import copy
import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import copier_questions
import pytest
import manifest
from markdown_links import EXTERNAL, link_problem, relative_links, slug
import template_model
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
COMPONENT_DOCS = DOCS / "components"
CONFIG = manifest.load_config()
COMPONENTS = list(CONFIG["_components"])
QUESTIONS = [name for name in CONFIG if not name.startswith("_")]
OFF = manifest.OFF_VALUES
# Python's urllib, and with it anything MkDocs or a plugin would fetch, honours these.
NO_NETWORK = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}


def load_docs_site():
    """Import scripts/docs_site.py the way MkDocs does, with scripts/ importable."""
    scripts = str(ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    spec = importlib.util.spec_from_file_location("docs_site", ROOT / "scripts" / "docs_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- reading the built HTML ---------------------------------------------------------------


@dataclass
class Cell:
    """One table cell: its text, the texts of its code spans, and its links."""

    text: str = ""
    codes: list = field(default_factory=list)
    hrefs: list = field(default_factory=list)


class PageParser(HTMLParser):
    """Collects a page's tables (rows of Cells), its element ids and its links."""

    def __init__(self):
        super().__init__()
        self.tables, self.ids, self.hrefs = [], set(), []
        self.cell = None
        self.in_code = False

    def handle_starttag(self, tag, attrs):
        """Open tables, rows, cells and code spans; record ids and links."""
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
            if self.cell:
                self.cell.hrefs.append(attrs["href"])
        self.open_structure(tag)

    def open_structure(self, tag):
        """Tables hold rows, rows hold cells; a code span inside a cell starts a new code."""
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self.cell = Cell()
            self.tables[-1][-1].append(self.cell)
        elif tag == "code" and self.cell:
            self.in_code = True
            self.cell.codes.append("")

    def handle_endtag(self, tag):
        """Close code spans and cells."""
        if tag == "code":
            self.in_code = False
        elif tag in ("td", "th"):
            self.cell = None

    def handle_data(self, data):
        """Text goes to the open cell and its open code span."""
        if self.cell:
            self.cell.text += data
            if self.in_code:
                self.cell.codes[-1] += data


def parse_page(path):
    """The parsed contents of one built page."""
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def find_table(page, *header):
    """The body rows of the first table whose header starts with these cells."""
    for rows in page.tables:
        texts = [cell.text.strip() for cell in rows[0]]
        if texts[: len(header)] == list(header):
            return rows[1:]
    raise AssertionError(f"no table with header {header}")


@pytest.fixture(name="site", scope="module")
def fixture_site(tmp_path_factory):
    """The site, built strictly and offline by `make docs` as the README gives it; a failed
    build fails every test that reads it."""
    site_dir = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        ["make", "--no-print-directory", "docs", f"SITE_DIR={site_dir}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **NO_NETWORK},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return site_dir


def page_of(site, name):
    """A built page by its source name (use_directory_urls is off: name.md -> name.html)."""
    return parse_page(site / name.replace(".md", ".html"))


# --- the build and its links --------------------------------------------------------------


def test_site_builds_strictly_without_network(site):
    """Every source page is built; a warning (a broken link, a missing page) fails the fixture."""
    sources = sorted(path.relative_to(DOCS).with_suffix(".html") for path in DOCS.rglob("*.md"))
    missing = [str(page) for page in sources if not (site / page).is_file()]
    assert sources and not missing, missing


def resolve_href(page_path, href, site):
    """The built file and fragment an internal link points to, or None for external links."""
    if href.startswith(EXTERNAL):
        return None
    parts = urlsplit(href)
    target = page_path if not parts.path else (page_path.parent / unquote(parts.path))
    target = target.resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_relative_to(site.resolve()):
        return (target, "outside the site")
    return (target, parts.fragment)


def test_every_link_in_the_built_site_resolves(site):
    """Links between pages, generated ones included, reach a page and an element on it."""
    broken, ids = [], {}
    # 404.html is served at any address, so its links are absolute by design.
    for page_path in sorted(set(site.rglob("*.html")) - {site / "404.html"}):
        for href in parse_page(page_path).hrefs:
            resolved = resolve_href(page_path, href, site)
            if resolved is None:
                continue
            target, fragment = resolved
            if fragment == "outside the site" or not target.is_file():
                broken.append(f"{page_path.relative_to(site)}: {href}")
                continue
            if fragment and target.suffix == ".html":
                known = ids.setdefault(target, parse_page(target).ids)
                if fragment not in known:
                    broken.append(f"{page_path.relative_to(site)}: {href} (no such anchor)")
    assert not broken, "\n".join(broken)


# What a browser fetches by itself when it shows a page: tag -> the attribute naming it.
FETCHED_BY = {
    "script": "src",
    "link": "href",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "embed": "src",
    "object": "data",
}
REMOTE_RE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
# What CSS loads: url(...) and @import "..." or @import url(...).
CSS_URL_RE = re.compile(r"""(?:@import\s+(?:url\()?|url\()\s*['"]?([^'")\s;]+)""", re.I)


class ResourceParser(HTMLParser):
    """Collects what a page makes the browser load: the addresses of its scripts, stylesheets,
    fonts, images and frames (from tags, style blocks and style attributes), and the classes
    of its elements (the theme fetches a script for some of them)."""

    def __init__(self):
        super().__init__()
        self.addresses, self.classes = [], set()
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        """Record the fetched attribute of a loading tag, style attributes and classes."""
        attrs = dict(attrs)
        if attrs.get(FETCHED_BY.get(tag)):
            self.addresses.append(attrs[FETCHED_BY[tag]])
        self.addresses.extend(CSS_URL_RE.findall(attrs.get("style") or ""))
        self.classes.update((attrs.get("class") or "").split())
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        """A style block ends."""
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        """The addresses a style block imports or uses."""
        if self.in_style:
            self.addresses.extend(CSS_URL_RE.findall(data))


def page_resources(page_path):
    """The parsed resources of one built page."""
    parser = ResourceParser()
    parser.feed(page_path.read_text(encoding="utf-8"))
    return parser


def remote_loads(site):
    """'<file>: <address>' for everything of the site that a browser would fetch from the
    network: loading tags and CSS of its pages, and the url()s and imports of its stylesheets."""
    found = []
    for page_path in sorted(site.rglob("*.html")):
        addresses = page_resources(page_path).addresses
        found += [
            f"{page_path.relative_to(site)}: {url}" for url in addresses if REMOTE_RE.match(url)
        ]
    for sheet in sorted(site.rglob("*.css")):
        addresses = CSS_URL_RE.findall(sheet.read_text(encoding="utf-8"))
        found += [f"{sheet.relative_to(site)}: {url}" for url in addresses if REMOTE_RE.match(url)]
    return found


def test_built_site_loads_nothing_from_the_network(site):
    """Opened from disk without a network, the site looks the same: no script, stylesheet or
    font from a CDN or Google Fonts (the theme's default font is one: ``font: false``)."""
    found = remote_loads(site)
    assert not found, "\n".join(found)


def test_no_page_makes_the_theme_fetch_a_diagram_script(site):
    """The theme fetches Mermaid from a CDN at run time for any element of class mermaid,
    which no link in the HTML shows: the ladder diagram is drawn at build time instead."""
    pages = [path for path in site.rglob("*.html") if "mermaid" in page_resources(path).classes]
    assert not pages, pages


@pytest.mark.parametrize(
    "source",
    [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_relative_links_of_markdown_sources_point_to_existing_files(source):
    """The README (read on the forge, not built) and the docs sources link to real files."""
    problems = [link_problem(source, link) for link in relative_links(source)]
    problems = [problem for problem in problems if problem]
    assert not problems, "\n".join(problems)


def test_readme_links_the_documentation_and_keeps_its_quick_start():
    """The README's quick start stays, and a Documentation section points into docs/."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Quick start" in readme
    section = readme.split("## Documentation", 1)[1].split("\n## ", 1)[0]
    assert "](docs/" in section and "make docs" in section


# --- a page for every component -----------------------------------------------------------


@pytest.mark.parametrize("name", COMPONENTS)
def test_every_component_has_a_prose_page(name):
    """docs/components/<name>.md exists, with a title and how to use and replace it."""
    page = COMPONENT_DOCS / f"{name}.md"
    assert page.is_file(), f"component {name!r} has no page: write docs/components/{name}.md"
    headings = [line for line in page.read_text(encoding="utf-8").splitlines() if line[:1] == "#"]
    assert headings and headings[0].startswith("# "), "the page needs a '# Title' first"
    assert "## How to use it" in headings, headings
    assert any(line.startswith("## How to replace") for line in headings), headings


def test_no_page_documents_a_component_that_does_not_exist():
    """A component renamed or removed from the manifest must take its page with it."""
    pages = {path.stem for path in COMPONENT_DOCS.glob("*.md")} - {"index"}
    assert pages <= set(COMPONENTS), sorted(pages - set(COMPONENTS))


# --- the generated tables, read back from the HTML ----------------------------------------


def expected_ladder_cell(level):
    """The components the README-style ladder table must list for a level."""
    names = set()
    for name, spec in CONFIG["_components"].items():
        value = spec["levels"][level]
        if value not in OFF:
            names.add(name if value == "yes" else f"{name} ({value})")
    return names


def test_ladder_table_lists_what_each_level_turns_on(site):
    """On the home page, one row per level, its meaning from _levels and exactly the
    components its preset has."""
    rows = find_table(page_of(site, "index.md"), "level", "what it means")
    assert [row[0].text.strip() for row in rows] == sorted(CONFIG["_levels"], key=int)
    for row in rows:
        level = row[0].text.strip()
        assert row[1].text.strip() == CONFIG["_levels"][level]
        listed = {part.strip() for part in row[2].text.split(",")} - {"(none: the core only)"}
        assert listed == expected_ladder_cell(int(level)), level


def test_auto_matrix_gives_each_components_value_per_level(site):
    """The table of what auto resolves to has every component and its five preset values."""
    rows = find_table(page_of(site, "questions.md"), "component question", "level 0")
    matrix = {row[0].text.strip(): [cell.text.strip() for cell in row[1:]] for row in rows}
    assert matrix == {name: spec["levels"] for name, spec in CONFIG["_components"].items()}


def expand_level_runs(text):
    """'no at level 0, yes at levels 1-4' -> ['no', 'yes', 'yes', 'yes', 'yes']."""
    values = []
    for value, start, end in re.findall(r"(\S+) at levels? (\d)(?:-(\d))?", text):
        values.extend([value] * (int(end or start) - int(start) + 1))
    return values


def questions_rows(site):
    """Question name -> its row on the Questions page."""
    rows = find_table(page_of(site, "questions.md"), "question", "asks", "choices")
    return {row[0].text.strip(): row for row in rows}


def test_questions_table_has_every_question_in_order(site):
    """The same questions as cookiecutter.json, in the order the tools ask them."""
    rows = find_table(page_of(site, "questions.md"), "question", "asks", "choices")
    assert [row[0].text.strip() for row in rows] == QUESTIONS


def prompt(name):
    """A question's label in __prompts__."""
    label = CONFIG["__prompts__"][name]
    return (label["__prompt__"] if isinstance(label, dict) else label).splitlines()[0]


@pytest.mark.parametrize("name", QUESTIONS)
def test_question_row_gives_label_choices_and_default(site, name):
    """Label from __prompts__; choices in order; default the first choice, or the text."""
    _, asks, choices, default, _ = questions_rows(site)[name]
    assert asks.text.strip() == prompt(name)
    raw = CONFIG[name]
    typed = copier_questions.typed_choices(CONFIG)
    if isinstance(raw, list):
        assert choices.codes == raw
        assert default.codes[0] == raw[0]
    elif name in typed:
        assert choices.codes == [value for _, value in typed[name]]
        assert default.codes == [raw]
    elif "cookiecutter." in raw:
        referenced = re.findall(r"cookiecutter\.(\w+)", raw)
        assert "derived from" in default.text and set(referenced) <= set(default.codes)
    else:
        assert default.codes == [raw]


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_question_default_is_auto_and_points_to_its_values(site, name):
    """A component's default is auto, linked to the table of what auto is at each level on
    the same page rather than spelled out again in the cell."""
    _, _, choices, default, _ = questions_rows(site)[name]
    assert default.codes == ["auto"]
    assert default.hrefs == ["#what-auto-means-at-each-level"]
    assert CONFIG["__prompts__"][name]["auto"] not in choices.text, "auto's label sums up presets"


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_constraints_name_what_it_needs(site, name):
    """Each required component is named and linked as a need; each dependant as 'needed by'."""
    constraints = questions_rows(site)[name][4]
    requires = CONFIG["_components"][name]["requires"]
    needed_by = [other for other, spec in CONFIG["_components"].items() if name in spec["requires"]]
    linked = {Path(href).stem for href in constraints.hrefs}
    assert set(requires) | set(needed_by) <= linked
    assert ("needs" in constraints.text) == bool(requires)
    if requires:
        assert f"needs {', '.join(requires)}" in constraints.text
    assert ("needed by" in constraints.text) == bool(needed_by)


@pytest.mark.parametrize("name", [q for q in QUESTIONS if "pattern" in CONFIG["_rules"].get(q, {})])
def test_validated_question_shows_its_rule(site, name):
    """A free-text question with a rule shows the rule's hint and pattern."""
    constraints = questions_rows(site)[name][4]
    rule = CONFIG["_rules"][name]
    assert rule["hint"] in constraints.text and rule["pattern"] in constraints.codes


@pytest.mark.parametrize("name", QUESTIONS)
def test_import_name_fields_and_only_they_link_to_the_reserved_names(site, name):
    """The fields whose rule makes them import names (``import_name`` in _rules), and no
    others, say they are checked against the reserved names."""
    constraints = questions_rows(site)[name][4]
    becomes_import = "import_name" in CONFIG["_rules"].get(name, {})
    assert ("#reserved-names" in constraints.hrefs) == becomes_import, constraints.text


def test_reserved_names_are_all_listed(site):
    """Every refused name of _rules appears on the Questions page."""
    rows = find_table(page_of(site, "questions.md"), "refused because it is one of the")
    listed = {code for row in rows for code in row[1].codes}
    rules = CONFIG["_rules"]
    expected = {*rules["python_keywords"], *rules["stdlib_modules"], *rules["reserved_names"]}
    assert listed == expected


# --- component pages: files and make targets ----------------------------------------------


JINJA_TAG_RE = re.compile(r"\{%-?\s*(if|elif|else|endif)\b(.*?)-?%\}")


def guarded_targets(makefile_text):
    """Target -> the (component, value) pairs of the Jinja conditions enclosing its line.

    Tags are followed in order within each line, so an inline ``{% if %}...{% endif %}`` (in
    a target's description, say) opens and closes on the line it sits on. A target's guards
    are the blocks open where its line starts.
    """
    stack, targets = [], {}
    for line in makefile_text.splitlines():
        match = re.match(r"^([a-zA-Z_-]+):.*## ", line)
        if match:
            targets[match.group(1)] = set().union(*stack)
        for tag, condition in JINJA_TAG_RE.findall(line):
            guards = set(re.findall(r"cookiecutter\.__(\w+) == '(\w+)'", condition))
            if tag == "if":
                stack.append(guards)
            elif tag == "endif":
                stack.pop()
            else:  # elif, else: the previous condition no longer holds
                stack[-1] = guards
    return targets


def expected_targets(name):
    """Make targets the Makefile only defines when this component has an on value."""
    makefile = (template_model.TEMPLATE_DIR / "Makefile").read_text(encoding="utf-8")
    return {
        target
        for target, guards in guarded_targets(makefile).items()
        if any(component == name and value not in OFF for component, value in guards)
    }


def glance_box(site, name):
    """The HTML of the generated box on a component's page."""
    html = (site / "components" / f"{name}.html").read_text(encoding="utf-8")
    start = html.index('<div class="admonition abstract">')
    return html[start : html.index("</div>", start)]


def unescape_code(text):
    """HTML entities back to characters, for comparison with paths."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def box_codes(box):
    """Every code span of the box, unescaped."""
    return [unescape_code(code) for code in re.findall(r"<code>(.*?)</code>", box)]


def listed_files(box):
    """Files the box names: a file entry names itself, a folder entry its files, relatively."""
    files = set()
    for entry in re.findall(r"<li><code>(.*?)</code>(.*?)</li>", box, re.DOTALL):
        path, rest = unescape_code(entry[0]), box_codes(entry[1])
        if path.endswith("/"):
            files.update(path + name for name in rest)
        else:
            files.add(path)
    return files


def manifest_paths(names):
    """Every path the manifest gives these components, whatever the value."""
    return {
        template_model.PurePosixPath(path)
        for name in names
        for value_paths in CONFIG["_components"][name]["files"].values()
        for path in value_paths
    }


def owned_files(name):
    """Template files under the component's paths that no deeper path of another owns."""
    own, others = manifest_paths([name]), manifest_paths(set(COMPONENTS) - {name})
    deeper = {other for other in others if any(mine in other.parents for mine in own)}
    return {
        str(path).replace("{{cookiecutter.package_name}}", "<package_name>")
        for path in template_model.template_files()
        if manifest.is_covered(path, own) and not manifest.is_covered(path, deeper)
    }


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_page_lists_its_files(site, name):
    """Every template file a component owns appears in its page's generated box."""
    expected = owned_files(name)
    assert expected <= listed_files(glance_box(site, name)), sorted(expected)


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_page_lists_its_make_targets(site, name):
    """Every Makefile target guarded by the component being on is on its page, and no other."""
    codes = box_codes(glance_box(site, name))
    listed = {code.removeprefix("make ") for code in codes if code.startswith("make ")}
    assert listed == expected_targets(name)


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_page_names_its_part_of_the_end_to_end_run(site, name):
    """The make targets a component adds to a level's run (its ``pipeline``) are on its page,
    in the order they run; a component that adds none does not mention the run."""
    box = glance_box(site, name)
    targets = manifest.pipeline(CONFIG["_components"][name])
    if targets:
        assert ", then ".join(f"<code>make {target}</code>" for target in targets) in box
    else:
        assert "end-to-end run" not in box


@pytest.mark.parametrize("name", COMPONENTS)
def test_component_page_gives_auto_at_each_level(site, name):
    """The box spells out the value auto takes at every level, the page's one view of the
    presets."""
    box = glance_box(site, name)
    line = re.search(r"<li>Default <code>auto</code>:(.*?)</li>", box)
    assert line, "no 'Default auto:' line in the box"
    assert CONFIG["__prompts__"][name]["auto"] not in box, "auto's label sums up the presets"
    text = re.sub(r"<[^>]+>", "", line.group(1))
    assert expand_level_runs(text) == CONFIG["_components"][name]["levels"]


# --- the diagram and the presets ----------------------------------------------------------


class LadderParser(HTMLParser):
    """Reads the ladder diagram: level -> its rung's Cells, the title first, then one Cell per
    box (a list item), in page order."""

    def __init__(self):
        super().__init__()
        self.rungs, self.rung, self.cell = {}, None, None

    def handle_starttag(self, tag, attrs):
        """A rung opens at its div; its title paragraph and each box open a Cell."""
        attrs = dict(attrs)
        if tag == "div" and "ladder-rung" in (attrs.get("class") or "").split():
            self.rung = self.rungs.setdefault(attrs["data-level"], [])
        elif self.rung is not None and tag in ("p", "li"):
            self.cell = Cell()
            self.rung.append(self.cell)
        elif self.cell and tag == "a":
            self.cell.hrefs.append(attrs["href"])

    def handle_endtag(self, tag):
        """Boxes and titles end at their tag, rungs at their div (they hold no other div)."""
        if tag in ("p", "li"):
            self.cell = None
        elif tag == "div":
            self.rung = None

    def handle_data(self, data):
        """Text goes to the open title or box."""
        if self.cell:
            self.cell.text += data


def ladder_rungs(site):
    """Level -> [title, *boxes] of the ladder page's diagram."""
    parser = LadderParser()
    parser.feed((site / "ladder.html").read_text(encoding="utf-8"))
    return parser.rungs


def ladder_position(spec):
    """The level where the diagram must show a component.

    The first level whose preset turns it on or, for an opt-in one, the first level whose
    preset turns on everything it needs.
    """
    levels = [spec["levels"]]
    if all(value in OFF for value in spec["levels"]):
        levels = [CONFIG["_components"][name]["levels"] for name in spec["requires"]]
    on_everywhere = [all(values[level] not in OFF for values in levels) for level in range(5)]
    return on_everywhere.index(True)


def test_ladder_diagram_is_drawn_in_the_html(site):
    """One rung per level, the highest on top, each titled with the level and linking to its
    section of the page: the page needs no script to show it."""
    rungs = ladder_rungs(site)
    assert list(rungs) == sorted(CONFIG["_levels"], key=int, reverse=True)
    for level, (title, *_) in rungs.items():
        assert title.text.strip() == f"Level {level}: {CONFIG['_levels'][level].split(':')[0]}"
        assert title.hrefs == [f"#{slug(title.text)}"]


def diagram_boxes(rungs, name):
    """(level, box) for every box of the diagram that links to a component's page."""
    href = f"components/{name}.html"
    return [(level, box) for level, rung in rungs.items() for box in rung[1:] if href in box.hrefs]


@pytest.mark.parametrize("name", COMPONENTS)
def test_ladder_diagram_puts_each_component_where_it_starts(site, name):
    """A component has one box, on the rung where it starts, naming its value unless plain
    yes, whether it is opt-in, and what it needs."""
    spec = CONFIG["_components"][name]
    [(level, box)] = diagram_boxes(ladder_rungs(site), name)
    assert level == str(ladder_position(spec))
    opt_in = all(value in OFF for value in spec["levels"])
    value = next(value for value in [*spec["levels"], *spec["files"]] if value not in OFF)
    assert (f"({value})" in box.text) == (value != "yes"), box.text
    assert ("opt-in" in box.text) == opt_in, box.text
    assert ("needs" in box.text) == bool(spec["requires"]), box.text
    if spec["requires"]:
        assert f"needs {', '.join(spec['requires'])}" in box.text


# Each page that shows the level presets shows them once, in one form: header cells that
# start the form's table, or the diagram.
PRESET_FORMS = {
    "ladder table": ("level", "what it means"),
    "auto matrix": ("component question", "level 0"),
    "components table": ("component", "what it adds", "on from"),
}
PRESETS_SHOWN = {
    "index.md": ["ladder table"],
    "ladder.md": ["ladder diagram"],
    "questions.md": ["auto matrix"],
    "components/index.md": ["components table"],
}


def preset_forms(site, page):
    """The forms of the presets a built page shows, one entry per occurrence."""
    headers = [[cell.text.strip() for cell in rows[0]] for rows in page_of(site, page).tables]
    forms = [
        form
        for header in headers
        for form, start in PRESET_FORMS.items()
        if header[: len(start)] == list(start)
    ]
    diagrams = "ladder" in page_resources(site / page.replace(".md", ".html")).classes
    return forms + (["ladder diagram"] if diagrams else [])


@pytest.mark.parametrize(
    "page",
    [
        str(path.relative_to(DOCS))
        for path in sorted(DOCS.glob("*.md")) + [COMPONENT_DOCS / "index.md"]
    ],
)
def test_each_page_shows_the_presets_once(site, page):
    """The home page lists what each level has, the ladder draws where components start,
    Questions gives what auto is at each level, the components overview where each starts;
    no page repeats them in another form, and the other pages do not show them."""
    assert preset_forms(site, page) == PRESETS_SHOWN.get(page, [])


# --- the generator on its own -------------------------------------------------------------


def test_unknown_marker_fails_instead_of_vanishing():
    """A misspelt marker would otherwise leave an invisible comment where a table should be."""
    docs_site = load_docs_site()
    with pytest.raises(docs_site.UnknownMarkerError):
        docs_site.expand_markers("<!-- generated: ladder-tabel -->", docs_site.load_template())


def test_a_marker_quoted_in_prose_is_left_alone():
    """Only a marker alone on its line is replaced; the contributors' page quotes one inline."""
    docs_site = load_docs_site()
    quoted = "A page holds `<!-- generated: questions-table -->` where the table goes.\n"
    assert docs_site.expand_markers(quoted, docs_site.load_template()) == quoted


def with_extra_component(docs_site):
    """The real template plus an invented component, to see it reach every generated part."""
    real = docs_site.load_template()
    context, copier = copy.deepcopy(real.context), copy.deepcopy(real.copier)
    context["_components"]["gpu"] = {
        "label": "GPU runtime",
        "levels": ["no", "no", "no", "yes", "yes"],
        "requires": ["docker"],
        "files": {"yes": ["gpu.txt"], "no": []},
    }
    context["gpu"] = ["auto", "yes", "no"]
    context["__prompts__"]["gpu"] = {"__prompt__": "GPU runtime", "auto": "follow the level"}
    # What scripts/copier_questions.py writes for it.
    copier["gpu"] = yaml.safe_load(copier_questions.question_block(context, "gpu"))["gpu"]
    return docs_site.Template(root=real.root, context=context, copier=copier)


def test_a_new_component_appears_in_every_generated_part():
    """Nothing lists components by hand: one manifest entry reaches tables, diagram and nav."""
    docs_site = load_docs_site()
    template = with_extra_component(docs_site)
    assert "gpu" in docs_site.ladder_table(template).splitlines()[5]
    assert "gpu" not in docs_site.ladder_table(template).splitlines()[4]
    assert "| [`gpu`](components/gpu.md) | `no` | `no` | `no` | `yes` | `yes` |" in (
        docs_site.auto_matrix(template)
    )
    rows = docs_site.questions_table(template).splitlines()
    gpu_row = next(row for row in rows if row.startswith("| `gpu` |"))
    assert "needs [`docker`](components/docker.md)" in gpu_row
    assert "components/gpu.md" in "".join(docs_site.ladder_rung(template, "3"))
    assert "components/gpu.md" not in "".join(docs_site.ladder_rung(template, "2"))
    assert "components/gpu.md" in docs_site.component_nav(template)
