"""The template's manifest, read one way: every script, test and benchmark asks this module.

cookiecutter.json declares the questions, the level presets and the components (``_components``:
label, ``levels``, ``requires``, the ``files`` each value owns and, optionally, the ``pipeline``
of make targets it adds to a project's end-to-end run). This module answers what follows from
it: which values are off, how ``auto`` resolves, which combinations are valid, which paths a
component owns, which make targets a level runs and the messages the user reads about them.
Only the standard
library is used, so the docs build, the demo and the benchmarks import it as cheaply as tests.

The hooks and the copier macros cannot import it (they run inside cookiecutter and copier);
tests/test_hooks.py, tests/test_manifest.py and tests/test_copier_parity.py check them against it.
"""

import functools
import itertools
import json
import re
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
# The values that switch a component off; every other value switches it on.
OFF_VALUES = ("no", "none")
# A described make target, "target: prerequisites ## description", as `make help` lists them.
MAKE_TARGET_RE = re.compile(r"^([a-zA-Z_-]+):.*## (.*)$", re.MULTILINE)


@functools.cache
def _parsed(path):
    """The text of cookiecutter.json parsed once per process (callers get a copy)."""
    return Path(path).read_text(encoding="utf-8")


def load_config(root=ROOT):
    """The parsed cookiecutter.json, the single source of truth for every expectation."""
    return json.loads(_parsed(Path(root, "cookiecutter.json")))


def components(config):
    """Component name -> spec (label, levels, requires, files), in manifest order."""
    return config["_components"]


def levels(config):
    """The maturity levels as the strings the question uses, lowest first."""
    return sorted(config["_levels"], key=int)


def python_versions(config):
    """The offered Pythons, the default (what pressing Enter gives) first."""
    default = config["python_version"]
    return [default, *(v for v in config["_python_versions"] if v != default)]


def component_values(spec):
    """Every resolved value a component can take: the keys of its ``files`` map."""
    return list(spec["files"])


def is_on(value):
    """Whether a resolved component value switches the component on."""
    return value not in OFF_VALUES


def on_values(spec):
    """The values that switch a component on, in manifest order."""
    return [value for value in component_values(spec) if is_on(value)]


def off_value(spec):
    """The value that switches a component off, or None for one that cannot be off."""
    return next((value for value in component_values(spec) if not is_on(value)), None)


def on_value(spec, level):
    """The value ``auto`` takes when an explicit answer needs the component: the level's
    preset when that is on, else the component's first value that is on."""
    preset = spec["levels"][int(level)]
    return preset if is_on(preset) else on_values(spec)[0]


def resolve(spec, level, intent):
    """The value a component takes for an answer alone: ``auto`` follows the level preset."""
    return spec["levels"][int(level)] if intent == "auto" else intent


def level_preset(config, level):
    """The resolved value of every component when all questions are left at ``auto``."""
    return {name: resolve(spec, level, "auto") for name, spec in components(config).items()}


def first_on_level(spec):
    """The lowest level whose preset turns the component on, or None if none does."""
    return next((level for level, value in enumerate(spec["levels"]) if is_on(value)), None)


def distinct_presets(config):
    """Levels whose preset differs from the level below: the levels worth running end to end."""
    chosen, seen = [], []
    for level in levels(config):
        preset = level_preset(config, level)
        if preset not in seen:
            seen.append(preset)
            chosen.append(level)
    return chosen


# --- the end-to-end run -----------------------------------------------------------------


def pipeline(spec):
    """The make targets a component adds to a project's end-to-end run, in the order they run
    (``pipeline`` is optional: most components add none)."""
    return spec.get("pipeline", [])


def level_pipeline(config, level):
    """The make targets a level's project runs end to end after ``install`` and ``data``: the
    ``pipeline`` of every component its preset turns on, in manifest order. The demo runs them
    and the slow tests check they pass."""
    preset = level_preset(config, level)
    return [
        target
        for name, spec in components(config).items()
        if is_on(preset[name])
        for target in pipeline(spec)
    ]


def makefile_targets(text):
    """Target -> description of every described target of a rendered Makefile (the lines
    `make help` lists), where the pipeline's targets say what they do."""
    return dict(MAKE_TARGET_RE.findall(text))


# --- what cookiecutter.json declares for each component -----------------------------------

# The ``__<name>`` key of every component: the same Jinja with the component's name filled in.
# cookiecutter renders it (never asks it) into the component's effective value. The rule it
# implements is resolve_intents, below; tests/test_hooks.py checks the two agree.
_RESOLUTION_KEY = (
    "{%- set components = cookiecutter._components -%}"
    "{%- set spec = components.NAME -%}"
    "{%- set needed = [] -%}"
    "{%- for other in components | list | reverse -%}"
    "{%- if cookiecutter[other] not in ['auto', 'no', 'none'] or other in needed -%}"
    "{%- set _ = needed.extend(components[other].requires) -%}"
    "{%- endif -%}{%- endfor -%}"
    "{%- set blocked = namespace(any=false) -%}"
    "{%- for required in spec.requires if cookiecutter['__' ~ required] in ['no', 'none'] -%}"
    "{%- set blocked.any = true -%}{%- endfor -%}"
    "{%- set preset = spec.levels[cookiecutter.maturity_level | int] "
    "if cookiecutter.maturity_level in cookiecutter._levels else spec.levels[0] -%}"
    "{%- set on_value = preset if preset not in ['no', 'none'] "
    "else spec.files | reject('in', ['no', 'none']) | first -%}"
    "{%- set off_value = spec.files | select('in', ['no', 'none']) | first -%}"
    "{{- cookiecutter.NAME if cookiecutter.NAME != 'auto' else on_value if 'NAME' in needed "
    "else off_value if blocked.any else preset -}}"
)


def resolution_key(name):
    """The value of a component's ``__<name>`` key in cookiecutter.json, exactly as
    tests/test_manifest.py expects it (and prints it when it is missing)."""
    return _RESOLUTION_KEY.replace("NAME", name)


# --- requirements and the resolution of auto ---------------------------------------------


def requirement_chains(config, name):
    """Each component ``name`` needs, directly or through others, with the path to it:
    required -> the components in between (empty when ``name`` needs it directly)."""
    specs = components(config)
    chains = {}
    for required in specs[name]["requires"]:
        chains.setdefault(required, [])
        for deeper, between in requirement_chains(config, required).items():
            chains.setdefault(deeper, [required, *between])
    return chains


def transitive_requirements(config, name):
    """Every component ``name`` needs, directly or through other requirements."""
    return set(requirement_chains(config, name))


def resolve_intents(config, level, intents):
    """What every component resolves to for a set of answers (missing ones are ``auto``).

    The rule, stated as the user meets it: an explicit answer stands; a component on
    ``auto`` is on when an explicit ``on`` answer needs it (directly or through others),
    off when something it needs is off, and otherwise follows the level. It is written as a
    fixed point over the rule, independently of the ordered passes of cookiecutter.json's
    ``__<name>`` keys, the copier macros and the hook, so that a mistake in those is not
    copied here: the tests compare each of them with this function.
    """
    specs = components(config)
    explicit = {name: value for name, value in intents.items() if value != "auto"}
    needed = {
        required
        for name, value in explicit.items()
        if is_on(value)
        for required in transitive_requirements(config, name)
    }
    resolved = {name: explicit.get(name, specs[name]["levels"][int(level)]) for name in specs}
    for name in needed - set(explicit):
        if not is_on(resolved[name]):
            resolved[name] = on_values(specs[name])[0]
    changed = True
    while changed:
        changed = False
        for name, spec in specs.items():
            blocked = any(not is_on(resolved[required]) for required in spec["requires"])
            if name not in explicit and name not in needed and is_on(resolved[name]) and blocked:
                resolved[name] = off_value(spec)
                changed = True
    return resolved


def contradictions(config, intents):
    """(explicit on, explicit off) answer pairs where the first needs the second."""
    return [
        (name, required)
        for name, value in intents.items()
        if value != "auto" and is_on(value)
        for required in sorted(transitive_requirements(config, name))
        if intents.get(required, "auto") != "auto" and not is_on(intents[required])
    ]


def broken_requirements(config, combination):
    """(component, required) pairs where an on component needs a component that is off."""
    return [
        (name, required)
        for name, spec in components(config).items()
        if is_on(combination[name])
        for required in spec["requires"]
        if not is_on(combination[required])
    ]


# --- the messages ------------------------------------------------------------------------


def contradiction_message(config, level, intents, name, required):
    """Why two explicit answers cannot go together, and the four ways out (the hook's ERROR
    line and copier's refusal say exactly this)."""
    specs = components(config)
    between = requirement_chains(config, name)[required]
    through = f" (through {', '.join(between)})" if between else ""
    return (
        f"{name}={intents[name]} needs {required}{through}, but {required}={intents[required]}; "
        f"set {required} to auto or {on_value(specs[required], level)}, or set {name} to auto "
        f"or {off_value(specs[name])}."
    )


def resolution_notes(config, level, intents):
    """Why each component on ``auto`` that departs from its level's preset does so (the hook's
    NOTE lines and copier's closing message say exactly this), in manifest order."""
    resolved = resolve_intents(config, level, intents)
    return [
        departure_note(config, level, intents, name, value)
        for name, value in resolved.items()
        if intents.get(name, "auto") == "auto"
        and value != components(config)[name]["levels"][int(level)]
    ]


def departure_note(config, level, intents, name, resolved):
    """One note: the explicit answer that turned ``name`` off (something it needs) or on
    (something that needs it)."""
    if not is_on(resolved):
        cause = next(
            required
            for required in requirement_chains(config, name)
            if intents.get(required, "auto") != "auto" and not is_on(intents[required])
        )
        return (
            f"{name} is off: it needs {cause}, which you set to {intents[cause]} "
            f"(level {level} alone would turn it on)."
        )
    cause = next(
        other
        for other in components(config)
        if name in requirement_chains(config, other)
        and intents.get(other, "auto") != "auto"
        and is_on(intents[other])
    )
    state = "on" if resolved == "yes" else f"on ({resolved})"
    return (
        f"{name} is {state}: {cause}={intents[cause]} needs it "
        f"(level {level} alone would leave it off)."
    )


# --- combinations ------------------------------------------------------------------------


def all_combinations(config):
    """Every assignment of a value to each component, valid or not."""
    specs = components(config)
    choices = [component_values(spec) for spec in specs.values()]
    return [dict(zip(specs, values)) for values in itertools.product(*choices)]


def valid_combinations(config):
    """The combinations the pre-gen hook must accept."""
    return [combo for combo in all_combinations(config) if not broken_requirements(config, combo)]


def invalid_combinations(config):
    """The combinations the pre-gen hook must refuse, since a requirement is broken."""
    return [combo for combo in all_combinations(config) if broken_requirements(config, combo)]


def combination_id(combination):
    """A short readable id: the components that are on, with their value when not yes."""
    parts = [
        name if value == "yes" else f"{name}={value}"
        for name, value in combination.items()
        if is_on(value)
    ]
    return "+".join(parts) or "core-only"


# --- the paths components own ------------------------------------------------------------


def owned(config, combination, selected):
    """Manifest paths owned by the chosen values (selected=True) or by the others."""
    return {
        path
        for name, spec in components(config).items()
        for value, paths in spec["files"].items()
        if (value == combination[name]) == selected
        for path in paths
    }


def removed_paths(config, combination):
    """Paths owned only by values not chosen; a path any chosen value owns is kept."""
    return owned(config, combination, False) - owned(config, combination, True)


def is_covered(relative, paths):
    """Whether a path equals one of ``paths`` or lies inside one of them."""
    relative = PurePosixPath(relative)
    candidates = {relative, *relative.parents}
    return any(PurePosixPath(path) in candidates for path in paths)
