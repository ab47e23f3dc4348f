"""Full MLOps, end to end: a model swap under load, drift found, a retrained model served.

The first level whose preset turns monitoring on is installed once (tests/installed_projects.py);
the test bakes a fresh project of that level and runs it as a user would. It trains and
promotes a champion and serves it with `make serve`, polling the registry every second; eight
client threads then post drifted wines (scripts/drift_scenario.py) to /predict over loopback
HTTP until the end, at a slower pace while `monitor` and the retraining run. Through that
stream the prediction log fills, `monitor` finds the drift, and `make retrain-if-drift` trains
on data that includes the drifted wines' labels and promotes the new model. The running API
must pick it up without a restart and without failing a single request, never answer from the
old version again, and say all of it in /metrics.
Last, the API that served all this must still keep the contract of its OpenAPI document under
schemathesis (tests/api_fuzz.py), /admin/reload included: the aliases no longer move, so a
reload it sends serves the same versions.
"""

import contextlib
import operator
import re
import subprocess
import threading
import time
from pathlib import Path

import drift_scenario
import loopback
import pytest
import manifest
import yaml
from api_fuzz import check_contract
from installed_projects import package_of, run, subprocess_env
from served_projects import aliases, make_serve

pytestmark = pytest.mark.slow

CONFIG = manifest.load_config()
MONITORING_LEVEL = str(manifest.first_on_level(manifest.components(CONFIG)["monitoring"]))
TEST_MONITOR_CONFIG = "configs/monitor-test.yaml"
CLIENT_THREADS = 8
# Each client's pause between requests: the point is requests in flight while the model
# swaps, not throughput (benchmarks/serve_speed.py measures that). At full speed the clients
# would take a core from the retraining the test waits for, and from the other tests.
PAUSE_SECONDS = 0.05
# The pause while `monitor` and the retraining run, which take tens of seconds: requests stay in
# flight (16 a second). At the full pace the server took 135 of the test's 242 CPU-seconds
# answering them, and the check and the retraining waited for the cores it took.
QUIET_PAUSE_SECONDS = 0.5
# The exit status of `python -m <package> monitor` when it finds drift.
DRIFT_STATUS = 3
# Logged predictions to wait for before the drift check: more than drift.min_rows (100).
LOGGED_BEFORE_CHECK = 300
# Answers every thread must get from the new model before the load stops.
ANSWERS_AFTER_SWAP = 20
SWAP_SECONDS = 60
# (variant, model_version) of a prediction's answer.
WHO_ANSWERED = operator.itemgetter("variant", "model_version")
SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][\w:]*)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$")
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


class Load:
    """Client threads posting rows to /predict, each recording every answer in order.

    An answer is ``(variant, model_version)`` for a 200, or a string describing a failure (any
    other status or a connection error): the test demands there be none.
    """

    def __init__(self, base, rows, threads=CLIENT_THREADS):
        self.base = base
        self.rows = rows
        self.pause = PAUSE_SECONDS
        self.stop = threading.Event()
        self.answers = [[] for _ in range(threads)]
        self.threads = [
            threading.Thread(target=self.post, args=(number,), daemon=True)
            for number in range(threads)
        ]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def post(self, number):
        """Post the rows in turn (each thread from its own offset) until told to stop."""
        answers = self.answers[number]
        position = number * len(self.rows) // len(self.threads)
        while not self.stop.is_set():
            row = self.rows[position % len(self.rows)]
            position += 1
            try:
                answer = loopback.request(f"{self.base}/predict", row)
            except OSError as error:
                answers.append(f"{type(error).__name__}: {error}")
                continue
            if answer.status == 200:
                answers.append(WHO_ANSWERED(answer.body))
            else:
                answers.append(f"{answer.status}: {answer.body}")
            self.stop.wait(self.pause)

    @contextlib.contextmanager
    def quieter(self):
        """Pause QUIET_PAUSE_SECONDS between each client's requests during the block."""
        self.pause = QUIET_PAUSE_SECONDS
        try:
            yield
        finally:
            self.pause = PAUSE_SECONDS

    def total(self):
        """How many answers the threads have had so far."""
        return sum(len(answers) for answers in self.answers)

    def wait_until(self, condition, seconds, what):
        """Wait for ``condition()``; fail naming ``what`` if it is not met within ``seconds``."""
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
            assert all(thread.is_alive() for thread in self.threads), "a client thread died"
            time.sleep(0.2)

    def since_version(self, version):
        """Per thread, how many answers came after its first one from ``version``'s champion."""
        counts = []
        for answers in self.answers:
            first = next(
                (place for place, answer in enumerate(answers) if answer == ("champion", version)),
                None,
            )
            counts.append(0 if first is None else len(answers) - first - 1)
        return counts


def write_test_monitor_config(project):
    """configs/monitor.yaml with the registry polled every second, as configs/monitor-test.yaml."""
    config = yaml.safe_load(Path(project, "configs", "monitor.yaml").read_text(encoding="utf-8"))
    config["reload_interval_seconds"] = 1
    Path(project, TEST_MONITOR_CONFIG).write_text(yaml.safe_dump(config), encoding="utf-8")
    return config


def check_drift(project, venv, monitor_config):
    """`monitor` exits with the drift status and names at least the shifted features."""
    command = [venv / "bin/python", "-m", package_of(project), "monitor"]
    command += ["--config", TEST_MONITOR_CONFIG]
    completed = subprocess.run(
        [str(part) for part in command],
        cwd=project,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == DRIFT_STATUS, output
    report_dir = Path(project, monitor_config["drift"]["report_dir"])
    assert (report_dir / "drift_report.html").stat().st_size > 0
    verdict = yaml.safe_load((report_dir / "drift.json").read_text(encoding="utf-8"))
    assert verdict["drift"] is True
    assert set(drift_scenario.SHIFTS) <= set(verdict["drifted_features"]), verdict


def check_answers(load, old, new):
    """No request failed; per client, once the new champion answered, the old one never did."""
    failures = [answer for answers in load.answers for answer in answers if isinstance(answer, str)]
    assert not failures, f"{len(failures)} of {load.total()} requests failed: {failures[:5]}"
    for answers in load.answers:
        versions = [version for _, version in answers]
        assert versions[0] == old and versions[-1] == new
        first_new_champion = answers.index(("champion", new))
        assert old not in versions[first_new_champion:], "an answer came from the old model"


def metric_samples(text):
    """(name, labels, value) of every sample of a Prometheus text exposition."""
    samples = []
    for line in text.splitlines():
        match = SAMPLE.match(line)
        if match and not line.startswith("#"):
            labels = dict(LABEL.findall(match["labels"] or ""))
            samples.append((match["name"], labels, float(match["value"])))
    return samples


def total(samples, name, **labels):
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    return sum(
        value
        for sample, found, value in samples
        if sample == name and labels.items() <= found.items()
    )


def check_metrics(base, load, new):
    """/metrics counted every request and prediction, and serves only the new version."""
    samples = metric_samples(loopback.text(f"{base}/metrics"))
    answered = load.total()
    assert total(samples, "http_requests_total", endpoint="/predict", status="200") == answered
    assert total(samples, "predictions_total") == answered
    assert total(samples, "predictions_total", variant="champion", model_version=new) > 0
    served = [labels for name, labels, _ in samples if name == "model_info"]
    assert [(labels["variant"], labels["version"]) for labels in served] == [("champion", new)]
    assert total(samples, "model_reloads_total", variant="champion", outcome="loaded") == 1
    assert total(samples, "model_reloads_total", outcome="failed") == 0
    assert total(samples, "data_drift_detected") == 1


def test_monitoring_level_swaps_models_under_load_and_retrains_on_drift(installed, tmp_path):
    """Drifted traffic is found; the retrained champion replaces the old with no failed request;
    the API keeps its OpenAPI contract under schemathesis."""
    venv = installed.venv(MONITORING_LEVEL)
    project = installed.variant(tmp_path / "monitored", MONITORING_LEVEL, {})
    make = ["make", f"VENV={venv}", f"MONITOR_CONFIG={TEST_MONITOR_CONFIG}"]
    run([*make, "train", "promote"], project)
    monitor_config = write_test_monitor_config(project)
    drifted = drift_scenario.shifted(drift_scenario.read_wines(project))
    retrain_config = drift_scenario.write_retrain_config(project, drifted)
    log_dir = monitor_config["prediction_log"]["directory"]

    monitor_env = {"MONITOR_CONFIG": TEST_MONITOR_CONFIG}
    log = project / "serve.log"
    with make_serve(project, venv, loopback.free_port(), log, monitor_env) as base:
        with Load(base, drift_scenario.inputs(project, drifted)) as load:
            load.wait_until(
                lambda: drift_scenario.logged_predictions(project, log_dir) >= LOGGED_BEFORE_CHECK,
                SWAP_SECONDS,
                f"{LOGGED_BEFORE_CHECK} logged predictions",
            )
            with load.quieter():
                check_drift(project, venv, monitor_config)
                output = run([*make, "retrain-if-drift", f"CONFIG={retrain_config}"], project)
            assert "promoted version 2" in output, output
            assert aliases(project, venv) == {"challenger": "2", "champion": "2"}
            load.wait_until(
                lambda: min(load.since_version("2")) >= ANSWERS_AFTER_SWAP,
                SWAP_SECONDS,
                "every client answered by version 2 (the API polls the registry every second)",
            )
            reload = loopback.request(f"{base}/admin/reload", {})
            assert (reload.status, reload.body) == (200, {"served": {"champion": "2"}})
        check_answers(load, "1", "2")
        check_metrics(base, load, "2")
        check_contract(base, project / "schemathesis")
    print(f"{load.total()} requests, none failed; {sum(load.since_version('2'))} after the swap")
