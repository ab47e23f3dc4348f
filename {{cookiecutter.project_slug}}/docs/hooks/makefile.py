"""MkDocs hook: a page per section of the Makefile, and the files README.md links to.

The pages read the lines ``make help`` reads: a ``## Section`` comment opens a section, and each
``target: ... ## description`` line below it is one of its targets, shown with the comment lines
right above it and its recipe. A new target or section needs no edit of the documentation.
"""

import html
import re
from pathlib import Path

from mkdocs.structure.files import File

SECTION_RE = re.compile(r"^## (.+)$")
TARGET_RE = re.compile(r"^([a-zA-Z_-]+):.*## (.+)$")
PAGES_DIR = "make-targets"
# A relative link of README.md, which the home page includes: the file it names (LICENSE, say)
# is copied into the site, so that the link leads somewhere there too.
LINK_RE = re.compile(r"\]\(([^)\s#:]+)\)")
# A Sphinx role of a docstring (:func:`name`), as rendered; it becomes a link to the object.
ROLE_RE = re.compile(r":(?:attr|class|data|exc|func|meth|mod|obj):<code>([^<]+)</code>")
ANCHOR_RE = re.compile(r'\bid="([\w.]+)"')


def sections(makefile):
    """(title, [(target, description, lines)]) of every section that has targets; ``lines`` are
    the target's comments, its rule and its recipe, as the Makefile has them."""
    found, comments, rule = [], [], []
    for line in makefile.splitlines():
        if rule and (line.startswith("\t") or rule[-1].endswith("\\")):
            rule.append(line)
            continue
        rule = []
        section, target = SECTION_RE.match(line), TARGET_RE.match(line)
        if section:
            found.append((section.group(1), []))
            comments = []
        elif target and found:
            rule = [*comments, line]
            found[-1][1].append((target.group(1), target.group(2), rule))
            comments = []
        elif line.startswith("#"):
            comments.append(line)
        else:
            comments = []
    return [(title, targets) for title, targets in found if targets]


def section_page(title, targets):
    """The Markdown of one section's page."""
    parts = [f"# {html.escape(title)}\n"]
    for target, description, lines in targets:
        recipe = "\n".join(lines)
        parts.append(f"## make {target}\n\n{html.escape(description)}.\n\n```make\n{recipe}\n```\n")
    return "\n".join(parts)


def on_files(files, config):
    """Add the pages of the Makefile's sections and the files README.md links to."""
    root = Path(config.config_file_path).parent
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    for number, (title, targets) in enumerate(sections(makefile), start=1):
        name = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        page = f"{PAGES_DIR}/{number:02d}-{name}.md"
        files.append(File.generated(config, page, content=section_page(title, targets)))
    readme = (root / "README.md").read_text(encoding="utf-8")
    for link in sorted(set(LINK_RE.findall(readme))):
        if (root / link).is_file() and files.get_file_from_path(link) is None:
            files.append(File.generated(config, link, abs_src_path=str(root / link)))
    return files


def on_page_content(content, page, config, files):  # pylint: disable=unused-argument
    """Link each Sphinx role of the rendered docstrings to the object it names when exactly one
    object of the page has that name, else show the name alone."""
    anchors = set(ANCHOR_RE.findall(content))

    def link(match):
        name = match.group(1)
        found = [a for a in anchors if a.endswith("." + name.lstrip(".~"))]
        code = f"<code>{name.lstrip('~')}</code>"
        return f'<a href="#{found[0]}">{code}</a>' if len(found) == 1 else code

    return ROLE_RE.sub(link, content)
