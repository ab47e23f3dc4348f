"""The content checks themselves catch what they claim to catch.

test_combinations passes when ProjectChecker finds nothing, so a checker that silently
stopped working (a validator not found, a suffix not matched) would make it pass vacuously.
Each test here plants one known defect in a scratch project and expects it to be reported.
"""

import os
from pathlib import PurePosixPath

import pytest
import template_model

GOOD_WORKFLOW = """\
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ github.sha }}
"""

# A minimal valid set of Kubernetes manifests, wired together the way deploy/k8s is.
GOOD_KUBERNETES = {
    "deploy/k8s/deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: api:1.0
""",
    "deploy/k8s/service.yaml": """\
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports:
    - port: 80
""",
    "deploy/k8s/hpa.yaml": """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  maxReplicas: 3
""",
    "deploy/k8s/cronjob.yaml": """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: job
spec:
  schedule: "0 6 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: job
              image: api:1.0
""",
    "deploy/k8s/kustomization.yaml": """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [deployment.yaml, service.yaml, hpa.yaml, cronjob.yaml]
images:
  - name: api
    newTag: "2.0"
""",
}

DEFECTS = {
    "marker-in-content": ("README.md", "Hello {{ cookiecutter.project_name }}\n", "marker"),
    "jinja-comment": ("notes.txt", "left {# over #}\n", "marker"),
    "no-final-newline": ("notes.txt", "text", "does not end with a newline"),
    "two-final-newlines": ("notes.txt", "text\n\n", "more than one newline"),
    "python-syntax": ("src/pkg/a.py", "def broken(:\n", "does not compile"),
    "python-not-black": ("src/pkg/a.py", "x = {  'a':1 }\n", "not black-clean"),
    "python-too-long": ("src/pkg/a.py", f"X = f({', '.join(['argument'] * 12)})\n", "black-clean"),
    "yaml": ("config.yml", "key: [unclosed\n", "does not parse as .yml"),
    "toml": ("pyproject.toml", "[project\n", "does not parse as .toml"),
    "json": ("data.json", "{'single': 'quotes'}\n", "does not parse as .json"),
    "notebook-cell": (
        "notebooks/a.ipynb",
        '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": '
        '[{"cell_type": "code", "source": ["def (:"], "metadata": {}, "outputs": [], '
        '"execution_count": null}]}\n',
        "code cell 0 does not compile",
    ),
    "dockerfile": ("Dockerfile", "FROM python\nRUN cd /tmp\n", "hadolint failed"),
    "github-workflow": (
        ".github/workflows/ci.yml",
        "name: ci\non: [push]\njobs:\n  test:\n    steps: []\n",
        "check-jsonschema failed",
    ),
    "gitlab-ci": (".gitlab-ci.yml", "test:\n  script: 42\n", "check-jsonschema failed"),
    "dependabot": (
        ".github/dependabot.yml",
        "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n",
        "check-jsonschema failed",
    ),
    "renovate": (
        "renovate.json",
        '{"enabledManagers": ["gitlab-ci"]}\n',
        "check-jsonschema failed",
    ),
    "kubernetes-misspelt-field": (
        "deploy/k8s/deployment.yaml",
        GOOD_KUBERNETES["deploy/k8s/deployment.yaml"].replace("  selector:", "  selectr:"),
        "kubernetes-validate failed (Deployment, Kubernetes",
    ),
    "kubernetes-wrong-type": (
        "deploy/k8s/hpa.yaml",
        GOOD_KUBERNETES["deploy/k8s/hpa.yaml"].replace("maxReplicas: 3", "maxReplicas: three"),
        "spec.maxReplicas",
    ),
    "kubernetes-unknown-kind": (
        "deploy/k8s/service.yaml",
        GOOD_KUBERNETES["deploy/k8s/service.yaml"].replace("kind: Service", "kind: Servise"),
        "Couldn't find schema for kind Servise",
    ),
    "compose": (
        "docker-compose.yml",
        "services:\n  web:\n    image: nginx\n    ports: 8080\n",
        "check-jsonschema failed",
    ),
    "compose-mlflow-on-every-interface": (
        "docker-compose.yml",
        "services:\n  mlflow:\n    image: mlflow\n"
        '    ports: ["127.0.0.1:5000:5000", "5001:5001"]\n',
        "publishes mlflow's port 5001:5001 on every interface",
    ),
    "compose-prometheus-long-form": (
        "docker-compose.yml",
        "services:\n  prometheus:\n    image: prom\n"
        "    ports:\n      - {target: 9090, published: 9090}\n",
        "publishes prometheus's port",
    ),
}


def write(root, relative, text):
    """Write one file of a scratch project."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("relative", "text", "expected"), DEFECTS.values(), ids=DEFECTS.keys())
def test_checker_reports_the_planted_defect(relative, text, expected, tmp_path):
    """The defect is reported, against the right file."""
    write(tmp_path, relative, text)
    problems = template_model.ProjectChecker().problems(tmp_path)
    assert any(p.startswith(f"{relative}: ") and expected in p for p in problems), problems


def test_checker_accepts_clean_files_and_github_expressions(tmp_path):
    """${{ }} in a workflow and ${#var} in shell are not template leftovers."""
    write(tmp_path, ".github/workflows/ci.yml", GOOD_WORKFLOW)
    write(tmp_path, "run.sh", 'echo "${#HOME}"\n')
    write(tmp_path, "src/pkg/a.py", '"""Docstring."""\n\nX = {"a": 1}\n')
    write(tmp_path, "Dockerfile", 'FROM python:3.12-slim\nCMD ["python"]\n')
    write(tmp_path, "src/pkg/__init__.py", "")
    assert not template_model.ProjectChecker().problems(tmp_path)


def test_checker_accepts_valid_kubernetes_manifests(tmp_path):
    """Manifests that match their schemas and each other pass, kustomization included."""
    for relative, text in GOOD_KUBERNETES.items():
        write(tmp_path, relative, text)
    assert not template_model.ProjectChecker().problems(tmp_path)


# A wrong cross-reference, which every schema accepts: (file, old, new, expected problem).
BROKEN_REFERENCES = {
    "service-selector": ("service.yaml", "{app: api}", "{app: web}", "matches no Deployment"),
    "hpa-target": ("hpa.yaml", "name: api}", "name: web}", "scales web, not a Deployment"),
    "image-name": ("kustomization.yaml", "- name: api", "- name: web", "web is no container"),
    "job-image": ("cronjob.yaml", "image: api:1.0", "image: job:1.0", "runs job, which images"),
    "missing-resource": ("kustomization.yaml", "cronjob.yaml]", "cronjob.yaml, pdb.yaml]", "pdb"),
    "unlisted-manifest": ("kustomization.yaml", ", hpa.yaml", "", "does not list hpa.yaml"),
}


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"), BROKEN_REFERENCES.values(), ids=BROKEN_REFERENCES.keys()
)
def test_checker_reports_broken_kubernetes_references(name, old, new, expected, tmp_path):
    """A kustomization that lists a missing file, or names and selectors that match nothing."""
    for relative, text in GOOD_KUBERNETES.items():
        write(tmp_path, relative, text)
    path = tmp_path / "deploy/k8s" / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    problems = template_model.ProjectChecker().problems(tmp_path)
    assert any(expected in problem for problem in problems), problems


# A metrics module as the generated API declares it, and rules and a configuration using it.
GOOD_PROMETHEUS = {
    "src/pkg/monitoring/metrics.py": """\
\"\"\"Metrics.\"\"\"

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("http_requests_total", "Requests.", ["endpoint", "status"])
LATENCY = Histogram("http_request_duration_seconds", "Latency.", labelnames=("endpoint",))


def collect():
    \"\"\"A value read at scrape time.\"\"\"
    yield GaugeMetricFamily("data_drift_detected", "Drift.", value=1.0)
""",
    "deploy/prometheus/prometheus.yml": """\
rule_files: [alerts.yml]
scrape_configs:
  - job_name: api
    static_configs:
      - targets: ["api:8000"]
""",
    "deploy/prometheus/alerts.yml": """\
groups:
  - name: api
    interval: 1m
    rules:
      - alert: Errors
        expr: >-
          sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))
          > 0.05
        for: 5m
        labels: {severity: critical}
        annotations: {summary: Errors., description: Many errors.}
      - alert: Slow
        expr: >-
          histogram_quantile(0.99, sum by (le) (
            rate(http_request_duration_seconds_bucket{endpoint="/predict"}[5m]))) > 0.5
        for: 1h30m
        labels: {severity: warning}
        annotations: {summary: Slow., description: Slow predictions.}
      - alert: Drift
        expr: max(data_drift_detected) == 1 and on() up{job="api"} offset 5m > 0
        for: 0s
        labels: {severity: warning}
        annotations: {summary: Drift., description: Inputs drifted.}
""",
    "deploy/prometheus/alerts.test.yml": """\
rule_files: [alerts.yml]
tests:
  - interval: 1m
    input_series:
      - series: http_requests_total{endpoint="/predict", status="200"}
        values: 0+90x20
      - series: http_requests_total{endpoint="/predict", status="500"}
        values: 0+10x20
    alert_rule_test:
      - eval_time: 10m
        alertname: Errors
        exp_alerts:
          - exp_labels: {severity: critical}
            exp_annotations: {summary: Errors., description: Many errors.}
  - interval: 1m
    input_series:
      - series: http_request_duration_seconds_bucket{endpoint="/predict", le="0.5"}
        values: 0x120
      - series: http_request_duration_seconds_bucket{endpoint="/predict", le="1"}
        values: 0+10x120
      - series: http_request_duration_seconds_bucket{endpoint="/predict", le="+Inf"}
        values: 0+10x120
    alert_rule_test:
      - eval_time: 100m
        alertname: Slow
        exp_alerts:
          - exp_labels: {severity: warning}
            exp_annotations: {summary: Slow., description: Slow predictions.}
  - interval: 1m
    input_series:
      - series: data_drift_detected
        values: 1x10
      - series: up{job="api"}
        values: 1x10
    alert_rule_test:
      - eval_time: 6m
        alertname: Drift
        exp_alerts:
          - exp_labels: {severity: warning}
            exp_annotations: {summary: Drift., description: Inputs drifted.}
""",
}

# One defect planted in alerts.yml that promtool cannot see: (old, new, expected problem).
BROKEN_RULES = {
    "unknown-metric": (
        "max(data_drift_detected)",
        "max(data_drift_detecte)",
        "unknown metric data_drift_detecte",
    ),
    "counter-without-total": (
        "rate(http_requests_total[5m])",
        "rate(http_requests[5m])",
        "unknown metric http_requests:",
    ),
    "unknown-label": ('{status=~"5.."}', '{code=~"5.."}', "has no label 'code'"),
    "label-of-another-series": ('{endpoint="/predict"}', '{status="200"}', "no label 'status'"),
    "missing-severity": ("labels: {severity: critical}", "labels: {team: ml}", "severity"),
    "unknown-severity": (
        "{severity: warning}\n        annotations: {summary: Slow.",
        ("{severity: high}\n        annotations: {summary: Slow."),
        "labels.severity must be one of",
    ),
    "missing-description": (", description: Inputs drifted.}", "}", "no annotations.description"),
    "missing-for": ("        for: 5m\n", "", "Errors: no 'for'"),
}

RULES = GOOD_PROMETHEUS["deploy/prometheus/alerts.yml"]
ERRORS, SLOW, DRIFT = (
    RULES.index(f"      - alert: {name}") for name in ("Errors", "Slow", "Drift")
)
# One defect planted in a Prometheus file that promtool reports: (file, old, new, expected).
PROMTOOL_DEFECTS = {
    "unknown-function": ("alerts.yml", "histogram_quantile(", "histogram_quantil(", "unknown func"),
    "unbalanced-parenthesis": ("alerts.yml", "[5m]))) > 0.5", "[5m])) > 0.5", "unclosed left"),
    "unbalanced-brace": ("alerts.yml", '{status=~"5.."}', '{status=~"5.."', "unexpected"),
    "bad-range": ("alerts.yml", "[5m])) /", "[5min])) /", "bad duration"),
    "bad-duration": ("alerts.yml", "for: 1h30m", "for: 90 minutes", "not a valid duration"),
    "duration-order": ("alerts.yml", "for: 1h30m", "for: 30m1h", "not a valid duration"),
    "bad-interval": ("alerts.yml", "interval: 1m", "interval: 1 minute", "not a valid duration"),
    "misspelt-key": ("alerts.yml", "        for: 5m\n", "        fro: 5m\n", "field fro not found"),
    "no-groups": ("alerts.yml", "groups:", "grups:", "field grups not found"),
    "duplicate-rule": ("alerts.yml", RULES[SLOW:DRIFT], RULES[ERRORS:SLOW], "duplicate rule"),
    "a-rule-that-never-fires": ("alerts.yml", "> 0.05", "> 0.5", "alertname: Errors"),
    "wrong-expected-labels": (
        "alerts.test.yml",
        "{severity: warning}",
        "{severity: info}",
        "FAILED",
    ),
    "config-key": ("prometheus.yml", "scrape_configs:", "scrape_config:", "field scrape_config"),
}


def write_prometheus(root):
    """The good metrics module, configuration, rules and unit tests, in a scratch project."""
    for relative, text in GOOD_PROMETHEUS.items():
        write(root, relative, text)


def plant(root, relative, old, new):
    """Replace the first ``old`` of a file of a scratch project by ``new``."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(name="needs_promtool")
def fixture_needs_promtool():
    """Skip without promtool, except in CI, where .ci/run installs it."""
    if template_model.promtool() is None:
        reason = "promtool is not installed (apt-get install prometheus)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must provide it (.ci/run installs it)")
        pytest.skip(reason)


def test_checker_accepts_valid_prometheus_files(tmp_path, needs_promtool):
    """Rules on declared metrics and labels, with every field and a unit test each, pass
    promtool and the checks it cannot make; so does the config."""
    del needs_promtool
    write_prometheus(tmp_path)
    assert not template_model.ProjectChecker().problems(tmp_path)


@pytest.mark.parametrize(("old", "new", "expected"), BROKEN_RULES.values(), ids=BROKEN_RULES.keys())
def test_checker_reports_broken_prometheus_rules(old, new, expected, tmp_path):
    """Each check promtool cannot make fails on its defect, against alerts.yml."""
    write_prometheus(tmp_path)
    plant(tmp_path, "deploy/prometheus/alerts.yml", old, new)
    problems = template_model.ProjectChecker().problems(tmp_path)
    relative = "deploy/prometheus/alerts.yml: "
    assert any(p.startswith(relative) and expected in p for p in problems), problems


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"), PROMTOOL_DEFECTS.values(), ids=PROMTOOL_DEFECTS.keys()
)
def test_promtool_reports_broken_prometheus_files(
    name, old, new, expected, tmp_path, needs_promtool
):  # pylint: disable=too-many-arguments,too-many-positional-arguments
    """promtool runs on the files of deploy/prometheus: a broken file is reported, and so is a
    rule whose unit test fails (on the unit test file)."""
    del needs_promtool
    write_prometheus(tmp_path)
    plant(tmp_path, f"deploy/prometheus/{name}", old, new)
    problems = template_model.ProjectChecker().problems(tmp_path)
    reported = [
        p for p in problems if p.startswith("deploy/prometheus/") and "promtool failed" in p
    ]
    assert any(expected in problem for problem in reported), problems


def test_checker_reports_an_alert_without_unit_test(tmp_path):
    """An alert no unit test fires is reported on its rule file (the alerts are read from it)."""
    write_prometheus(tmp_path)
    tests = tmp_path / "deploy/prometheus/alerts.test.yml"
    text = tests.read_text(encoding="utf-8")
    tests.write_text(text[: text.rindex("  - interval:")], encoding="utf-8")
    problems = template_model.ProjectChecker().problems(tmp_path)
    expected = "deploy/prometheus/alerts.yml: alert Drift has no unit test that fires it"
    assert any(p.startswith(expected) for p in problems), problems


# A broken reference of prometheus.yml, or a missing metrics module: (file, expected problem).
BROKEN_PROMETHEUS_FILES = {
    "missing-rule-file": ("deploy/prometheus/alerts.yml", "alerts.yml matches no file"),
    "metrics-module": ("src/pkg/monitoring/metrics.py", "declares the metrics the rules use"),
}


@pytest.mark.parametrize(
    ("removed", "expected"), BROKEN_PROMETHEUS_FILES.values(), ids=BROKEN_PROMETHEUS_FILES.keys()
)
def test_checker_reports_a_missing_prometheus_file(removed, expected, tmp_path):
    """prometheus.yml must load rules that exist, and rules need the metrics they use."""
    write_prometheus(tmp_path)
    (tmp_path / removed).unlink()
    if removed.endswith("alerts.yml"):  # the rules must not vanish unnoticed either
        write(tmp_path, "deploy/prometheus/other.yml", GOOD_PROMETHEUS[removed])
    problems = template_model.ProjectChecker().problems(tmp_path)
    assert any(expected in problem for problem in problems), problems


def test_checker_reports_an_unloaded_rule_file(tmp_path):
    """A rule file beside prometheus.yml that rule_files does not load never fires; unit test
    files are not rule files."""
    write_prometheus(tmp_path)
    write(tmp_path, "deploy/prometheus/more.yml", GOOD_PROMETHEUS["deploy/prometheus/alerts.yml"])
    problems = template_model.ProjectChecker().problems(tmp_path)
    assert "deploy/prometheus/prometheus.yml: rule_files does not load more.yml" in problems
    assert not any("does not load alerts.test.yml" in problem for problem in problems)


def test_checker_reports_markers_in_paths_and_empty_dirs(tmp_path):
    """A directory name left unrendered, or left empty by the hook, is reported."""
    write(tmp_path, "{{cookiecutter.package_name}}/x.txt", "x\n")
    (tmp_path / "hollow" / "inner").mkdir(parents=True)
    problems = template_model.ProjectChecker().problems(tmp_path)
    assert any("template marker left in the path" in p for p in problems), problems
    assert "hollow/inner/: empty directory" in problems


def test_checker_caches_by_content(tmp_path):
    """Identical files are checked once; the second project is answered from the cache."""
    checker = template_model.ProjectChecker()
    for name in ("one", "two"):
        write(tmp_path / name, "Dockerfile", 'FROM python:3.12-slim\nCMD ["python"]\n')
    checker.problems(tmp_path / "one")
    misses = checker.misses
    checker.problems(tmp_path / "two")
    assert checker.misses == misses and checker.hits >= misses


def test_checkers_sharing_a_folder_check_each_content_once(tmp_path):
    """What one process (an xdist worker) checked, another sharing the folder reuses, and a
    found problem is shared as faithfully as a clean result."""
    write(tmp_path / "project", "Dockerfile", "FROM python\n")
    write(tmp_path / "project", "notes.txt", "no newline at the end")
    first = template_model.ProjectChecker(tmp_path / "shared")
    second = template_model.ProjectChecker(tmp_path / "shared")
    (tmp_path / "shared").mkdir()
    found = first.problems(tmp_path / "project")
    assert found and first.misses > 0
    assert second.problems(tmp_path / "project") == found
    assert second.misses == 0 and second.hits == first.misses


def test_black_mode_follows_the_generated_pyproject(tmp_path):
    """A project that sets another line length is checked with it, not with 100."""
    write(
        tmp_path, "pyproject.toml", '[tool.black]\nline-length = 120\ntarget-version = ["py312"]\n'
    )
    mode = template_model.black_mode(tmp_path)
    assert mode.line_length == 120
    assert mode.target_versions == {template_model.black.TargetVersion.PY312}
    assert template_model.black_mode(tmp_path / "absent").line_length == 100


def test_expected_files_drop_unselected_paths_and_render_names(tmp_path):
    """The model renders templated names, skips empty names and drops unselected paths."""
    for relative in (
        "keep.txt",
        "src/{{cookiecutter.package_name}}/m.py",
        "opt/inner/f.txt",
        "{% if false %}skipped{% endif %}",
    ):
        write(tmp_path, relative, "x\n")
    config = {"_components": {"opt": {"files": {"yes": ["opt"], "no": []}}}}
    answers = {"package_name": "pkg", "__opt": "no"}
    expected = template_model.expected_files(config, answers, template_dir=tmp_path)
    assert expected == {
        PurePosixPath(template_model.answers_file()),
        PurePosixPath("keep.txt"),
        PurePosixPath("src/pkg/m.py"),
    }
