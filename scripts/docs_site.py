"""MkDocs hook: the site's tables and ladder diagram, generated from the template at build time.

The documentation must never describe a template other than the one in this repository, so
nothing the template already states is written by hand. At build time this module reads
cookiecutter.json (questions, level presets, the ``_components`` manifest, ``_rules``),
copier.yml (which checks guard each question), the generated project's Makefile (which make
targets each component brings) and tests/ (the suites), and replaces every
``<!-- generated: NAME -->`` marker in a page with the matching Markdown.

Component pages (docs/components/<name>.md) hold hand-written prose; the facts block under
their title and their place in the navigation are generated. The navigation names a page for
every manifest component, so a component without one fails ``mkdocs build --strict``.

mkdocs.yml loads this file with ``hooks:``; tests/test_docs_site.py imports it as well.
"""

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import ladder
import manifest
import yaml
from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config
from markdown.extensions.toc import slugify

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRNAME = "{{cookiecutter.project_slug}}"
PACKAGE_PLACEHOLDER = "{{cookiecutter.package_name}}"
# A marker stands alone on its line, so one quoted in prose (in a code span) stays as it is.
MARKER_RE = re.compile(r"^<!-- generated: ([a-z-]+)((?: [^ >]+)*) -->$", re.MULTILINE)
DERIVED_RE = re.compile(r"cookiecutter\.([A-Za-z_]\w*)")
COMPONENTS_DIR = "components"
COMPONENTS_INDEX = f"{COMPONENTS_DIR}/index.md"
CORE_ANCHOR = f"{COMPONENTS_INDEX}#the-core-every-project-every-level"
AUTO_ANCHOR = "#what-auto-means-at-each-level"
REMOVAL_ANCHOR = "upgrading.md#lowering-a-level-or-switching-a-component-off"


class UnknownMarkerError(ValueError):
    """A page asks for a generated block this module does not know: a typo must not vanish."""


# --- reading the template -----------------------------------------------------------------


class _TaggedLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """Reads copier.yml, whose ``!include`` tag names data this module reads directly."""


_TaggedLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


@dataclass(frozen=True, eq=False)
class Template:
    """What the documentation describes: the parsed sources, read once per build.

    Compared and hashed by identity (eq=False), so cached helpers can take it as a key.
    """

    root: Path
    context: dict
    copier: dict

    @property
    def components(self):
        """Component name -> manifest entry, in manifest order."""
        return self.context["_components"]

    @property
    def levels(self):
        """The maturity levels, lowest first, as the strings the question uses."""
        return sorted(self.context["_levels"], key=int)

    @property
    def template_dir(self):
        """The generated project's source tree."""
        return self.root / TEMPLATE_DIRNAME


@functools.cache
def load_template(root=ROOT):
    """Parse cookiecutter.json and copier.yml; cached, since every page of a build asks."""
    root = Path(root)
    copier_text = (root / "copier.yml").read_text(encoding="utf-8")
    copier = yaml.load(copier_text, Loader=_TaggedLoader)  # nosec B506: safe loader subclass
    return Template(root=root, context=manifest.load_config(root), copier=copier)


def question_names(context):
    """The questions cookiecutter asks, in its order: every key not starting with ``_``."""
    return [name for name in context if not name.startswith("_")]


def prompt_of(context, name):
    """The label cookiecutter shows for a question (its first line: a typed-in maturity level
    lists the levels below it)."""
    prompt = context["__prompts__"].get(name, name)
    return (prompt["__prompt__"] if isinstance(prompt, dict) else prompt).splitlines()[0]


def offered_values(template, name):
    """A question's choices: cookiecutter's menu, or for a value typed in (the level, the
    Python version) the choices copier offers, which tests keep equal to what the hook
    accepts. None for free text."""
    raw = template.context[name]
    if isinstance(raw, list):
        return raw
    choices = template.copier.get(name, {}).get("choices")
    if not isinstance(choices, dict):
        return choices
    return [value["value"] if isinstance(value, dict) else value for value in choices.values()]


def choice_label(context, name, choice):
    """The label of one choice, or None when it would only repeat the value."""
    prompt = context["__prompts__"].get(name)
    label = prompt.get(choice, choice) if isinstance(prompt, dict) else choice
    label = label.removeprefix(f"{choice} ")
    return None if label == choice else label


def render_answers(root, extra_context=None):
    """The answers cookiecutter would use without input: defaults rendered, ``__`` keys too."""
    context = generate_context(
        context_file=str(Path(root, "cookiecutter.json")), extra_context=extra_context or {}
    )
    return prompt_for_config(context, no_input=True)


def full_answers(template):
    """Every component on (its highest-level value, or its first value that is on).

    The base the Makefile is rendered from: with everything on, each target exists once.
    """
    answers = {"maturity_level": template.levels[-1]}
    for name, spec in template.components.items():
        top = spec["levels"][-1]
        answers[name] = top if manifest.is_on(top) else next(iter(manifest.on_values(spec)), top)
    return answers


@functools.cache
def make_targets(template, frozen_answers):
    """Target -> description of the generated Makefile rendered with these answers."""
    answers = render_answers(template.root, dict(frozen_answers))
    source = (template.template_dir / "Makefile").read_text(encoding="utf-8")
    env = StrictEnvironment(context={"cookiecutter": answers}, keep_trailing_newline=True)
    return manifest.makefile_targets(env.from_string(source).render(cookiecutter=answers))


def targets_brought(template, name, value):
    """Make targets present with the component at ``value`` and gone when it is off.

    Computed by rendering the Makefile twice, with every other component on, so a target
    appears here whatever Jinja condition guards it in the Makefile.
    """
    spec = template.components[name]
    if manifest.off_value(spec) is None:
        return {}
    base = full_answers(template)
    with_it = make_targets(template, frozenset({**base, name: value}.items()))
    without = make_targets(template, frozenset({**base, name: manifest.off_value(spec)}.items()))
    return {target: text for target, text in with_it.items() if target not in without}


def display_path(path):
    """A template path as users see it: the package directory named by its placeholder."""
    return str(path).replace(PACKAGE_PLACEHOLDER, "<package_name>")


def slash_if_dir(template, path):
    """'/' for a manifest path that is a directory of the template, so readers can tell."""
    return "/" if (template.template_dir / path).is_dir() else ""


def files_under(template, path):
    """The template files a manifest path stands for: itself, or every file below it."""
    full = template.template_dir / path
    if full.is_file():
        return [PurePosixPath(path)]
    return sorted(
        PurePosixPath(found.relative_to(template.template_dir).as_posix())
        for found in full.rglob("*")
        if found.is_file()
    )


def owned_by_components(template):
    """Every path any component value owns, as PurePosixPaths."""
    return {
        PurePosixPath(path)
        for spec in template.components.values()
        for paths in spec["files"].values()
        for path in paths
    }


def core_files(template):
    """Template files no component owns: what every project gets, at every level.

    Files whose name is itself a Jinja expression (copier's answers file) are left out:
    cookiecutter skips them and the hook writes the answers file instead.
    """
    owned = owned_by_components(template)
    everything = files_under(template, ".")
    return [
        path
        for path in everything
        if "{%" not in str(path) and not owned.intersection({path, *path.parents})
    ]


def suite_summaries(root):
    """(file name, first docstring line) of every test module, for the contributors' page."""
    suites = []
    for path in sorted(Path(root, "tests").glob("test_*.py")):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        suites.append((path.name, docstring.splitlines()[0] if docstring else ""))
    return suites


# --- Markdown -----------------------------------------------------------------------------


def code(value):
    """A value in a code span."""
    return f"`{value}`"


def table(header, rows):
    """A Markdown table; cells are already Markdown."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def level_runs(values):
    """Compress per-level values: ['no', 'yes', 'yes'] -> 'no at level 0, yes at levels 1-2'."""
    runs = []
    for level, value in enumerate(values):
        if runs and runs[-1][0] == value:
            runs[-1][2] = level
        else:
            runs.append([value, level, level])
    parts = [
        f"{code(value)} at level{'' if start == end else 's'} "
        + (str(start) if start == end else f"{start}-{end}")
        for value, start, end in runs
    ]
    return ", ".join(parts)


def component_link(name, prefix=""):
    """A link to a component's page from a page ``prefix`` away from docs/components/."""
    return f"[{code(name)}]({prefix}{name}.md)"


def level_title(template, level):
    """'Level 1: DevOps, no MLOps': the level's meaning up to its first colon."""
    return f"Level {level}: {template.context['_levels'][level].split(':')[0]}"


def ladder_table(template):
    """The README's ladder table, from the same renderer, so both always agree."""
    return ladder.render_ladder_table(template.context)


def auto_matrix(template, prefix=f"{COMPONENTS_DIR}/"):
    """What ``auto`` resolves to for each component question at each level."""
    header = ["component question", *(f"level {level}" for level in template.levels)]
    rows = [
        [component_link(name, prefix), *(code(value) for value in spec["levels"])]
        for name, spec in template.components.items()
    ]
    return table(header, rows)


def available_level(template, spec):
    """The level where a component appears on the ladder.

    That is the level that turns it on or, for an opt-in component, the lowest level whose
    preset has everything it needs: from there on, answering its question is enough.
    """
    if manifest.first_on_level(spec) is not None:
        return manifest.first_on_level(spec)
    needed = [manifest.first_on_level(template.components[name]) or 0 for name in spec["requires"]]
    return max(needed, default=0)


def component_with_value(name, value):
    """A linked component name, with its value unless that is plain yes."""
    link = component_link(name, f"{COMPONENTS_DIR}/")
    return link if value == "yes" else f"{link} ({code(value)})"


def ladder_item(name, spec):
    """One component on the ladder: its link, its value unless plain yes, and, in small
    print, whether it is opt-in and what it needs."""
    level = manifest.first_on_level(spec)
    value = spec["levels"][level] if level is not None else manifest.on_values(spec)[0]
    notes = [] if level is not None else ["opt-in"]
    if spec["requires"]:
        notes.append("needs " + ", ".join(spec["requires"]))
    item = component_with_value(name, value)
    return f"{item} <small>{', '.join(notes)}</small>" if notes else item


def ladder_rung(template, level):
    """One level of the diagram: its title, linking to its section, over the components it
    turns on or makes available. ``--step`` shifts each rung right of the one below."""
    items = [
        ladder_item(name, spec)
        for name, spec in template.components.items()
        if available_level(template, spec) == int(level)
    ]
    if int(level) == 0:
        items.insert(0, f"[the core project]({CORE_ANCHOR}): notebook, package, data, Makefile")
    title = level_title(template, level)
    return [
        f'<div class="ladder-rung" data-level="{level}" style="--step: {level}" markdown>',
        f"[{title}](#{slugify(title, '-')})",
        "",
        *(f"- {item}" for item in items or ["no new component"]),
        "",
        "</div>",
    ]


def ladder_diagram(template):
    """The ladder drawn in HTML and CSS when the site is built: the highest level on top.

    Nothing is left for the browser to draw, so the page needs no script, and opened from
    disk without a network it shows the same. What a component needs is written in its box
    rather than drawn as an arrow. The boxes are Markdown inside HTML (md_in_html), so MkDocs
    checks their links like any other.
    """
    lines = ['<div class="ladder" markdown>']
    for level in reversed(template.levels):
        lines.extend(ladder_rung(template, level))
    return "\n".join([*lines, "</div>"]) + "\n"


def shown_label(template, name, choice):
    """A choice's label as the site shows it, or None where it would say again what the page
    says in one place: a level's meaning (the ladder gives it), or the level presets that a
    component's ``auto`` label sums up (each page shows the presets once)."""
    label = choice_label(template.context, name, choice)
    if label == template.context["_levels"].get(choice):
        return None
    return None if name in template.components and choice == "auto" else label


def choices_cell(template, name):
    """A question's choices with their labels, or 'free text'.

    Choices labelled with a level's meaning (the maturity level) link to the ladder instead
    of repeating five sentences in a table cell.
    """
    offered = offered_values(template, name)
    if not offered:
        return "free text"
    parts = []
    for choice in offered:
        label = shown_label(template, name, choice)
        parts.append(f"{code(choice)} ({label})" if label else code(choice))
    cell = ", ".join(parts)
    if all(choice in template.context["_levels"] for choice in offered):
        cell += " (see [the maturity ladder](ladder.md))"
    return cell


def default_cell(template, name, defaults):
    """A question's default: its first choice, or its rendered text and what it derives from."""
    raw = template.context[name]
    if name in template.components:
        return f"{code('auto')} ([by level]({AUTO_ANCHOR}))"
    if isinstance(raw, list):
        return code(raw[0])
    derived = sorted(set(DERIVED_RE.findall(raw)))
    suffix = f" (derived from {', '.join(code(field) for field in derived)})" if derived else ""
    return code(defaults[name]) + suffix


def requirement_constraints(template, name):
    """What a component needs, and what needs it: both are refused when broken."""
    needs = template.components[name]["requires"]
    needed_by = [other for other, spec in template.components.items() if name in spec["requires"]]
    found = []
    if needs:
        found.append("needs " + ", ".join(component_link(other, "components/") for other in needs))
    if needed_by:
        links = ", ".join(component_link(other, "components/") for other in needed_by)
        found.append(f"needed by {links}")
    return found


def validator_text(template, name):
    """A copier question's checks: its own validator and those of its choices."""
    spec = template.copier.get(name, {})
    choices = spec.get("choices")
    texts = [str(spec.get("validator", ""))]
    if isinstance(choices, dict):
        texts += [
            str(value.get("validator", "")) for value in choices.values() if isinstance(value, dict)
        ]
    return "\n".join(texts)


def constraints_cell(template, name):
    """A question's checks, in words.

    Patterns and the fields that become import names (checked against the reserved names)
    come from ``_rules``, and requirements from the manifest, which both tools enforce. The
    refusal to delete files on update is read from the question's copier validator, the only
    place that says which questions it guards.
    """
    validator = validator_text(template, name)
    rule = template.context["_rules"].get(name)
    found = []
    if isinstance(rule, dict) and "pattern" in rule:
        found.append(f"{rule['hint']} (pattern {code(rule['pattern'])})")
    if isinstance(rule, dict) and "import_name" in rule:
        found.append(
            f"as an import name{import_reading(rule)}, must not shadow one: "
            "see [reserved names](#reserved-names)"
        )
    if name in template.components:
        found.extend(requirement_constraints(template, name))
    if "choice_problems" in validator:
        found.append(
            f"switching it off by update asks for [confirmation]({REMOVAL_ANCHOR}) "
            f"({code('confirm_file_removal=true')})"
        )
    if found:
        return "; ".join(found)
    return "one of the choices" if isinstance(template.context[name], list) else "none"


def questions_table(template):
    """Every question: what it asks, its choices, its default and its constraints."""
    defaults = render_answers(template.root)
    rows = [
        [
            code(name),
            prompt_of(template.context, name),
            choices_cell(template, name),
            default_cell(template, name, defaults),
            constraints_cell(template, name),
        ]
        for name in question_names(template.context)
    ]
    return table(["question", "asks", "choices", "default", "constraints"], rows)


def import_reading(rule):
    """How a field's answer is read as an import name, e.g. ' (with `-` read as `_`)'; empty
    when it is imported as given."""
    swaps = ", ".join(
        f"{code(old)} read as {code(new)}" for old, new in rule["import_name"].items()
    )
    return f" (with {swaps})" if swaps else ""


def reserved_names(template):
    """The fields ``_rules`` makes import names, and the names refused for them, by kind."""
    rules = template.context["_rules"]
    fields = [
        code(field) + import_reading(rule)
        for field, rule in rules.items()
        if isinstance(rule, dict) and "import_name" in rule
    ]
    kinds = (
        ("Python keywords", "python_keywords"),
        ("standard-library modules", "stdlib_modules"),
        ("common packages and project folders", "reserved_names"),
    )
    rows = [[title, ", ".join(code(word) for word in rules[key])] for title, key in kinds]
    lead = f"The answers that become import names: {', '.join(fields)}.\n\n"
    return lead + table(["refused because it is one of the", "names"], rows)


def files_cell(template, spec):
    """The paths each value of a component owns, per value; directories end with a slash."""
    parts = [
        f"{code(value)}: "
        + ", ".join(code(display_path(path) + slash_if_dir(template, path)) for path in paths)
        for value, paths in spec["files"].items()
        if paths
    ]
    return "; ".join(parts) or "none"


def components_table(template):
    """The overview: every component, what it adds, from which level, what it needs."""
    rows = []
    for name, spec in template.components.items():
        level = manifest.first_on_level(spec)
        needs = ", ".join(component_link(other) for other in spec["requires"]) or "nothing"
        rows.append(
            [
                component_link(name),
                spec["label"],
                "opt-in" if level is None else f"level {level}",
                needs,
                files_cell(template, spec),
            ]
        )
    return table(["component", "what it adds", "on from", "needs", "owns"], rows)


def core_list(template):
    """The files every generated project has, whatever its level."""
    return "".join(f"- {code(display_path(path))}\n" for path in core_files(template))


def suites_table(template):
    """The template's test modules and what each checks, from their docstrings."""
    rows = [[code(f"tests/{name}"), summary] for name, summary in suite_summaries(template.root)]
    return table(["suite", "what it checks"], rows)


def targets_lines(template, name, value):
    """Bullets for the make targets a component value brings."""
    targets = targets_brought(template, name, value)
    return [f"- {code('make ' + target)}: {text}" for target, text in targets.items()]


def other_paths(template, name):
    """(component, value, path) for every manifest path of the other components."""
    return [
        (other, value, PurePosixPath(path))
        for other, spec in template.components.items()
        if other != name
        for value, paths in spec["files"].items()
        for path in paths
    ]


def own_files(template, name, path):
    """Files under one of a component's paths, less those a deeper path of another owns.

    tests_lint owns ``tests`` and the training pipeline ``tests/pipeline``: the pipeline's
    tests are listed on the training page, not on both.
    """
    path = PurePosixPath(path)
    deeper = [other for _, _, other in other_paths(template, name) if path in other.parents]
    return [
        found
        for found in files_under(template, path)
        if not any(inner == found or inner in found.parents for inner in deeper)
    ]


def path_condition(template, name, path):
    """' (with ci: github)' when another component owns a folder that holds this path."""
    path = PurePosixPath(path)
    holders = [
        other if value == "yes" else f"{other}: {value}"
        for other, value, outer in other_paths(template, name)
        if outer in path.parents
    ]
    return f" (with {', '.join(code(holder) for holder in holders)})" if holders else ""


def path_line(template, name, path):
    """One owned path: a file, or a folder with the files in it that belong to the component."""
    condition = path_condition(template, name, path)
    if (template.template_dir / path).is_file() or not (template.template_dir / path).exists():
        return f"- {code(display_path(path))}{condition}"
    inside = [
        code(display_path(found.relative_to(path))) for found in own_files(template, name, path)
    ]
    return f"- {code(display_path(path) + '/')}{condition}: {', '.join(inside) or 'empty'}"


def value_lines(template, name, value):
    """The files and make targets one value of a component brings, as nested bullets."""
    several = len(manifest.on_values(template.components[name])) > 1
    suffix = f" with {code(value)}" if several else ""
    paths = template.components[name]["files"][value]
    lines = [f"- Files{suffix}:" if paths else f"- Files{suffix}: none."]
    lines.extend(f"    {path_line(template, name, path)}" for path in paths)
    targets = targets_lines(template, name, value)
    if targets:
        lines.append(f"- Make targets{suffix}:")
        lines.extend(f"    {line}" for line in targets)
    return lines


def sentence(text):
    """A manifest label as a sentence: capitalised, with a full stop."""
    return text[:1].upper() + text[1:].rstrip(".") + "."


def component_facts(template, name):
    """The generated block under a component page's title: the manifest's facts about it."""
    spec = template.components[name]
    opt_in = "; no level turns it on by itself" if manifest.first_on_level(spec) is None else ""
    needs = ", ".join(component_link(other) for other in spec["requires"]) or "nothing"
    lines = [
        '!!! abstract "At a glance (generated from cookiecutter.json)"',
        "",
        f"    - {sentence(spec['label'])}",
        f"    - Question {code(name)}: {choices_cell(template, name)}.",
        f"    - Default {code('auto')}: {level_runs(spec['levels'])}{opt_in}.",
        f"    - Needs: {needs}.",
    ]
    for value in manifest.on_values(spec):
        lines.extend(f"    {line}" for line in value_lines(template, name, value))
    runs = ", then ".join(code(f"make {target}") for target in manifest.pipeline(spec))
    if runs:
        lines.append(f"    - In a level's end-to-end run (the demo, the slow tests): {runs}.")
    return "\n".join(lines) + "\n"


GENERATORS = {
    "ladder-table": ladder_table,
    "ladder-diagram": ladder_diagram,
    "auto-matrix": auto_matrix,
    "questions-table": questions_table,
    "reserved-names": reserved_names,
    "components-table": components_table,
    "core-files": core_list,
    "test-suites": suites_table,
}


def expand_markers(markdown, template):
    """Replace each ``<!-- generated: NAME [ARG...] -->`` line with its block.

    An unknown NAME is an error rather than an empty spot, so a typo cannot hide a table.
    """

    def replace(match):
        name, args = match.group(1), match.group(2).split()
        if name not in GENERATORS:
            raise UnknownMarkerError(f"unknown generated block {name!r}")
        return GENERATORS[name](template, *args)

    return MARKER_RE.sub(replace, markdown)


def insert_facts(markdown, template, name):
    """Put a component's facts block right under the page's first heading."""
    lines = markdown.splitlines(keepends=True)
    title = next((index for index, line in enumerate(lines) if line.startswith("# ")), -1)
    facts = "\n" + component_facts(template, name) + "\n"
    return "".join([*lines[: title + 1], facts, *lines[title + 1 :]])


def component_page_name(src_uri, template):
    """The component a page documents (docs/components/<name>.md), or None."""
    path = PurePosixPath(src_uri)
    in_components = path.parent.as_posix() == COMPONENTS_DIR
    return path.stem if in_components and path.stem in template.components else None


def component_nav(template):
    """The Components section: the overview, then one page per component in manifest order."""
    return [COMPONENTS_INDEX, *(f"{COMPONENTS_DIR}/{name}.md" for name in template.components)]


def expand_nav(nav, template):
    """Replace the section whose page is the components overview with every component page."""
    expanded = []
    for entry in nav:
        if isinstance(entry, dict) and list(entry.values()) == [COMPONENTS_INDEX]:
            entry = {key: component_nav(template) for key in entry}
        expanded.append(entry)
    return expanded


# --- MkDocs events ------------------------------------------------------------------------


def template_for(config):
    """The template next to mkdocs.yml."""
    return load_template(Path(config.config_file_path).resolve().parent)


def on_config(config):
    """List every component's page in the navigation, so a missing page fails strict builds."""
    config.nav = expand_nav(config.nav or [], template_for(config))
    return config


def on_page_markdown(markdown, page, config, files):  # pylint: disable=unused-argument
    """Fill the generated blocks of a page, and a component page's facts."""
    template = template_for(config)
    markdown = expand_markers(markdown, template)
    name = component_page_name(page.file.src_uri, template)
    return insert_facts(markdown, template, name) if name else markdown
