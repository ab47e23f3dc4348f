"""The relative links of Markdown files, and where they point: files, and headings' anchors.

Shared by the template's documentation tests and the content checks of generated projects,
whose README.md is also the home page of their documentation site (a strict build fails on
a link that points nowhere, and so does a reader on GitHub).
"""

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_RE = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE_RE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
EXTERNAL = ("http://", "https://", "mailto:", "javascript:", "data:")


def slug(heading):
    """The anchor Python-Markdown's toc gives a heading: lowercase words joined by hyphens."""
    text = re.sub(r"[^\w\s-]", "", heading.strip().lower())
    return re.sub(r"[-\s]+", "-", text).strip("-")


def markdown_anchors(path):
    """The heading anchors of a Markdown file."""
    text = FENCE_RE.sub("", Path(path).read_text(encoding="utf-8"))
    return {slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def relative_links(path):
    """Relative link targets of a Markdown file, code blocks left out."""
    text = FENCE_RE.sub("", Path(path).read_text(encoding="utf-8"))
    return [link for link in LINK_RE.findall(text) if not link.startswith(EXTERNAL)]


def link_problem(source, link):
    """Why a relative link of a Markdown file points nowhere, or None."""
    source = Path(source)
    parts = urlsplit(link)
    target = (source.parent / unquote(parts.path)) if parts.path else source
    if not target.exists():
        return f"{link}: {target} does not exist"
    if parts.fragment and target.suffix == ".md" and parts.fragment not in markdown_anchors(target):
        return f"{link}: no heading with anchor #{parts.fragment} in {target.name}"
    return None
