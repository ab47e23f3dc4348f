"""Unit tests of the hooks, imported unrendered as plain modules.

The answers are rendered by cookiecutter's own context code (``render_context``), so the
hooks see exactly the dictionary a real bake gives them; only the hooks' logic is under test.
"""

import importlib.util
import itertools
import json
import keyword
import re
import subprocess
import sys

import pytest
import manifest
import template_model
import yaml

CONFIG = manifest.load_config()
RULES = CONFIG["_rules"]


def load_hook(name):
    """Import hooks/<name>.py, which is a script cookiecutter runs and not a package module."""
    path = template_model.ROOT / "hooks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PRE = load_hook("pre_gen_project")
POST = load_hook("post_gen_project")


def answers_for(**extra):
    """The full rendered answers (with ``__`` keys) for these explicit answers."""
    return template_model.render_context(extra)


def combination_answers(combination, level="2"):
    """Answers that pin every component explicitly, at a given level, rendered by cookiecutter."""
    return answers_for(**template_model.combination_context(CONFIG, combination, level))


# The rendered answers of each level with every component on auto: the base that
# plain_answers() pins components on, so the hook logic can be checked on every combination
# without rendering each one (rendering is what made one test per combination slow).
LEVEL_ANSWERS = {level: answers_for(maturity_level=level) for level in manifest.levels(CONFIG)}


def plain_answers(combination, level="2"):
    """What combination_answers() renders, built as a plain dictionary: an explicit answer is
    its own resolution (``__name``). test_plain_answers_are_what_cookiecutter_renders checks
    the two agree."""
    answers = dict(LEVEL_ANSWERS[level])
    for name, value in combination.items():
        answers[name] = value
        answers[f"__{name}"] = value
    return answers


def test_plain_answers_are_what_cookiecutter_renders():
    """The shortcut of the loops below gives exactly the rendered answers, on a covering
    sample of valid and invalid combinations at every level."""
    levels = manifest.levels(CONFIG)
    sample = manifest.valid_combinations(CONFIG)[::37]
    sample += manifest.invalid_combinations(CONFIG)[::97]
    for index, combination in enumerate(sample):
        level = levels[index % len(levels)]
        assert plain_answers(combination, level) == combination_answers(combination, level)


def test_default_answers_have_no_problems():
    """The defaults must bake; anything reported here would block every user."""
    assert not PRE.find_problems(answers_for())


@pytest.mark.parametrize("level", manifest.levels(CONFIG))
def test_level_presets_have_no_problems(level):
    """Each level with all-auto components is accepted."""
    assert not PRE.find_problems(answers_for(maturity_level=level))


def test_every_valid_combination_has_no_component_problems():
    """The hook accepts exactly what the manifest's requirements allow: every combination."""
    accepted = {
        manifest.combination_id(combination): PRE.component_problems(plain_answers(combination))
        for combination in manifest.valid_combinations(CONFIG)
    }
    refused = {name: problems for name, problems in accepted.items() if problems}
    assert not refused, refused


def test_every_invalid_combination_names_each_contradiction():
    """A combination answers every component explicitly, so each broken requirement is a
    contradiction: one problem per (explicit on, explicit off it needs) pair, every one."""
    for combination in manifest.invalid_combinations(CONFIG):
        problems = PRE.component_problems(plain_answers(combination))
        pairs = manifest.contradictions(CONFIG, combination)
        assert len(problems) == len(pairs), (combination, problems)
        for name, required in pairs:
            prefix = f"{name}={combination[name]} needs {required}"
            assert any(problem.startswith(prefix) for problem in problems), (prefix, problems)


# Intents: each component answered auto or with one of its values, at some level. All of them
# are too many to render (3^10 x 4 x 5 at about 75 ms each), so cookiecutter's rendering is
# checked on each explicit answer alone at every level, and on each pair of an explicit "on"
# and an explicit "off" of two linked components (where pulling on and pushing off meet); the
# hook's own logic, which needs no rendering, on every raw intent set (test below).
def intent_samples():
    """(level, intents) pairs: single explicit answers everywhere, linked on/off pairs."""
    specs = manifest.components(CONFIG)
    answers = [(name, value) for name, spec in specs.items() for value in spec["files"]]
    for level in manifest.levels(CONFIG):
        for name, value in answers:
            yield level, {name: value}
    for (name, value), (other, other_value) in itertools.permutations(answers, 2):
        linked = other in manifest.transitive_requirements(CONFIG, name)
        if linked and manifest.is_on(value) and not manifest.is_on(other_value):
            yield "2", {name: value, other: other_value}


def test_cookiecutter_resolves_auto_as_the_rule_says():
    """Each ``__<name>`` rendered by cookiecutter equals the oracle's resolution: auto follows
    an explicit answer that turns off what it needs or needs it on, else the level."""
    wrong = []
    for level, intents in intent_samples():
        rendered = answers_for(maturity_level=level, **intents)
        resolved = {name: rendered[f"__{name}"] for name in manifest.components(CONFIG)}
        if resolved != manifest.resolve_intents(CONFIG, level, intents):
            wrong.append((level, intents))
    assert not wrong, wrong[:5]


def every_intent_set():
    """Every raw answer set of the components that take part in requirements."""
    specs = manifest.components(CONFIG)
    linked = [
        name
        for name, spec in specs.items()
        if spec["requires"] or any(name in other["requires"] for other in specs.values())
    ]
    choices = [["auto", *specs[name]["files"]] for name in linked]
    return [dict(zip(linked, values)) for values in itertools.product(*choices)]


def test_the_hook_says_what_the_manifest_says_for_every_intent_set():
    """Only two explicit answers that contradict are refused, each pair once, in the
    manifest's words; components left on auto never cause a refusal; and every component on
    auto that departs from its level gets the manifest's note. Every raw intent set in one
    loop over plain dictionaries (resolutions from the manifest), at the lowest and highest
    level: the explicit answers alone decide a refusal, the level words the hints."""
    mismatches = []
    for level in ("0", "4"):
        for intents in every_intent_set():
            answers = dict(LEVEL_ANSWERS[level], **intents)
            resolved = manifest.resolve_intents(CONFIG, level, intents)
            answers.update({f"__{name}": value for name, value in resolved.items()})
            refusals = [
                manifest.contradiction_message(CONFIG, level, intents, name, required)
                for name, required in manifest.contradictions(CONFIG, intents)
            ]
            notes = manifest.resolution_notes(CONFIG, level, intents)
            said = (sorted(PRE.component_problems(answers)), PRE.resolution_notes(answers))
            if said != (sorted(refusals), notes):
                mismatches.append((level, intents, said))
    assert not mismatches, mismatches[:3]


def test_the_hooks_off_values_are_the_manifests():
    """The hook cannot import the manifest module: its copy of the off values is checked."""
    assert PRE.OFF_VALUES == manifest.OFF_VALUES


def test_a_component_on_auto_follows_an_explicit_off_with_a_note():
    """The issue's case: docker=no at level 3 turns kubernetes (auto) off, with a note, and
    nothing is refused. (Another component that needs Docker gets its own note: the notes of
    every answer set are compared with the manifest's in the test above.)"""
    answers = answers_for(maturity_level="3", docker="no")
    assert not PRE.find_problems(answers)
    assert answers["__kubernetes"] == "no"
    assert (
        "kubernetes is off: it needs docker, which you set to no (level 3 alone would turn it on)."
        in PRE.resolution_notes(answers)
    )


def test_an_explicit_on_pulls_what_it_needs_on_with_notes():
    """kubernetes=yes at level 1 turns on, through auto, everything it needs."""
    answers = answers_for(maturity_level="1", kubernetes="yes")
    assert not PRE.find_problems(answers)
    assert (answers["__serving"], answers["__tracking"]) == ("fastapi", "mlflow")
    notes = PRE.resolution_notes(answers)
    assert [note.split()[0] for note in notes] == ["training", "tracking", "serving"]
    assert all("kubernetes=yes needs it (level 1 alone would leave it off)" in n for n in notes)


def test_hints_of_a_contradiction_lead_to_accepted_answers():
    """Each way out that the message suggests is itself accepted."""
    intents = {"maturity_level": "3", "tracking": "none", "kubernetes": "yes"}
    (problem,) = PRE.find_problems(answers_for(**intents))
    assert problem.startswith("kubernetes=yes needs tracking (through serving), but tracking=none")
    ways_out = re.findall(r"set (\w+) to (\w+) or (\w+)", problem)
    assert len(ways_out) == 2
    for name, *values in ways_out:
        for value in values:
            assert not PRE.find_problems(answers_for(**{**intents, name: value})), (name, value)


@pytest.mark.parametrize(
    "name",
    sorted({k for k in keyword.kwlist + keyword.softkwlist if re.fullmatch(r"[a-z]+", k)}),
)
def test_every_keyword_of_this_python_is_refused_as_package_name(name):
    """A package named like a keyword cannot be imported; soft keywords included."""
    problems = PRE.find_problems(answers_for(project_slug="fine-slug", package_name=name))
    assert problems == [f"package_name={name!r} is a Python keyword; choose another name."]


STDLIB = sorted(
    name
    for name in sys.stdlib_module_names
    if re.fullmatch(RULES["package_name"]["pattern"], name) and not keyword.iskeyword(name)
)


def test_every_stdlib_module_of_this_python_is_refused():
    """Shadowing the standard library breaks imports in confusing ways."""
    base = answers_for(project_slug="fine-slug", package_name="fine_pkg")
    accepted = [name for name in STDLIB if not PRE.find_problems({**base, "package_name": name})]
    assert not accepted


@pytest.mark.parametrize("name", RULES["reserved_names"])
def test_reserved_names_are_refused_for_slug_and_package(name):
    """The slug becomes an import name too, so both fields are checked."""
    slug = name.replace("_", "-")
    problems = PRE.find_problems(answers_for(project_slug=slug, package_name="fine_pkg"))
    assert len(problems) == 1 and problems[0].startswith(f"project_slug={name!r} is the name")


IMPORT_NAME_FIELDS = [
    field for field, rule in PRE.field_rules(RULES).items() if "import_name" in rule
]


@pytest.mark.parametrize("field", IMPORT_NAME_FIELDS)
def test_import_names_of_the_defaults_are_identifiers(field):
    """An ``import_name`` mapping must turn a well-formed answer into a Python identifier (a
    reversed one, ``{"_": "-"}``, would check a name Python never imports)."""
    answer = answers_for()[field]
    assert PRE.import_name(RULES[field], answer).isidentifier(), (field, answer)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("project_name", " leading space"),
        ("project_name", ""),
        ("project_slug", "Upper"),
        ("project_slug", "trailing-"),
        ("project_slug", "9lives"),
        ("package_name", "double__underscore"),
        ("package_name", "has-hyphen"),
        ("author_name", ""),
        ("author_email", "no-at-sign"),
        ("author_email", "two@@signs.com"),
        ("author_email", "space in@example.com"),
    ],
)
def test_badly_shaped_fields_are_refused_with_their_hint(field, value):
    """The message quotes the value and gives the documented hint for the field."""
    answers = answers_for(**{"project_slug": "fine-slug", "package_name": "fine_pkg", field: value})
    problems = PRE.pattern_problems(answers)
    assert f"{field}={value!r} is not valid: use {RULES[field]['hint']}." in problems


def test_all_problems_are_reported_together():
    """Users fix everything in one go instead of one error per attempt."""
    answers = answers_for(
        project_slug="import", package_name="os", author_email="a@b", docker="no", kubernetes="yes"
    )
    problems = PRE.find_problems(answers)
    fragments = ("project_slug='import'", "package_name='os'", "author_email='a@b'")
    for fragment in (*fragments, "kubernetes=yes needs docker, but docker=no"):
        assert any(fragment in problem for problem in problems), (fragment, problems)


def test_pre_gen_main_prints_errors_and_fails(monkeypatch, capsys):
    """main() is what cookiecutter runs: errors go to stderr, and the exit code is 1."""
    monkeypatch.setattr(PRE, "ANSWERS_JSON", json.dumps(answers_for(package_name="class")))
    assert PRE.main() == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("ERROR: package_name='class'")
    assert not captured.out


def test_pre_gen_main_is_silent_on_good_answers(monkeypatch, capsys):
    """A successful check prints nothing, so cookiecutter's output stays clean."""
    monkeypatch.setattr(PRE, "ANSWERS_JSON", json.dumps(answers_for()))
    assert PRE.main() == 0
    assert capsys.readouterr() == ("", "")


SYNTHETIC = {
    "package_name": "pkg",
    "_components": {
        "alpha": {"files": {"yes": ["a.txt", "shared"], "no": []}},
        "beta": {"files": {"one": ["b1", "shared"], "two": ["b2"], "none": []}},
    },
}


@pytest.mark.parametrize(
    ("alpha", "beta", "expected"),
    [
        ("yes", "one", ["b2"]),
        ("no", "one", ["a.txt", "b2"]),
        ("no", "two", ["a.txt", "b1", "shared"]),
        ("yes", "none", ["b1", "b2"]),
        ("no", "none", ["a.txt", "b1", "b2", "shared"]),
    ],
)
def test_paths_to_remove_keeps_paths_any_selected_value_owns(alpha, beta, expected):
    """A path shared by two values is removed only when neither is selected."""
    answers = {**SYNTHETIC, "__alpha": alpha, "__beta": beta}
    assert POST.paths_to_remove(answers) == expected


def test_paths_to_remove_names_the_package_directory_as_generated():
    """Manifest paths use template spelling; the hook deletes the rendered path."""
    answers = {
        "package_name": "churn_core",
        "_components": {
            "train": {"files": {"yes": ["src/{{cookiecutter.package_name}}/train.py"], "no": []}}
        },
        "__train": "no",
    }
    assert POST.paths_to_remove(answers) == ["src/churn_core/train.py"]


@pytest.mark.parametrize(
    "combination", manifest.valid_combinations(CONFIG), ids=manifest.combination_id
)
def test_paths_to_remove_never_touches_a_selected_path(combination):
    """On the real manifest: selected values keep all their paths, unselected lose theirs."""
    answers = combination_answers(combination)
    removed = set(POST.paths_to_remove(answers))
    package = "{{cookiecutter.package_name}}"
    expected = manifest.removed_paths(CONFIG, combination)
    assert removed == {path.replace(package, answers["package_name"]) for path in expected}
    assert not expected & manifest.owned(CONFIG, combination, True)


def make_tree(root, relative_paths):
    """Create files (and their parent directories) under root."""
    for relative in relative_paths:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(relative, encoding="utf-8")


def test_remove_paths_deletes_files_and_trees_and_ignores_missing(tmp_path):
    """Files and whole directories go; paths that are already gone are no error."""
    make_tree(tmp_path, ["keep.txt", "gone.txt", "tree/a/b.txt", "tree/c.txt", "other/d.txt"])
    POST.remove_paths(tmp_path, ["gone.txt", "tree", "never-existed", "other/missing.txt"])
    assert template_model.actual_files(tmp_path) == {
        template_model.PurePosixPath("keep.txt"),
        template_model.PurePosixPath("other/d.txt"),
    }


def test_prune_empty_dirs_removes_nested_empty_dirs_only(tmp_path):
    """Deepest first, so a directory holding only empty directories goes too."""
    make_tree(tmp_path, ["full/file.txt"])
    for empty in ("a/b/c", "full/empty", "d"):
        (tmp_path / empty).mkdir(parents=True)
    POST.prune_empty_dirs(tmp_path)
    remaining = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert remaining == ["full", "full/file.txt"]
    assert tmp_path.is_dir()


def baked_answers(level):
    """Answers as a real bake passes them: cookiecutter adds where the template came from."""
    answers = answers_for(maturity_level=level)
    answers.update(_template=str(template_model.ROOT), _repo_dir=str(template_model.ROOT))
    return answers


def rendered_template_files(answers):
    """The template's files as cookiecutter names them for these answers, before the hook."""
    rendered = []
    for path in template_model.template_files():
        parts = [template_model.render_segment(part, answers) for part in path.parts]
        if all(parts):
            rendered.append("/".join(parts))
    return rendered


@pytest.mark.parametrize("level", manifest.levels(CONFIG))
def test_post_gen_main_shapes_a_rendered_tree(level, tmp_path, monkeypatch):
    """main() on a tree named like a real bake leaves exactly what the manifest expects."""
    answers = baked_answers(level)
    make_tree(tmp_path, rendered_template_files(answers))
    monkeypatch.setattr(POST, "ANSWERS_JSON", json.dumps(answers))
    monkeypatch.chdir(tmp_path)
    assert POST.main() == 0
    assert template_model.actual_files(tmp_path) == template_model.expected_files(CONFIG, answers)
    assert not template_model.empty_dirs(tmp_path)


@pytest.mark.parametrize(
    "template",
    ["gh:org/repo", "gl:org/repo", "https://github.com/org/repo.git", "git@github.com:org/r.git"],
)
def test_remote_templates_are_recorded_as_given(template):
    """copier must clone the same URL the user gave cookiecutter."""
    assert POST.template_source({"_template": template, "_repo_dir": "/tmp/clone"}) == template


def test_relative_local_template_is_recorded_as_an_absolute_path(tmp_path, monkeypatch):
    """A relative path would stop working as soon as the user changes directory."""
    monkeypatch.chdir(tmp_path)
    source = POST.template_source({"_template": ".", "_repo_dir": str(template_model.ROOT)})
    assert source == str(template_model.ROOT)


def git(directory, *args):
    """Run git with a throwaway identity, failing the test if git fails."""
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(directory)]
    subprocess.run([*command, *args], check=True, capture_output=True)


def tagged_repo(directory):
    """A one-commit git repository tagged v1.0.0; returns the commit's full SHA."""
    git(directory, "init", "-q")
    (directory / "f.txt").write_text("x\n", encoding="utf-8")
    git(directory, "add", "f.txt")
    git(directory, "commit", "-q", "-m", "one")
    git(directory, "tag", "v1.0.0")
    return subprocess.run(
        ["git", "-C", str(directory), "rev-parse", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_template_commit_of_a_clean_tagged_repo_is_its_tag(tmp_path):
    """A clean tagged template records the tag, with no warning."""
    tagged_repo(tmp_path)
    assert POST.template_commit(tmp_path) == ("v1.0.0", None)
    (tmp_path / "f.txt").write_text("changed\n", encoding="utf-8")
    commit, warning = POST.template_commit(tmp_path)
    assert commit == "v1.0.0" and "uncommitted changes" in warning


def test_template_commit_outside_git_warns(tmp_path):
    """Without git there is no commit to record, and the user is told updates will fail."""
    commit, warning = POST.template_commit(tmp_path)
    assert commit is None and "not a git repository" in warning


def test_copier_answers_hold_every_question_and_no_private_key():
    """copier falls back to defaults for missing answers, so all of them must be there."""
    answers = baked_answers("1")
    recorded = POST.copier_answers(answers, "gh:org/repo", "v1.0.0")
    assert list(recorded)[:2] == ["_src_path", "_commit"]
    questions = {key: value for key, value in answers.items() if not key.startswith("_")}
    assert {k: v for k, v in recorded.items() if not k.startswith("_")} == questions


def test_copier_answers_file_matches_copier_formatting():
    """Byte-identical to copier's to_nice_yaml output, non-ASCII included, so no diff on update."""
    nice_yaml = pytest.importorskip("jinja2_ansible_filters.core_filters").to_nice_yaml
    recorded = POST.copier_answers(
        answers_for(author_name="Zoë Ł", description='say "hi"'), "gh:o/r", "v1"
    )
    text = POST.render_copier_answers(recorded)
    assert text == POST.COPIER_ANSWERS_HEADER + nice_yaml(recorded)
    assert yaml.safe_load(text) == recorded


def cruft_answers(template, commit):
    """Answers as cruft passes them: its own `_template` and `_commit`, and no `_repo_dir`."""
    answers = answers_for(maturity_level="1")
    answers.update(_template=template, _commit=commit)
    return answers


def test_cruft_records_its_template_and_the_tag_of_its_commit(tmp_path, monkeypatch):
    """Under cruft the hook runs in cruft's clone: the tag naming `_commit` is recorded,
    and `_src_path` is the template cruft was given, not the temporary clone."""
    clone = tmp_path / "clone"
    clone.mkdir()
    sha = tagged_repo(clone)
    monkeypatch.setattr(POST, "local_template_dir", lambda repo_dir: clone)
    project = tmp_path / "project"
    project.mkdir()
    answers = cruft_answers("/srv/templates/mlops", sha)
    assert POST.write_copier_answers(project, answers) is None
    recorded = yaml.safe_load((project / POST.COPIER_ANSWERS_FILE).read_text(encoding="utf-8"))
    assert recorded == POST.copier_answers(answers, "/srv/templates/mlops", "v1.0.0")


@pytest.mark.parametrize("template", ["https://github.com/org/repo.git", "/srv/templates/mlops"])
def test_cruft_commit_is_recorded_as_given_when_no_clone_names_it(template, tmp_path, monkeypatch):
    """Without a checkout that knows the commit, cruft's full SHA is what copier gets."""
    monkeypatch.setattr(POST, "local_template_dir", lambda repo_dir: tmp_path)
    answers = cruft_answers(template, "0123456789abcdef0123456789abcdef01234567")
    assert POST.cruft_template(answers) == (template, answers["_commit"], None)


@pytest.mark.parametrize(
    "context",
    [
        {"_template": "relative/template", "_commit": "0123abc"},
        {"_template": "/srv/templates/mlops"},
        {"_commit": "0123abc"},
        {},
    ],
)
def test_unknown_template_source_warns_in_one_line_and_bakes(
    context, tmp_path, monkeypatch, capsys
):
    """No `_repo_dir` and no usable `_template`/`_commit`: the bake still succeeds, with one
    WARNING line, and no answers file that copier could not use."""
    answers = answers_for(maturity_level="1")
    answers.update(context)
    make_tree(tmp_path, rendered_template_files(answers))
    monkeypatch.setattr(POST, "ANSWERS_JSON", json.dumps(answers))
    monkeypatch.chdir(tmp_path)
    assert POST.main() == 0
    warning = capsys.readouterr().err
    assert warning.startswith("WARNING: cannot tell where the template came from")
    assert warning.count("\n") == 1 and warning.endswith("\n")
    expected = template_model.expected_files(CONFIG, answers)
    expected.remove(template_model.PurePosixPath(POST.COPIER_ANSWERS_FILE))
    assert template_model.actual_files(tmp_path) == expected


def test_the_pre_gen_hook_prints_its_notes_on_stderr(monkeypatch, capsys):
    """The notes reach the user, one NOTE line each, and the bake goes on."""
    answers = answers_for(maturity_level="3", docker="no")
    monkeypatch.setattr(PRE, "ANSWERS_JSON", json.dumps(answers))
    assert PRE.main() == 0
    assert capsys.readouterr().err.splitlines() == [
        f"NOTE: {note}" for note in PRE.resolution_notes(answers)
    ]


def test_a_missing_target_python_is_named_with_how_to_get_it():
    """Told at generation, not at `make install`: the version, and how make install finds it."""
    note = POST.missing_python_note("3.13", find=lambda name: None)
    assert "targets Python 3.13, and python3.13 is not on your PATH" in note
    assert "`uv python install 3.13`" in note
    assert POST.missing_python_note("3.13", find=lambda name: f"/usr/bin/{name}") is None
