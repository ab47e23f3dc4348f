"""What a bake must contain and the checks it must pass, derived from the manifest.

The tests and the benchmark never list components, values or paths themselves: they ask the
manifest module (scripts/manifest.py) and this one, which adds what needs the template source
tree and the tools: the expected file set, baking, and the content checks. Adding a component
to cookiecutter.json therefore needs no test change. The expected file set is computed here
from the manifest and the source tree, independently of the post-gen hook, so a bug in the
hook shows up as a difference instead of being copied into the expectation.
"""

import contextlib
import fnmatch
import functools
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path, PurePosixPath

import black
import kubernetes_validate
import manifest
import markdown_links
import prometheus_rules
import yaml
from check_jsonschema.cli.main_command import main as check_jsonschema
from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.main import cookiecutter
from cookiecutter.prompt import prompt_for_config
from pytest_cookies.plugin import Result

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = ROOT / "{{cookiecutter.project_slug}}"
DEFAULT_LINE_LENGTH = 100

# Leftover template syntax. GitHub Actions expressions (${{ }}) and shell string lengths
# (${#var}) are legitimate in generated files, so a "$" right before the brace is allowed.
MARKER_RE = re.compile(r"(?<!\$)\{\{|\{%|(?<!\$)\{#|cookiecutter\.[A-Za-z_]")

# Files validated against a schema that check-jsonschema vendors (so it works offline).
SCHEMAS = (
    (".github/workflows/*.yml", ("--builtin-schema", "vendor.github-workflows")),
    (".github/workflows/*.yaml", ("--builtin-schema", "vendor.github-workflows")),
    (".github/dependabot.yml", ("--builtin-schema", "vendor.dependabot")),
    (
        ".gitlab-ci.yml",
        ("--builtin-schema", "vendor.gitlab-ci", "--data-transform", "gitlab-ci"),
    ),
    ("docker-compose.yml", ("--builtin-schema", "vendor.compose-spec")),
    ("renovate.json", ("--builtin-schema", "vendor.renovate")),
)

# Kubernetes manifests, validated offline against the schemas kubernetes-validate ships, in
# strict mode (a misspelt field is an error, not ignored). Two releases: the newest it ships,
# and the oldest that upstream still patches beside it (it maintains three minor releases).
KUBERNETES_MANIFESTS = "deploy/k8s/*.yaml"
COMPOSE_FILE = "docker-compose.yml"
# Services of docker-compose.yml with no authentication of their own: anyone who reaches them
# can read or change the models and the metrics, so they may be published on loopback only.
UNAUTHENTICATED_SERVICES = ("mlflow", "prometheus", "postgres")
LOOPBACK_BINDINGS = ("127.0.0.1", "[::1]")
KUBERNETES_VERSIONS = ("1.35.0", "1.37.0")
# kustomize's own file has no Kubernetes schema: it is checked against the manifests it lists.
KUSTOMIZATION = ("kustomize.config.k8s.io/v1beta1", "Kustomization")
# Prometheus's configuration, the rule files beside it and their unit tests. promtool checks what
# Prometheus would load and runs the unit tests; prometheus_rules.py checks what it cannot, the
# rules' metrics against those the generated API declares.
PROMETHEUS_FILES = "deploy/prometheus/*.yml"
PROMETHEUS_CONFIG = "prometheus.yml"
RULE_TESTS = "*.test.yml"
METRICS_MODULE = "src/*/monitoring/metrics.py"


# --- the manifest -------------------------------------------------------------------------


# --- the expected file set ----------------------------------------------------------------


def render_segment(segment, answers):
    """Render one templated path segment the way cookiecutter renders file names."""
    if "{" not in segment:
        return segment
    env = StrictEnvironment(context={"cookiecutter": answers}, keep_trailing_newline=True)
    return env.from_string(segment).render(cookiecutter=answers)


def template_files(template_dir=TEMPLATE_DIR):
    """Every file of the template source tree, relative to it, in template spelling."""
    return sorted(
        PurePosixPath(path.relative_to(template_dir).as_posix())
        for path in template_dir.rglob("*")
        if path.is_file()
    )


# libyaml's parser where PyYAML was built with it: ten times faster on copier.yml.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text):
    """One YAML document, read with SafeLoader: the checks read YAML files of every bake."""
    return yaml.load(text, Loader=SafeLoader)  # nosec B506: SafeLoader builds plain data only


def load_all_yaml(text):
    """Every YAML document of ``text``, read with SafeLoader, as a list."""
    return list(yaml.load_all(text, Loader=SafeLoader))  # nosec B506: as load_yaml


class _TaggedLoader(SafeLoader):  # pylint: disable=too-many-ancestors
    """A YAML loader that reads copier.yml's custom tags (``!include``) as plain nodes."""


_TaggedLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def copier_settings(root=ROOT):
    """copier.yml's settings and questions (custom tags read as None)."""
    path = Path(root, "copier.yml")
    if not path.exists():
        return {}
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_TaggedLoader)  # nosec B506


@functools.cache
def answers_file(root=ROOT):
    """The answers file the post-gen hook writes so that ``copier update`` works (read once
    per process: every bake's check asks)."""
    return copier_settings(root).get("_answers_file", ".copier-answers.yml")


def expected_files(config, answers, template_dir=TEMPLATE_DIR):
    """The files a bake must contain: template files minus those of unchosen values.

    Manifest paths are matched in template spelling (before rendering), since that is how
    the manifest is written; a file whose name renders empty is skipped, as cookiecutter does.
    The post-gen hook adds copier's answers file.
    """
    combination = {name: answers[f"__{name}"] for name in manifest.components(config)}
    removed = manifest.removed_paths(config, combination)
    expected = {PurePosixPath(answers_file())}
    for relative in template_files(template_dir):
        if manifest.is_covered(relative, removed):
            continue
        parts = [render_segment(part, answers) for part in relative.parts]
        if all(parts):
            expected.add(PurePosixPath(*parts))
    return expected


def actual_files(project_dir):
    """Every file of a baked project, relative to it."""
    return {
        PurePosixPath(path.relative_to(project_dir).as_posix())
        for path in Path(project_dir).rglob("*")
        if path.is_file()
    }


def empty_dirs(project_dir):
    """Directories the post-gen hook should have pruned."""
    return sorted(
        path.relative_to(project_dir).as_posix()
        for path in Path(project_dir).rglob("*")
        if path.is_dir() and not any(path.iterdir())
    )


# --- baking -------------------------------------------------------------------------------


def render_context(extra_context, root=ROOT):
    """The answers cookiecutter would use, rendered, including the private ``__`` keys.

    Raises ValueError for a choice outside its question's choices, like cookiecutter does.
    """
    context = generate_context(
        context_file=str(Path(root, "cookiecutter.json")), extra_context=extra_context
    )
    return prompt_for_config(context, no_input=True)


def write_user_config(directory):
    """A cookiecutter user config that keeps replay files out of the home directory."""
    directory = Path(directory)
    config = {
        "cookiecutters_dir": str(directory / "cookiecutters"),
        "replay_dir": str(directory / "replay"),
    }
    config_file = directory / "cookiecutter-config.yaml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    return config_file


def bake(output_dir, extra_context, config_file, root=ROOT):
    """Bake as pytest-cookies' ``cookies.bake`` does, with its Result, but into a folder of the
    caller's choosing (tests/conftest.py says who needs that): the error is kept, not raised."""
    try:
        context = render_context(extra_context, root)
        project = cookiecutter(
            str(root),
            no_input=True,
            extra_context=extra_context,
            output_dir=str(output_dir),
            config_file=str(config_file),
        )
    except Exception as error:  # pylint: disable=broad-exception-caught
        return Result(exception=error, exit_code=-1)
    return Result(project_dir=project, context=context)


def combination_context(config, combination, level, metadata=None):
    """Answers that pin every component to an explicit value, at a given level."""
    context = {"maturity_level": str(level), **dict(combination)}
    context.update(metadata or {})
    return {key: value for key, value in context.items() if key in config}


# --- content checks -----------------------------------------------------------------------


def tool(name):
    """A console script of the running virtualenv, else whatever is on PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name) or name


def black_mode(project_dir):
    """black's settings from the generated pyproject (line length 100 if it sets none)."""
    pyproject = Path(project_dir, "pyproject.toml")
    try:
        settings = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):  # the parse check reports a broken file
        settings = {}
    settings = settings.get("tool", {}).get("black", {})
    targets = {black.TargetVersion[name.upper()] for name in settings.get("target-version", [])}
    return black.Mode(
        line_length=settings.get("line-length", DEFAULT_LINE_LENGTH), target_versions=targets
    )


def check_python(text, mode):
    """A .py file must compile and already be formatted by black."""
    try:
        compile(text, "<generated>", "exec")
    except SyntaxError as error:
        return [f"does not compile: {error}"]
    try:
        formatted = black.format_str(text, mode=mode)
    except black.InvalidInput as error:
        return [f"black cannot parse it: {error}"]
    return [] if formatted == text else ["is not black-clean"]


def notebook_source(cell):
    """A notebook cell's code, with IPython magics and shell escapes blanked out."""
    source = "".join(cell.get("source", []))
    lines = source.splitlines()
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)


def check_notebook(text):
    """A notebook must be JSON in nbformat 4 shape, and its code cells must compile."""
    notebook = json.loads(text)
    if notebook.get("nbformat") != 4 or not isinstance(notebook.get("cells"), list):
        return ["is not an nbformat 4 notebook"]
    problems = []
    for index, cell in enumerate(notebook["cells"]):
        if cell.get("cell_type") == "code":
            try:
                compile(notebook_source(cell), f"<cell {index}>", "exec")
            except SyntaxError as error:
                problems.append(f"code cell {index} does not compile: {error}")
    return problems


def parse_problems(suffix, text):
    """Parse data files by their suffix; a parse error becomes a problem."""
    parsers = {
        ".yml": load_all_yaml,
        ".yaml": load_all_yaml,
        ".toml": tomllib.loads,
        ".json": json.loads,
        ".ipynb": check_notebook,
    }
    if suffix not in parsers:
        return []
    try:
        result = parsers[suffix](text)
    except (ValueError, yaml.YAMLError) as error:
        return [f"does not parse as {suffix}: {error}"]
    return result if suffix == ".ipynb" else []


def run_tool(command, stdin=None, cwd=None):
    """Run a validator; its combined output is the problem when it fails."""
    completed = subprocess.run(
        command, input=stdin, capture_output=True, text=True, check=False, timeout=120, cwd=cwd
    )
    if completed.returncode == 0:
        return []
    return [f"{Path(command[0]).name} failed: {(completed.stdout + completed.stderr).strip()}"]


def check_dockerfile(text):
    """hadolint reads the Dockerfile from stdin, so the result depends on content alone."""
    return run_tool([tool("hadolint"), "--no-color", "-"], stdin=text)


def check_schema(path, schema_args):
    """Validate a CI file against the schema check-jsonschema vendors.

    Its command runs in this process: a new one spends half a second importing what the check
    itself needs milliseconds for, and hundreds of distinct CI files are checked per run.
    """
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        status = check_jsonschema.main(
            [*schema_args, str(path)], prog_name="check-jsonschema", standalone_mode=False
        )
    if status == 0:
        return []
    return [f"check-jsonschema failed: {output.getvalue().strip()}"]


def schema_for(relative):
    """The check-jsonschema arguments for a file, or None if no schema applies."""
    for pattern, schema_args in SCHEMAS:
        if fnmatch.fnmatch(relative.as_posix(), pattern):
            return schema_args
    return None


def published_on_loopback(port):
    """Whether a compose ``ports`` entry (short "ip:host:container" or long form) binds to
    loopback; "5000:5000" and a long form without host_ip publish on every interface."""
    if isinstance(port, dict):
        return port.get("host_ip") in LOOPBACK_BINDINGS
    return str(port).startswith(tuple(f"{address}:" for address in LOOPBACK_BINDINGS))


def compose_exposure_problems(text):
    """Services without authentication that docker-compose.yml publishes beyond loopback."""
    services = (load_yaml(text) or {}).get("services") or {}
    return [
        f"publishes {name}'s port {port} on every interface, and {name} has no "
        "authentication: bind it to 127.0.0.1"
        for name in UNAUTHENTICATED_SERVICES
        for port in (services.get(name) or {}).get("ports", [])
        if not published_on_loopback(port)
    ]


def check_kubernetes(text):
    """Each resource of a manifest must match its kind's schema, strictly, in every version."""
    try:
        documents = [doc for doc in load_all_yaml(text) if doc]
    except yaml.YAMLError:  # the parse check reports it
        return []
    problems = []
    for document in documents:
        if not isinstance(document, dict):
            problems.append("kubernetes-validate failed: a document is not a mapping")
            continue
        if (document.get("apiVersion"), document.get("kind")) == KUSTOMIZATION:
            continue
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(document, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                where = ".".join(map(str, error.path)) or "the top level"
                problems.append(
                    f"kubernetes-validate failed ({document.get('kind')}, Kubernetes {version}): "
                    f"{where}: {error.message}"
                )
            except (
                kubernetes_validate.SchemaNotFoundError,
                kubernetes_validate.InvalidSchemaError,
            ) as error:
                problems.append(f"kubernetes-validate failed: {error.message}")
    return problems


def dig(document, *keys):
    """A nested value of a manifest, or None when any level is missing or not a mapping."""
    for key in keys:
        document = document.get(key) if isinstance(document, dict) else None
    return document


def image_name(reference):
    """An image reference without its tag and digest, as kustomize's ``images`` names it."""
    name = reference.split("@", maxsplit=1)[0]
    repository, _, tag = name.rpartition(":")
    return repository if repository and "/" not in tag else name


def pod_templates(documents):
    """(kind, name, pod template) of every workload: a Deployment's and a CronJob's pods."""
    paths = {
        "Deployment": ("spec", "template"),
        "CronJob": ("spec", "jobTemplate", "spec", "template"),
    }
    return [
        (doc.get("kind"), dig(doc, "metadata", "name"), dig(doc, *paths[doc.get("kind")]) or {})
        for doc in documents
        if doc.get("kind") in paths
    ]


def untagged_image_problems(kustomization, documents):
    """Every workload runs an image kustomization.yaml's ``images`` sets, so the one
    ``kustomize edit set image`` that pins a release moves the API and its jobs together."""
    kustomized = {
        image.get("name") for image in kustomization.get("images") or [] if isinstance(image, dict)
    }
    problems = []
    for kind, name, pod in pod_templates(documents):
        for container in dig(pod, "spec", "containers") or []:
            image = (
                image_name(str(container.get("image", ""))) if isinstance(container, dict) else ""
            )
            if kustomized and image not in kustomized:
                problems.append(f"{kind} {name} runs {image}, which images: does not set")
    return problems


def reference_problems(kustomization, documents):
    """Names and selectors that point at nothing: kubectl accepts them, and nothing works."""
    pods = {
        str(dig(doc, "metadata", "name")): dig(doc, "spec", "template") or {}
        for doc in documents
        if doc.get("kind") == "Deployment"
    }
    labels = [(dig(pod, "metadata", "labels") or {}).items() for pod in pods.values()]
    images = {
        image_name(str(container.get("image", "")))
        for pod in pods.values()
        for container in dig(pod, "spec", "containers") or []
        if isinstance(container, dict)
    }
    problems = []
    for doc in documents:
        kind, name = doc.get("kind"), dig(doc, "metadata", "name")
        selector = {
            "Service": dig(doc, "spec", "selector") or {},
            "PodDisruptionBudget": dig(doc, "spec", "selector", "matchLabels") or {},
        }.get(kind)
        if selector is not None and not any(selector.items() <= pod for pod in labels):
            problems.append(f"the selector of {kind} {name} matches no Deployment's pods")
        target = str(dig(doc, "spec", "scaleTargetRef", "name"))
        if kind == "HorizontalPodAutoscaler" and target not in pods:
            problems.append(f"{kind} {name} scales {target}, not a Deployment here")
    for image in kustomization.get("images") or []:
        if isinstance(image, dict) and image.get("name") not in images:
            problems.append(f"images: {image.get('name')} is no container's image")
    return problems


def yaml_mapping(path):
    """(the YAML mapping in ``path``, []) or (None, its problem); a parse error is left to the
    parse check, which reports it once."""
    try:
        document = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return None, []
    if not isinstance(document, dict):
        return None, ["is not a mapping"]
    return document, []


def kustomization_problems(path):
    """A kustomization lists every manifest beside it, only files that exist, and its
    resources refer to each other correctly (selectors, scale target, image names)."""
    kustomization, problems = yaml_mapping(path)
    if kustomization is None:
        return problems
    if (kustomization.get("apiVersion"), kustomization.get("kind")) != KUSTOMIZATION:
        problems.append("is not a " + " ".join(KUSTOMIZATION))
    listed = {str(resource) for resource in kustomization.get("resources") or []}
    present = {other.name for other in path.parent.glob("*.yaml")} - {path.name}
    problems += [f"lists {name}, which does not exist" for name in sorted(listed - present)]
    problems += [f"does not list {name}" for name in sorted(present - listed)]
    documents = []
    for name in sorted(listed & present):
        try:
            loaded = load_all_yaml((path.parent / name).read_text(encoding="utf-8"))
            documents += [doc for doc in loaded if isinstance(doc, dict)]
        except yaml.YAMLError:  # the parse check reports it
            continue
    return (
        problems
        + reference_problems(kustomization, documents)
        + untagged_image_problems(kustomization, documents)
    )


def metrics_source(project_dir):
    """The source of the generated API's metrics module, or None when there is none."""
    modules = sorted(Path(project_dir).glob(METRICS_MODULE))
    return modules[0].read_text(encoding="utf-8") if modules else None


def check_prometheus_rules(text, metrics_text):
    """A rule file's structure and expressions, against the metrics the API declares."""
    if metrics_text is None:
        return [f"no {METRICS_MODULE} declares the metrics the rules use"]
    try:
        metrics = prometheus_rules.declared_metrics(metrics_text)
    except SyntaxError:  # the compile check of metrics.py reports it
        return [f"{METRICS_MODULE} does not compile, so the rules' metrics are unknown"]
    return prometheus_rules.rule_file_problems(text, metrics)


def promtool():
    """promtool's path (Debian's prometheus package brings it; PyPI has none), or None."""
    return shutil.which("promtool")


def promtool_missing():
    """The problem of a missing promtool: in CI, where .ci/run installs it, a failure; elsewhere
    a warning, and the checks that need it are not run."""
    reason = "promtool is not installed (apt-get install prometheus)"
    if os.environ.get("CI"):
        return [f"{reason}; CI must provide it (.ci/run installs it)"]
    warnings.warn(f"{reason}: the Prometheus files are checked without it", stacklevel=2)
    return []


def check_with_promtool(folder, *args):
    """Run ``promtool *args`` in ``folder`` (so that its messages name files as the folder does)."""
    return run_tool([promtool(), *args], cwd=folder)


def folder_digest(folder):
    """A hash of the Prometheus files of a folder: a unit test's result depends on them all."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).glob("*.yml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_rule_test(path):
    """Whether a file of deploy/prometheus holds promtool unit tests rather than rules."""
    return fnmatch.fnmatch(Path(path).name, RULE_TESTS)


def fired_in_tests(rules_path):
    """The alerts that a unit test beside a rule file, loading it, expects to fire."""
    fired = set()
    for test_file in sorted(rules_path.parent.glob(RULE_TESTS)):
        tests, _ = yaml_mapping(test_file)
        if not tests or rules_path.name not in (tests.get("rule_files") or []):
            continue
        for group in tests.get("tests") or []:
            cases = group.get("alert_rule_test") if isinstance(group, dict) else None
            fired |= {
                str(case.get("alertname"))
                for case in cases or []
                if isinstance(case, dict) and case.get("exp_alerts")
            }
    return fired


def untested_alert_problems(rules_path):
    """Every alert of a rule file needs a unit test that fires it, or nothing shows the rule can
    fire at all: a wrong threshold or label would go unnoticed until an incident."""
    alerts = prometheus_rules.alert_names(rules_path.read_text(encoding="utf-8"))
    untested = sorted(set(alerts) - fired_in_tests(rules_path))
    return [f"alert {name} has no unit test that fires it (in {RULE_TESTS})" for name in untested]


def prometheus_config_problems(path):
    """prometheus.yml loads only rule files that exist, and every rule file beside it (the unit
    test files aside)."""
    config, problems = yaml_mapping(path)
    if config is None:
        return problems
    patterns = [str(pattern) for pattern in config.get("rule_files") or []]
    problems = [
        f"rule_files: {pattern} matches no file"
        for pattern in patterns
        if not any(path.parent.glob(pattern))
    ]
    beside = {rules.name for rules in path.parent.glob("*.yml") if not is_rule_test(rules)}
    beside -= {path.name}
    loaded = {rules.name for pattern in patterns for rules in path.parent.glob(pattern)}
    problems += [f"rule_files does not load {name}" for name in sorted(beside - loaded)]
    jobs = [scrape.get("job_name") for scrape in config.get("scrape_configs") or []]
    if not jobs or not all(isinstance(job, str) and job for job in jobs):
        problems.append("every scrape_configs entry needs a job_name")
    return problems


def markdown_link_problems(path):
    """Relative links of a Markdown file (README.md, the documentation's pages) that point at no
    file of the bake, or at no heading of the file they name: GitHub shows them broken, and a
    strict documentation build fails on them. They depend on the neighbours: checked each time."""
    links = markdown_links.relative_links(path)
    problems = [markdown_links.link_problem(path, link) for link in links]
    return [f"broken link {problem}" for problem in problems if problem]


def text_problems(text):
    """Markers left by the template, and a missing or doubled final newline."""
    problems = [f"template marker left: {marker!r}" for marker in MARKER_RE.findall(text)]
    if text and not text.endswith("\n"):
        problems.append("does not end with a newline")
    elif text.endswith("\n\n"):
        problems.append("ends with more than one newline")
    return problems


class ProjectChecker:
    """Checks every file of a bake; identical contents across bakes are checked once.

    Baking every combination produces mostly identical files; black, hadolint,
    check-jsonschema, kubernetes-validate and promtool cost far more than baking, so each
    result is cached by a hash of the content and of everything else the check depends on (a
    rule file's, of the metrics module too; a unit test file's, of every file beside it). The
    cross-references of a kustomization and of prometheus.yml, and which alerts have unit tests,
    depend on their neighbours: they are cheap and checked every time.
    """

    def __init__(self, shared_dir=None):
        self.cache = {}
        self.shared_dir = Path(shared_dir) if shared_dir else None
        self.hits = 0
        self.misses = 0

    def cached(self, key, compute):
        """Return the cached result for ``key``, computing it the first time in this process
        or, with a shared folder, the first time in any process that shares it."""
        if key not in self.cache:
            self.cache[key] = self.shared(key)
        if self.cache[key] is None:
            self.misses += 1
            self.cache[key] = compute()
            self.share(key, self.cache[key])
        else:
            self.hits += 1
        return self.cache[key]

    def shared_path(self, key):
        """The file of the shared folder that holds the result for ``key``."""
        return self.shared_dir / f"{hashlib.sha256(repr(key).encode()).hexdigest()}.json"

    def shared(self, key):
        """The result another process stored for ``key``, or None."""
        if self.shared_dir is None:
            return None
        try:
            return json.loads(self.shared_path(key).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def share(self, key, problems):
        """Store a result for the other processes; written whole, then renamed into place, so a
        reader never sees half a file (two workers computing the same key write the same)."""
        if self.shared_dir is None:
            return
        path = self.shared_path(key)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(problems), encoding="utf-8")
        os.replace(partial, path)

    def file_problems(self, project_dir, relative, mode):
        """Every problem of one file, as strings without the file name."""
        path = Path(project_dir, relative)
        data = path.read_bytes()
        if b"\0" in data:
            return []
        digest = hashlib.sha256(data).hexdigest()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return ["is not UTF-8"]
        problems = self.cached(("text", digest), lambda: text_problems(text))
        problems = problems + self.cached(
            ("parse", relative.suffix, digest), lambda: parse_problems(relative.suffix, text)
        )
        if relative.suffix == ".py":
            key = ("black", repr(mode), digest)
            problems = problems + self.cached(key, lambda: check_python(text, mode))
        if relative.name == "Dockerfile":
            problems = problems + self.cached(("hadolint", digest), lambda: check_dockerfile(text))
        if relative.as_posix() == COMPOSE_FILE:
            key = ("compose-exposure", digest)
            problems = problems + self.cached(key, lambda: compose_exposure_problems(text))
        if fnmatch.fnmatch(relative.as_posix(), KUBERNETES_MANIFESTS):
            key = ("kubernetes", KUBERNETES_VERSIONS, digest)
            problems = problems + self.cached(key, lambda: check_kubernetes(text))
            if relative.name == "kustomization.yaml":
                problems = problems + kustomization_problems(path)
        if relative.suffix == ".md":
            problems = problems + markdown_link_problems(path)
        if fnmatch.fnmatch(relative.as_posix(), PROMETHEUS_FILES):
            problems = problems + self.prometheus_problems(project_dir, relative, digest)
        schema_args = schema_for(relative)
        if schema_args:
            key = ("schema", schema_args, digest)
            problems = problems + self.cached(key, lambda: check_schema(path, schema_args))
        return problems

    def prometheus_problems(self, project_dir, relative, digest):
        """promtool's verdict on a file of deploy/prometheus, and the checks it cannot make."""
        path = Path(project_dir, relative)
        if relative.name == PROMETHEUS_CONFIG:
            problems = prometheus_config_problems(path)
        elif is_rule_test(path):
            problems = []
        else:
            problems = untested_alert_problems(path) + self.rule_problems(project_dir, path, digest)
        return problems + self.promtool_problems(path, digest)

    def rule_problems(self, project_dir, path, digest):
        """A rule file's metrics and alert fields, cached by its content and that of the metrics
        module it is checked against."""
        text = path.read_text(encoding="utf-8")
        metrics_text = metrics_source(project_dir)
        metrics_digest = metrics_text and hashlib.sha256(metrics_text.encode()).hexdigest()
        key = ("prometheus-rules", digest, metrics_digest)
        return self.cached(key, lambda: check_prometheus_rules(text, metrics_text))

    def promtool_problems(self, path, digest):
        """promtool on one file: the config's syntax (the files it names are checked on their
        own), a rule file as Prometheus loads it, or a unit test file's tests, which depend on
        every file beside it."""
        if promtool() is None:
            return promtool_missing()
        if path.name == PROMETHEUS_CONFIG:
            args = ("check", "config", "--syntax-only", path.name)
        elif is_rule_test(path):
            args, digest = ("test", "rules", path.name), folder_digest(path.parent)
        else:
            args = ("check", "rules", "--lint-fatal", path.name)
        key = ("promtool", args, digest)
        return self.cached(key, lambda: check_with_promtool(path.parent, *args))

    def problems(self, project_dir):
        """Every problem of a baked project, each prefixed by the file it concerns."""
        project_dir = Path(project_dir)
        mode = black_mode(project_dir)
        found = []
        for relative in sorted(actual_files(project_dir)):
            if MARKER_RE.search(relative.as_posix()):
                found.append(f"{relative}: template marker left in the path")
            found.extend(
                f"{relative}: {problem}"
                for problem in self.file_problems(project_dir, relative, mode)
            )
        found.extend(f"{directory}/: empty directory" for directory in empty_dirs(project_dir))
        return found
