"""Several replicas, one monitor: two API processes log to one shared folder, one check reads both.

On Kubernetes the API runs as several pods that write the prediction log on one ReadWriteMany
volume, each in a subfolder named after its host, and deploy/k8s/cronjob.yaml runs the drift
check (and the retraining it triggers) against that volume. The test plays both parts on
loopback: a fresh project of the first level with monitoring is trained and promoted once, then
served by two processes with different host names and the same PREDICTION_LOG_DIR, as two pods
mounting the volume. Replica A answers the training wines, replica B twice as many drifted ones
(scripts/drift_scenario.py), so a check that missed a replica would either see no drift or count
the wrong rows. Then the CronJob's own command runs, its folders mapped onto the project (as the
image's /app) and a scratch folder: it must count every row of both replicas, find the drift,
retrain and let the gate decide; both replicas must export the verdict from the shared folder.
"""

import contextlib
import subprocess
import time
from pathlib import Path, PurePosixPath

import drift_scenario
import image_recipe
import loopback
import manifest
import pytest
import yaml
from installed_projects import run, subprocess_env
from served_projects import aliases, make_serve

pytestmark = pytest.mark.slow

CONFIG = manifest.load_config()
MONITORING_LEVEL = str(manifest.first_on_level(manifest.components(CONFIG)["monitoring"]))
CRONJOB = Path("deploy", "k8s", "cronjob.yaml")
LOG_DIR_VARIABLE = "PREDICTION_LOG_DIR"
# Replica A serves the training wines once, replica B the drifted wines twice: distinct counts.
REPLICA_A, REPLICA_B = "replica-a", "replica-b"
DRIFTED_COPIES = 2
LOG_SECONDS = 30


def job_container(project):
    """The container of the CronJob's pods, as the generated manifest declares it."""
    cronjob = yaml.safe_load((project / CRONJOB).read_text(encoding="utf-8"))
    (container,) = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    return container


def written_paths(project):
    """What the job writes, relative to the image's folder: the training data (a bundled sample
    is written on demand), the training outputs and the drift report."""
    training = drift_scenario.training_config(project)
    monitor = yaml.safe_load((project / "configs" / "monitor.yaml").read_text(encoding="utf-8"))
    return [training["data"]["path"], *training["outputs"].values(), monitor["drift"]["report_dir"]]


def check_writable(project, container):
    """Every path the job writes is on a volume: the image's root filesystem is read-only."""
    workdir = image_recipe.workdir(project / "Dockerfile")
    mounts = [PurePosixPath(mount["mountPath"]) for mount in container["volumeMounts"]]
    unmounted = [
        path
        for path in written_paths(project)
        if not any((workdir / path).is_relative_to(mount) for mount in mounts)
    ]
    assert not unmounted, f"{CRONJOB} mounts no volume for {unmounted}"


def local_folders(project, container, scratch):
    """Each mount of the job as a folder here: under the image's folder, the project's own (the
    job runs in the project as the image runs in /app); elsewhere, a scratch folder."""
    workdir = image_recipe.workdir(project / "Dockerfile")
    folders = {}
    for mount in container["volumeMounts"]:
        path = PurePosixPath(mount["mountPath"])
        local = project / path.relative_to(workdir) if path.is_relative_to(workdir) else None
        folders[str(path)] = local or scratch / mount["name"]
        folders[str(path)].mkdir(parents=True, exist_ok=True)
    return folders


def job_env(container, folders):
    """The job's plain variables, a mounted folder's path mapped to its local folder; the
    Secret's tracking URI is left out, so the project's own MLflow store is used."""
    plain = {item["name"]: item["value"] for item in container["env"] if "value" in item}
    return {name: str(folders.get(value, value)) for name, value in plain.items()}


@contextlib.contextmanager
def replica(project, venv, host, log_dir, log):
    """`make serve` as one pod: its own port and host name, the shared log folder."""
    env = {"HOSTNAME": host, LOG_DIR_VARIABLE: str(log_dir)}
    with make_serve(project, venv, loopback.free_port(), log, env) as base:
        yield base


def post_rows(base, rows):
    """Send ``rows`` in one batch; every one must be answered."""
    answer = loopback.request(f"{base}/predict/batch", {"rows": rows})
    assert answer.status == 200, answer.body
    assert len(answer.body["predictions"]) == len(rows)


def logged_per_host(log_dir):
    """Subfolder -> the rows logged in its files: which host wrote how much."""
    return {
        folder.name: sum(path.read_bytes().count(b"\n") for path in folder.glob("predictions.*"))
        for folder in log_dir.iterdir()
        if folder.is_dir()
    }


def wait_for_logs(log_dir, expected):
    """Wait until each host's subfolder, and no other, holds the rows it answered (the writer
    flushes a moment after the answer)."""
    deadline = time.monotonic() + LOG_SECONDS
    while logged_per_host(log_dir) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert logged_per_host(log_dir) == expected


def run_job(project, venv, container, env):
    """Run the CronJob's command in the project, with the virtualenv's python first on PATH;
    its output, once it succeeded."""
    path = f"{venv / 'bin'}:{subprocess_env()['PATH']}"
    completed = subprocess.run(
        [*container["command"], *container["args"]],
        cwd=project,
        env={**subprocess_env(env), "PATH": path},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    return output


def check_verdict(project, log_dir, rows, output):
    """The check counted every row of both replicas, found the drift and retrained; its report
    names the shifted features, and its verdict's copy sits in the shared folder, where the
    replicas read it."""
    assert f"DRIFT: {rows} logged inputs" in output and "Drift: retraining" in output, output
    monitor = yaml.safe_load((project / "configs" / "monitor.yaml").read_text(encoding="utf-8"))
    report = project / monitor["drift"]["report_dir"] / "drift.json"
    verdict = yaml.safe_load(report.read_text(encoding="utf-8"))
    assert (verdict["drift"], verdict["current_rows"]) == (True, rows), verdict
    assert set(drift_scenario.SHIFTS) <= set(verdict["drifted_features"]), verdict
    shared = yaml.safe_load((log_dir / "drift.json").read_text(encoding="utf-8"))
    assert shared["current_rows"] == rows


def replica_traffic(project):
    """Host -> the rows it serves: the training wines for A, the drifted wines twice for B."""
    wines = drift_scenario.read_wines(project)
    drifted = drift_scenario.shifted(wines) * DRIFTED_COPIES
    return {
        REPLICA_A: drift_scenario.inputs(project, wines),
        REPLICA_B: drift_scenario.inputs(project, drifted),
    }


def test_one_monitor_reads_every_replica_and_retrains(installed, tmp_path):
    """Two replicas log apart on one folder; the CronJob's check counts both, finds the drift
    only replica B saw, retrains, and both replicas export its verdict."""
    venv = installed.venv(MONITORING_LEVEL)
    project = installed.variant(tmp_path / "replicas", MONITORING_LEVEL, {})
    run(["make", f"VENV={venv}", "train", "promote"], project)
    container = job_container(project)
    check_writable(project, container)
    env = job_env(container, local_folders(project, container, tmp_path / "scratch"))
    log_dir = Path(env[LOG_DIR_VARIABLE])
    traffic = replica_traffic(project)
    with contextlib.ExitStack() as replicas:
        bases = [
            replicas.enter_context(replica(project, venv, host, log_dir, tmp_path / f"{host}.log"))
            for host in traffic
        ]
        for base, rows in zip(bases, traffic.values()):
            post_rows(base, rows)
        wait_for_logs(log_dir, {host: len(rows) for host, rows in traffic.items()})
        output = run_job(project, venv, container, env)
        check_verdict(project, log_dir, sum(map(len, traffic.values())), output)
        for base in bases:
            assert "data_drift_detected 1.0" in loopback.text(f"{base}/metrics")
    # The job retrained on the same rows with the same seed: a tie, so the gate kept version 1.
    assert aliases(project, venv) == {"challenger": "2", "champion": "1"}, output
