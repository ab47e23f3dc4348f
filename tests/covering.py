"""Small samples of component combinations that keep what baking all of them proved.

Every component multiplies the number of combinations, so baking all of them grows
exponentially. The combination suite bakes these samples instead, which grow about linearly:

- valid: every pair of values (component A = a, component B = b, or the maturity level
  and A = a) found in some valid combination appears in some sampled case (a pairwise
  covering array, built greedily over the enumerated valid combinations at every level, in
  their order, so it is deterministic); and boundaries: everything off, each component value
  on with only what it needs, and everything on with each component value;
- invalid: each requirement broken alone (component value on, required component off,
  nothing else broken), with the fewest and with the most components on, and every two
  requirements that can be broken together broken together in some sampled combination.

Only the manifest is read (through template_model), so a new component is sampled without
any change here. The tests check these promises against the full enumeration, computed
independently of this module.
"""

import itertools

import manifest

LEVEL = "maturity_level"


def on_count(combination):
    """How many components a combination switches on."""
    return sum(manifest.is_on(value) for value in combination.values())


def value_pairs(config, case):
    """Every ((A, a), (B, b)) a case holds, the level first, then components in manifest order.

    A case is a combination, with the maturity level it is answered at if it has one.
    """
    names = [LEVEL, *manifest.components(config)]
    items = [(name, case[name]) for name in names if name in case]
    return set(itertools.combinations(items, 2))


def minimal_on(config, name, value):
    """``name`` = ``value`` with only what it needs on (at their first on value)."""
    keep = manifest.transitive_requirements(config, name)
    return {
        other: (
            value
            if other == name
            else (manifest.on_values(spec)[0] if other in keep else manifest.off_value(spec))
        )
        for other, spec in manifest.components(config).items()
    }


def all_on(config, name, value):
    """Every component on (at its first on value), ``name`` at ``value``."""
    return {
        other: value if other == name else manifest.on_values(spec)[0]
        for other, spec in manifest.components(config).items()
    }


def unique(combinations):
    """Combinations without repeats, first occurrence kept."""
    kept = []
    for combination in combinations:
        if combination not in kept:
            kept.append(combination)
    return kept


def boundary_combinations(config):
    """Everything off, then each component value alone with its needs, then all on with it."""
    specs = manifest.components(config)
    every_on_value = [
        (name, value) for name, spec in specs.items() for value in manifest.on_values(spec)
    ]
    return unique(
        [{name: manifest.off_value(spec) for name, spec in specs.items()}]
        + [minimal_on(config, name, value) for name, value in every_on_value]
        + [all_on(config, name, value) for name, value in every_on_value]
    )


def greedy_cover(candidates, features, seeds=()):
    """Seeds, then repeatedly the first candidate covering most still-uncovered features.

    ``features(combination)`` is a set; the result covers every feature of every candidate.
    Features are numbered first, since comparing small ints is much faster than tuples.
    """
    numbers = {}

    def numbered(combination):
        return {numbers.setdefault(feature, len(numbers)) for feature in features(combination)}

    chosen = unique(seeds)
    scored = [(candidate, numbered(candidate)) for candidate in candidates]
    uncovered = set().union(*(found for _, found in scored))
    for combination in chosen:
        uncovered -= numbered(combination)
    while uncovered:
        best, found = max(scored, key=lambda item: len(item[1] & uncovered))
        chosen.append(best)
        uncovered -= found
    return chosen


def valid_sample(config, valid=None):
    """Boundary cases, then greedily a pairwise covering array over the level and components.

    Each case is a valid combination plus the maturity level it is answered at (under
    ``LEVEL``): explicit values make the level matter only to level-dependent text, but every
    level still meets every component value. The boundary combinations take the levels in
    turn.
    """
    valid = manifest.valid_combinations(config) if valid is None else valid
    levels = manifest.levels(config)
    seeds = [
        {LEVEL: levels[index % len(levels)], **combination}
        for index, combination in enumerate(boundary_combinations(config))
    ]
    candidates = [{LEVEL: level, **combination} for combination in valid for level in levels]
    return greedy_cover(candidates, lambda case: value_pairs(config, case), seeds)


def broken_edges(config, combination):
    """The broken requirements of a combination as (component, its value, required)."""
    return {
        (name, combination[name], required)
        for name, required in manifest.broken_requirements(config, combination)
    }


def requirement_edges(config):
    """(component, on value, required component) for every requirement of the manifest."""
    return [
        (name, value, required)
        for name, spec in manifest.components(config).items()
        for value in manifest.on_values(spec)
        for required in spec["requires"]
    ]


def edge_pairs(config, combination):
    """The pairs of requirements a combination breaks together."""
    return set(itertools.combinations(sorted(broken_edges(config, combination)), 2))


def invalid_sample(config, invalid=None):
    """Each requirement broken as alone as it can be, then pairs of broken requirements.

    For each requirement: among the combinations breaking it with the fewest other broken
    requirements (none, unless the manifest makes that impossible), the first with the
    fewest and the first with the most components on. Then combinations are added greedily
    until every two requirements that some combination breaks together are broken together.
    """
    invalid = manifest.invalid_combinations(config) if invalid is None else invalid
    broken = [broken_edges(config, combination) for combination in invalid]
    singles = []
    for edge in requirement_edges(config):
        breaking = [(len(found), c) for c, found in zip(invalid, broken) if edge in found]
        fewest = min(count for count, _ in breaking)
        alone = [c for count, c in breaking if count == fewest]
        singles += [min(alone, key=on_count), max(alone, key=on_count)]
    return greedy_cover(invalid, lambda combination: edge_pairs(config, combination), singles)
