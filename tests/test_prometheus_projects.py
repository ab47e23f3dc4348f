"""The generated Prometheus configuration, run by a real Prometheus against a served API.

The content checks run promtool on deploy/prometheus, and its unit tests feed the alert rules
made-up series; neither shows that Prometheus, started with these files, scrapes the API the
way the rules expect. Here the first level whose preset turns monitoring on (on its shared
virtualenv, tests/installed_projects.py) trains and promotes a champion and serves it; Debian's
prometheus runs the project's deploy/prometheus files, changed only where a test must: the
api job's target is the served port on loopback, and scrapes and rule evaluations come every
second. After a known number of /predict requests, Prometheus' HTTP API must report the API up,
count exactly those requests and predictions, have loaded every rule of alerts.yml without
error, and hold each alert in the state this situation calls for (inactive, but for
DriftCheckNeverRan, pending since no drift check has run).
"""

import shutil
import time
import urllib.parse
from pathlib import Path

import loopback
import manifest
import pytest
import yaml
from drift_scenario import inputs, read_wines
from installed_projects import run, subprocess_env
from served_projects import make_serve
from team_servers import unavailable
from template_model import PROMETHEUS_CONFIG

pytestmark = pytest.mark.slow

CONFIG = manifest.load_config()
MONITORING_LEVEL = str(manifest.first_on_level(manifest.components(CONFIG)["monitoring"]))
PROMETHEUS_DIR = Path("deploy", "prometheus")
RULE_FILE = "alerts.yml"
# The job whose target is the API: the alert rules select it (prometheus.yml says so).
API_JOB = "api"
# Scrape and rule evaluation period of the test, instead of the generated 15 s.
INTERVAL = "1s"
PREDICTIONS = 25
SETTLE_SECONDS = 60
# Each alert's state while the API serves a champion without errors and no drift check has run:
# DriftCheckNeverRan's condition (no verdict exported) holds, but for 2 days only fires.
PENDING = {"DriftCheckNeverRan"}


def prometheus_binary():
    """Debian's prometheus (.ci/run installs it): in CI a missing one is a failure, elsewhere a
    skip."""
    binary = shutil.which("prometheus")
    if binary is None:
        unavailable("Prometheus is not installed (apt-get install prometheus)")
    return binary


def write_test_configuration(project, folder, api_port):
    """Copy deploy/prometheus into ``folder``, pointing the api job at the served port and
    scraping and evaluating every INTERVAL; the rest of the configuration is the project's."""
    shutil.copytree(Path(project, PROMETHEUS_DIR), folder)
    path = folder / PROMETHEUS_CONFIG
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["global"].update(scrape_interval=INTERVAL, evaluation_interval=INTERVAL)
    (job,) = [scrape for scrape in config["scrape_configs"] if scrape["job_name"] == API_JOB]
    for static in job["static_configs"]:
        static["targets"] = [f"127.0.0.1:{api_port}"]
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def query(base, expression):
    """The value of a PromQL expression whose result is a single number, or None when empty."""
    answer = loopback.request(
        f"{base}/api/v1/query?{urllib.parse.urlencode({'query': expression})}"
    )
    assert answer.status == 200 and answer.body["status"] == "success", answer
    result = answer.body["data"]["result"]
    return float(result[0]["value"][1]) if result else None


def alert_states(base):
    """Alert name -> (state, health, last error) of every alerting rule Prometheus loaded."""
    answer = loopback.request(f"{base}/api/v1/rules")
    assert answer.status == 200, answer
    return {
        rule["name"]: (rule["state"], rule["health"], rule.get("lastError", ""))
        for group in answer.body["data"]["groups"]
        for rule in group["rules"]
        if rule["type"] == "alerting"
    }


def settled(read, expected, what):
    """Poll ``read()`` until it equals ``expected`` (Prometheus needs a scrape and a rule
    evaluation after the traffic), then return it; after SETTLE_SECONDS, the last reading, which
    the caller's assertion shows."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        found = read()
        if found == expected or time.monotonic() > deadline:
            print(f"{what}: {found}")
            return found
        time.sleep(0.5)


def expected_states(project):
    """The state each alert of the project's alerts.yml must reach, all healthy."""
    rules = yaml.safe_load(Path(project, PROMETHEUS_DIR, RULE_FILE).read_text(encoding="utf-8"))
    names = [rule["alert"] for group in rules["groups"] for rule in group["rules"]]
    return {name: ("pending" if name in PENDING else "inactive", "ok", "") for name in names}


def prometheus_command(binary, config, storage, port):
    """Prometheus on ``config``, keeping its data in ``storage``, listening on loopback only."""
    return [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={storage}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]


def counters(base):
    """What Prometheus scraped: whether the api job is up, the sum of its /predict requests and
    that of its predictions."""
    return (
        query(base, f'up{{job="{API_JOB}"}}'),
        query(base, 'sum(http_requests_total{endpoint="/predict"})'),
        query(base, "sum(predictions_total)"),
    )


def test_prometheus_scrapes_the_api_and_evaluates_the_alert_rules(installed, tmp_path):
    """The project's own `make alerts-test` passes; Prometheus, run with the generated files,
    counts every request and prediction the API served and holds every alert of alerts.yml in
    the state the situation calls for."""
    binary = prometheus_binary()  # before the costly steps, which a skip would waste
    venv = installed.venv(MONITORING_LEVEL)
    project = installed.variant(tmp_path / "monitored", MONITORING_LEVEL, {})
    run(["make", "alerts-test"], project)
    run(["make", f"VENV={venv}", "train", "promote"], project)
    api_port, prometheus_port = loopback.free_port(), loopback.free_port()
    base = f"http://127.0.0.1:{prometheus_port}"
    config = write_test_configuration(project, tmp_path / "prometheus", api_port)
    command = prometheus_command(binary, config, tmp_path / "tsdb", prometheus_port)
    with (
        make_serve(project, venv, api_port, tmp_path / "api.log") as api,
        loopback.running(
            command, config.parent, subprocess_env(), f"{base}/-/ready", tmp_path / "prom.log"
        ),
    ):
        for row in inputs(project, read_wines(project))[:PREDICTIONS]:
            assert loopback.request(f"{api}/predict", row).status == 200
        sent = (1.0, float(PREDICTIONS), float(PREDICTIONS))
        assert settled(lambda: counters(base), sent, "up, /predict requests, predictions") == sent
        expected = expected_states(project)
        assert settled(lambda: alert_states(base), expected, "alerts") == expected
