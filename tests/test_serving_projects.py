"""Automated deployment, end to end: promotion, a served API over real HTTP, and A/B routing.

The first level whose preset turns serving on is installed once (tests/installed_projects.py);
the test bakes a fresh project of that level and runs it on the installed virtualenv, as a
user would: train and promote (the level's lint and tests run in the level pipeline test);
serve the champion on a loopback port and call the API over HTTP, then check that it keeps the
contract of its own OpenAPI document under schemathesis (tests/api_fuzz.py); train again with
the same config (the tie keeps the champion, and the new challenger gets its share of the
traffic, sticky per routing key); train a better model and see the promotion gate move the
champion to it.
"""

import contextlib
import csv
import hashlib
import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import manifest
import yaml
from api_fuzz import contract_problems
from installed_projects import package_of, run, subprocess_env
from served_projects import BETTER_MODEL, aliases, training_config

pytestmark = pytest.mark.slow

CONFIG = manifest.load_config()
SERVING_LEVEL = str(manifest.first_on_level(manifest.components(CONFIG)["serving"]))
STARTUP_SECONDS = 120


def free_port():
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http(method, url, body=None, headers=None):
    """Send one request; return the status and the parsed JSON answer (errors included)."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_until_ready(base, process, log):
    """Poll /ready until the champion is loaded; fail with the server's log if it never is."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server stopped:\n{log.read_text()[-4000:]}"
        with contextlib.suppress(OSError):
            if http("GET", f"{base}/ready")[0] == 200:
                return
        time.sleep(0.5)
    pytest.fail(f"not ready after {STARTUP_SECONDS} s:\n{log.read_text()[-4000:]}")


@contextlib.contextmanager
def served(project, venv):
    """Run ``python -m <package> serve`` on a free loopback port; yield its base URL."""
    port = free_port()
    log = project / f"serve-{port}.log"
    command = [venv / "bin/python", "-m", package_of(project), "serve", "--port", str(port)]
    with open(log, "w", encoding="utf-8") as output:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(part) for part in command],
            cwd=project,
            env=subprocess_env(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wine_rows(project, count):
    """The first rows of the training data, as the JSON objects /predict takes."""
    config = training_config(project)
    with open(Path(project, config["data"]["path"]), encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))[:count]
    return [{name: float(row[name]) for name in config["data"]["features"]} for row in rows]


def routing_key_for(variant, share):
    """A routing key the API sends to ``variant`` (a key's place is a SHA-256 prefix)."""
    for number in range(1000):
        key = f"user-{number}"
        place = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64
        if (place < share) == (variant == "challenger"):
            return key
    raise AssertionError(f"no key routes to the {variant}")


def check_api(base, project):
    """Every endpoint answers over real HTTP, with the champion's version and lineage."""
    assert http("GET", f"{base}/health") == (200, {"status": "ok"})
    assert http("GET", f"{base}/ready") == (200, {"status": "ready", "model_version": "1"})
    rows = wine_rows(project, 3)
    status, answer = http("POST", f"{base}/predict", rows[0])
    assert (status, answer) == (200, {"prediction": 0, "variant": "champion", "model_version": "1"})
    status, answer = http("POST", f"{base}/predict/batch", {"rows": rows})
    assert (status, answer["predictions"]) == (200, [0, 0, 0])
    status, answer = http("POST", f"{base}/predict", {**rows[0], "hue": "pale"})
    assert status == 422 and answer["detail"][0]["loc"] == ["body", "hue"]
    status, report = http("GET", f"{base}/model")
    data = Path(project, training_config(project)["data"]["path"]).read_bytes()
    (champion,) = report["models"]
    assert (status, champion["version"], champion["alias"]) == (200, "1", "champion")
    assert champion["data_sha256"] == hashlib.sha256(data).hexdigest()


def check_ab_routing(base, project):
    """With a challenger, each routing key sticks to one variant, reported with its version."""
    serve_config = Path(project, "configs", "serve.yaml").read_text(encoding="utf-8")
    share = yaml.safe_load(serve_config)["challenger_share"]
    row = wine_rows(project, 1)[0]
    for variant, version in (("champion", "1"), ("challenger", "2")):
        headers = {"X-Routing-Key": routing_key_for(variant, share)}
        for _ in range(3):
            status, answer = http("POST", f"{base}/predict", row, headers)
            assert (status, answer["variant"], answer["model_version"]) == (200, variant, version)


def test_serving_level_trains_promotes_serves_and_routes(installed, tmp_path):
    """train, promote; serve, and fuzz against the OpenAPI contract; a tie keeps the champion;
    a better model wins.

    The level's own lint and tests run in test_level_pipeline_passes, on the same code.
    """
    venv = installed.venv(SERVING_LEVEL)
    project = installed.variant(tmp_path / "served", SERVING_LEVEL, {})
    make = ["make", f"VENV={venv}"]
    run([*make, "train"], project)
    assert "there was no champion yet" in run([*make, "promote"], project)
    assert aliases(project, venv) == {"challenger": "1", "champion": "1"}
    with served(project, venv) as base:
        check_api(base, project)
        # Asserted last, so a broken contract does not hide how routing and promotion fare.
        contract = contract_problems(base, project / "schemathesis")

    run([*make, "train"], project)
    assert "kept the champion over version 2" in run([*make, "promote"], project)
    assert aliases(project, venv) == {"challenger": "2", "champion": "1"}
    with served(project, venv) as base:
        check_ab_routing(base, project)

    config = training_config(project)
    config["model"] = BETTER_MODEL
    Path(project, "configs", "train.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    run([*make, "train"], project)
    assert "promoted version 3" in run([*make, "promote"], project)
    assert aliases(project, venv) == {"challenger": "3", "champion": "3"}
    assert not contract, contract
