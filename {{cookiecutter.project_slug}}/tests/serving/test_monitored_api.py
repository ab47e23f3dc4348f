"""Tests of the API's monitoring: metrics after requests, the prediction log, the admin route.

Kept beside the API tests to use their fixtures; the file comes with the monitoring component.
"""

import json
import time

import pytest
import uvicorn
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.__main__ import build_parser, server_options
from {{ cookiecutter.package_name }}.monitoring.predlog import read_records
from {{ cookiecutter.package_name }}.serving.routing import CHALLENGER, CHAMPION
from {{ cookiecutter.package_name }}.serving.settings import LISTEN_HOST_VARIABLE

BEARER = {"Authorization": "Bearer s3cret"}


def metric_lines(client, name: str) -> list[str]:
    """The exposition lines of one metric."""
    return [line for line in client.get("/metrics").text.splitlines() if line.startswith(name)]


def series(name: str, labels: str, value: float) -> str:
    """One exposition line, as prometheus-client writes it."""
    return name + "{" + labels + "} " + f"{value:.1f}"


def test_metrics_appear_after_requests(client, row):
    """Requests, latency and predictions are counted per endpoint, variant and class."""
    assert not metric_lines(client, "predictions_total")
    answers = [client.post("/predict", json=row).json() for _ in range(10)]
    client.post("/predict/batch", json={"rows": [row, row]})
    client.get("/no/such/page")
    requests = metric_lines(client, "http_requests_total")
    for variant in (CHAMPION, CHALLENGER):
        served = sum(answer["variant"] == variant for answer in answers)
        labels = f'endpoint="/predict",method="POST",status="200",variant="{variant}"'
        assert (series("http_requests_total", labels, served) in requests) == (served > 0)
    unmatched = 'endpoint="unmatched",method="GET",status="404",variant=""'
    assert series("http_requests_total", unmatched, 1) in requests
    assert metric_lines(client, 'http_request_duration_seconds_count{endpoint="/predict"')
    counts = [float(line.rsplit(" ", 1)[1]) for line in metric_lines(client, "predictions_total")]
    counted = sum(counts)
    assert counted == 12


def test_a_regressors_predictions_are_counted_without_a_class(make_client, regressor, row):
    """Numbers are no classes: counted under the empty class, so the label set stays bounded."""
    client = make_client({CHAMPION: ("5", regressor)})
    client.post("/predict/batch", json={"rows": [row, {**row, "size": 60.0}, row]})
    assert metric_lines(client, "predictions_total") == [
        series("predictions_total", 'class="",model_version="5",variant="champion"', 3)
    ]


def test_classifiers_predictions_are_counted_per_class(make_client, classifier, datasets):
    """One series per predicted class, each with its count."""
    client = make_client({CHAMPION: ("1", classifier)})
    frame = datasets["classification"].drop(columns="outcome").head(5)
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    labels = client.post("/predict/batch", json={"rows": rows}).json()["predictions"]
    for label in set(labels):
        labels_of = f'class="{label}",model_version="1",variant="champion"'
        expected = series("predictions_total", labels_of, labels.count(label))
        assert expected in metric_lines(client, "predictions_total")


def test_model_info_names_the_served_versions(client):
    """One model_info series per served model, with its version and run."""
    lines = metric_lines(client, "model_info{")
    assert len(lines) == 2
    assert any('variant="champion"' in line and 'version="1"' in line for line in lines)
    assert any(f'variant="{CHALLENGER}"' in line and 'run_id="run-2"' in line for line in lines)


def test_every_prediction_is_logged_with_its_model(client, row, monitor_settings):
    """Inputs, output, variant and version of each answered row reach the log files."""
    answers = [client.post("/predict", json=row).json() for _ in range(5)]
    client.post("/predict/batch", json={"rows": [row, {**row, "weight (kg)": None}, row]})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        records = list(read_records(monitor_settings.log.directory))
        if len(records) == 8:
            break
        time.sleep(0.05)
    assert len(records) == 8
    assert records[0]["inputs"] == row
    assert records[6]["inputs"] == {**row, "weight (kg)": None}
    first = answers[0]
    assert (records[0]["variant"], records[0]["model_version"]) == (
        first["variant"],
        first["model_version"],
    )
    assert records[0]["output"] == first["prediction"]


def test_the_drift_verdict_is_exported_once_a_check_ran(client, monitor_settings):
    """No drift gauges before a check; the verdict's values after one."""
    assert not metric_lines(client, "data_drift_detected")
    monitor_settings.log.directory.mkdir(parents=True, exist_ok=True)
    verdict = {"drift": True, "checked_at": 1_700_000_000}
    (monitor_settings.log.directory / "drift.json").write_text(json.dumps(verdict))
    assert metric_lines(client, "data_drift_detected") == ["data_drift_detected 1.0"]
    assert metric_lines(client, "data_drift_last_check_timestamp_seconds") == [
        "data_drift_last_check_timestamp_seconds 1.7e+09"
    ]


def test_reload_needs_the_admin_token(client, monkeypatch):
    """Without ADMIN_TOKEN only local clients may reload; with it, only its bearer."""
    monkeypatch.delenv("ADMIN_TOKEN", raising=False)
    assert client.post("/admin/reload").status_code == 403
    monkeypatch.setenv("ADMIN_TOKEN", "s3cret")
    assert client.post("/admin/reload").status_code == 403
    wrong = {"Authorization": "Bearer wrong"}
    assert client.post("/admin/reload", headers=wrong).status_code == 403
    answer = client.post("/admin/reload", headers=BEARER)
    assert answer.json() == {"served": {CHAMPION: "1", CHALLENGER: "2"}}


@pytest.fixture(name="admin_client")
def fixture_admin_client(make_app, served_model, classifier, start_client, monkeypatch):
    """A test client of an app served as ``serve`` serves it, with no admin token set: given the
    address the server listens on and the socket peer's, and uvicorn trusting any proxy."""
    monkeypatch.delenv("ADMIN_TOKEN", raising=False)
    # What a deployment behind a proxy sets: uvicorn then believes X-Forwarded-For from anyone.
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")

    def make(listen: str, peer: str) -> TestClient:
        monkeypatch.setenv(LISTEN_HOST_VARIABLE, listen)
        app = make_app(lambda: {CHAMPION: served_model(CHAMPION, "1", classifier)})
        options = server_options(build_parser().parse_args(["serve", "--host", listen]))
        del options["workers"], options["factory"]  # one process, and the app is built here
        config = uvicorn.Config(app, **options)
        config.load()
        return start_client(config.loaded_app, (peer, 50000))

    return make


@pytest.mark.parametrize(
    ("listen", "peer", "headers", "status"),
    [
        ("127.0.0.1", "127.0.0.1", {}, 200),
        ("::1", "::1", {}, 200),
        ("127.0.0.1", "10.0.0.7", {}, 403),
        ("127.0.0.1", "10.0.0.7", {"X-Forwarded-For": "127.0.0.1"}, 403),
        ("127.0.0.1", "10.0.0.7", {"X-Forwarded-For": "localhost"}, 403),
        ("127.0.0.1", "127.0.0.1", {"X-Forwarded-For": "10.0.0.7"}, 403),
        ("127.0.0.1", "127.0.0.1", {"Forwarded": "for=10.0.0.7"}, 403),
        ("0.0.0.0", "127.0.0.1", {}, 403),
    ],
    ids=[
        "local",
        "local-ipv6",
        "remote",
        "remote-claiming-loopback",
        "remote-claiming-localhost",
        "forwarded-by-a-local-proxy",
        "forwarded-rfc7239",
        "listening-beyond-loopback",
    ],
)
def test_without_a_token_only_a_local_unforwarded_caller_may_reload(
    admin_client, listen, peer, headers, status
):
    """Without ADMIN_TOKEN: the socket's peer decides, never a forwarding header; a request a
    proxy forwarded is not local; a server listening beyond loopback needs the token."""
    client = admin_client(listen, peer)
    assert client.post("/admin/reload", headers=headers).status_code == status
