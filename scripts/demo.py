"""Bake a project non-interactively and run its own pipeline, step by step.

This is the README's first quick-start command (``make demo``): it shows what a team
gets at a maturity level by generating a project and running the same make targets a
person would, printing what each step does and how long it took. The steps are the level's
run as the manifest declares it (install and data, then the ``pipeline`` of each component on
at the level), each described by its ``## `` comment in the project's Makefile.
"""

import argparse
import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import drift_scenario
import loopback
import manifest
from project_env import project_env
from cookiecutter.main import cookiecutter

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent

CONFIG = manifest.load_config()
# Every level's run starts with these: the virtualenv, then the data the steps read. The
# components on at the level add their targets after them (their ``pipeline`` in the manifest).
SETUP_TARGETS = ("install", "data")
# Judged on served traffic: the level-4 scenario runs it after sending some, not before.
TRAFFIC_TARGETS = ("monitor",)
# Who commits the demo project, so pre-commit has the tracked files it checks (unsigned, so a
# user's signing setup is not asked for a key).
GIT_IDENTITY = (
    "-c",
    "user.name=Demo",
    "-c",
    "user.email=demo@example.invalid",
    "-c",
    "commit.gpgsign=false",
)

# What a level's steps leave behind worth opening, relative to the project, with what it is.
DEMO_RESULTS = {
    2: [
        ("reports/figures/confusion_matrix.png", "confusion matrix on the held-out wines"),
        ("reports/figures/feature_importance.png", "what the model relies on"),
        ("reports/metrics.json", "the held-out metrics"),
        ("models/lineage.json", "what the model was made from: data and config hashes"),
        ("mlflow.db", "the MLflow store (runs, registered model): `make mlflow-ui` browses it"),
    ],
}
DEMO_RESULTS[3] = DEMO_RESULTS[2]
DEMO_RESULTS[4] = DEMO_RESULTS[3] + [
    ("reports/drift/drift_report.html", "the drift report: per feature, served against trained"),
    ("reports/drift/drift.json", "its verdict, as the scheduled workflow reads it"),
    ("predictions", "the prediction log: one JSON line per prediction, a folder per host"),
    (drift_scenario.RETRAIN_CONFIG.as_posix(), "the config that retrained on the drifted wines"),
]
# The /metrics series the demo shows, of the many the API exports.
METRICS_SHOWN = (
    'http_requests_total{endpoint="/predict"',
    "predictions_total",
    "model_info",
    "model_reloads_total",
    "data_drift_detected",
)
# How long the API may take to write what it answered to the prediction log.
LOG_SECONDS = 30


def parse_args(argv):
    """Level and output directory; defaults give the richest level implemented."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    levels = [int(level) for level in manifest.levels(CONFIG)]
    parser.add_argument("--level", type=int, choices=levels, default=max(levels))
    parser.add_argument("--output", type=Path, default=TEMPLATE_ROOT / "build" / "demo")
    return parser.parse_args(argv)


def bake(level, output):
    """Generate the demo project afresh, so every run starts from the template."""
    project = output / "demo-wine-classifier"
    if project.exists():
        shutil.rmtree(project)
    output.mkdir(parents=True, exist_ok=True)
    # The project targets the interpreter that runs the demo, so it works on any machine.
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    extra = {
        "project_name": "Demo Wine Classifier",
        "maturity_level": str(level),
        "python_version": python,
    }
    return Path(
        cookiecutter(str(TEMPLATE_ROOT), no_input=True, extra_context=extra, output_dir=str(output))
    )


def demo_steps(project, level):
    """(make target, what it does) for each step of the level's run, in order: the setup
    targets, then those the manifest's components add at this level. Each is described by its
    ``## `` comment in the project's Makefile, the text `make help` shows."""
    described = manifest.makefile_targets((project / "Makefile").read_text(encoding="utf-8"))
    targets = [*SETUP_TARGETS, *manifest.level_pipeline(CONFIG, str(level))]
    return [(target, described[target]) for target in targets if target not in TRAFFIC_TARGETS]


def commit(project):
    """Make the project a git repository with one commit, as a team would before working in
    it: pre-commit checks the files git tracks, and `make install` installs its hook."""
    print("\n==> git init and a first commit: pre-commit checks the files git tracks", flush=True)
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "Generated"]):
        try:
            subprocess.run(["git", *GIT_IDENTITY, *command], cwd=project, check=True)
        except (OSError, subprocess.CalledProcessError) as error:
            sys.exit(f"demo failed at `git {command[0]}` in {project}: {error}")


def run_step(project, target, what, variables=(), fails=False):
    """Run one make target of the generated project; stop the demo if it fails.

    With ``fails``, the step is expected to fail (make exits 2 when a command fails): the
    caller checks what the failure says.
    """
    command = " ".join(["make", target, *variables])
    print(f"\n==> {command}: {what}", flush=True)
    started = time.monotonic()
    result = subprocess.run(command.split(), cwd=project, env=project_env(), check=False)
    if (result.returncode != 0) != fails:
        sys.exit(f"demo failed at `{command}` (exit {result.returncode}) in {project}")
    outcome = f"failed as expected (exit {result.returncode})" if fails else "passed"
    print(f"<== {command} {outcome} in {time.monotonic() - started:.1f} s", flush=True)


def show_results(project, results):
    """List the files the steps wrote, so the reader knows what to open; fail if one is missing."""
    if results:
        print("\nWhat it produced:")
    for relative, what in results:
        path = project / relative
        if not path.exists():
            sys.exit(f"demo failed: the steps did not write {path}")
        print(f"  {path}\n      {what}")


def first_row(project):
    """The features of the dataset's first row, as a client would send them."""
    with (project / "data" / "raw" / "wine.csv").open(encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    return {name: float(value) for name, value in row.items() if name != "target"}


def show(what, answer):
    """Print one exchange with the API: what was sent, the status and the JSON answer."""
    print(f"  {what}\n      -> {answer.status} {json.dumps(answer.body)[:300]}")


def show_api(base, row):
    """Ask the served API what it serves, and send it good and bad predictions."""
    show(
        "GET /model (what is served, and the data it came from)", loopback.request(base + "/model")
    )
    show("POST /predict with the first wine", loopback.request(base + "/predict", row))
    bad = {**row, "alcohol": "a lot"}
    show(
        "POST /predict with alcohol='a lot' (refused, naming the field)",
        loopback.request(base + "/predict", bad),
    )
    show(
        "POST /predict/batch with 3 wines",
        loopback.request(base + "/predict/batch", {"rows": [row] * 3}),
    )


def serve_and_predict(project, output):
    """Start `make serve` on a free port, send good and bad requests, then stop it."""
    port = loopback.free_port()
    base = f"http://127.0.0.1:{port}"
    log = output / "serve.log"
    print(f"\n==> make serve PORT={port}: the API serving @champion, with A/B routing", flush=True)
    with loopback.running(
        ["make", "serve", f"PORT={port}"], project, project_env(), base + "/ready", log
    ):
        show_api(base, first_row(project))
    print(f"<== the API answered on {base}; its log is in {log}", flush=True)


def send_traffic(base, project, wines, what):
    """POST each wine to /predict, one request each, and say who answered and how well."""
    answers = [
        loopback.request(base + "/predict", row) for row in drift_scenario.inputs(project, wines)
    ]
    if any(answer.status != 200 for answer in answers):
        sys.exit(f"demo failed: a prediction was refused: {answers}")
    versions = sorted({answer.body["model_version"] for answer in answers})
    right = sum(answer.body["prediction"] == wine["target"] for answer, wine in zip(answers, wines))
    print(
        f"  {what}: {len(answers)} requests answered by version {', '.join(versions)}; "
        f"{right} of {len(wines)} predictions right",
        flush=True,
    )


def wait_for_log(project, count):
    """Wait until the API's prediction log holds ``count`` predictions (it writes every 0.5 s)."""
    deadline = time.monotonic() + LOG_SECONDS
    while drift_scenario.logged_predictions(project) < count:
        if time.monotonic() > deadline:
            sys.exit(f"demo failed: fewer than {count} predictions logged in {LOG_SECONDS} s")
        time.sleep(0.2)


def show_drift(project):
    """What `make monitor` found: the drifted features and where its report is."""
    verdict = json.loads((project / "reports" / "drift" / "drift.json").read_text("utf-8"))
    if not verdict["drift"]:
        sys.exit("demo failed: `make monitor` found no drift in the drifted traffic")
    print(
        f"  drift in {', '.join(verdict['drifted_features'])} (Kolmogorov-Smirnov p-value below "
        f"{verdict['threshold']:.4f} each); the report, with a plot per feature, is "
        f"{project / 'reports' / 'drift' / 'drift_report.html'}",
        flush=True,
    )


def show_metrics(base):
    """An excerpt of GET /metrics: requests, predictions per version, models, reloads, drift."""
    lines = loopback.text(base + "/metrics").splitlines()
    print("  GET /metrics (excerpt; Prometheus scrapes all of it):")
    for line in lines:
        if line.startswith(METRICS_SHOWN):
            print(f"      {line}")


def serve_monitor_and_retrain(project, output):
    """Serve, send normal then drifted traffic, find the drift, retrain, serve the new model."""
    port = loopback.free_port()
    base = f"http://127.0.0.1:{port}"
    log = output / "serve.log"
    wines = drift_scenario.read_wines(project)
    drifted = drift_scenario.shifted(wines)
    shifts = ", ".join(f"{name} +{shift:g}" for name, shift in drift_scenario.SHIFTS.items())
    print(
        f"\n==> make serve PORT={port}: the API serving @champion in the background, with "
        "/metrics, a log of every prediction and model reload without restart",
        flush=True,
    )
    with loopback.running(
        ["make", "serve", f"PORT={port}"], project, project_env(), base + "/ready", log
    ):
        show_api(base, first_row(project))
        print("\n==> traffic: normal wines, then wines from a new vineyard", flush=True)
        send_traffic(base, project, wines, "the dataset's wines")
        send_traffic(base, project, drifted, f"the same wines with {shifts}")
        wait_for_log(project, 2 * len(wines) + 4)
        run_step(
            project,
            "monitor",
            "compare the logged inputs with the training data: exit status 3 means drift",
            fails=True,
        )
        show_drift(project)
        retrain = drift_scenario.write_retrain_config(project, drifted)
        print(
            f"\nWrote {retrain}: configs/train.yaml on the dataset plus the drifted wines, "
            "labelled (a team would label fresh samples)",
            flush=True,
        )
        run_step(
            project,
            "retrain-if-drift",
            "monitor again; on drift, train on the new data and let the promotion gate decide",
            [f"CONFIG={retrain}"],
        )
        print("\n==> the API takes the new champion without a restart", flush=True)
        show(
            "POST /admin/reload (or wait for the poll: reload_interval_seconds in "
            "configs/monitor.yaml)",
            loopback.request(base + "/admin/reload", {}),
        )
        send_traffic(
            base,
            project,
            drifted,
            "the drifted wines again (version 2 learnt from about three in four of them; its "
            "held-out scores are in reports/metrics.json)",
        )
        show_metrics(base)
    print(f"<== the API answered on {base}; its log is in {log}", flush=True)


def main(argv=None):
    """Bake, then run each step of the level's pipeline in the generated project."""
    args = parse_args(argv)
    print(f"Baking a level {args.level} project into {args.output} ...", flush=True)
    project = bake(args.level, args.output.resolve())
    print(f"Generated {project}")
    commit(project)
    for target, what in demo_steps(project, args.level):
        run_step(project, target, what)
    if args.level == 3:
        serve_and_predict(project, args.output.resolve())
    elif args.level >= 4:
        serve_monitor_and_retrain(project, args.output.resolve())
    show_results(project, DEMO_RESULTS.get(args.level, []))
    print(f"\nDemo passed. The project is in {project}; try `make help` there.")


if __name__ == "__main__":
    main()
