"""Bake a project non-interactively and run its own pipeline, step by step.

This is the README's first quick-start command (``make demo``): it shows what a team
gets at a maturity level by generating a project and running the same make targets a
person would, printing what each step does and how long it took.
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import loopback
from cookiecutter.main import cookiecutter

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent

# What the demo runs at each level, in order, with what each step shows.
DEMO_STEPS = {
    0: [
        ("install", "create .venv and install the pinned requirements"),
        ("data", "write the wine dataset bundled with scikit-learn to data/raw"),
    ],
    1: [
        ("install", "create .venv and install the pinned requirements and dev tools"),
        ("data", "write the wine dataset bundled with scikit-learn to data/raw"),
        ("lint", "black --check and pylint (10.00/10 expected)"),
        ("test", "run the generated project's own pytest suite"),
    ],
    2: [
        ("install", "create .venv with the pinned requirements (MLflow among them) and dev tools"),
        ("data", "write the wine dataset bundled with scikit-learn to data/raw"),
        ("lint", "black --check and pylint (10.00/10 expected)"),
        (
            "test",
            "run the project's pytest suite: each pipeline step, the refusal of bad data, "
            "an end-to-end training and the MLflow records",
        ),
        (
            "train",
            "validate the data, train and evaluate the model configs/train.yaml describes, "
            "and record the run in MLflow with the model registered as @challenger",
        ),
    ],
}
DEMO_STEPS[3] = DEMO_STEPS[2] + [
    (
        "promote",
        "the promotion gate: score @challenger and @champion on the same held-out rows and "
        "move @champion only when the challenger is better (the first model always is)",
    ),
]

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


def parse_args(argv):
    """Level and output directory; defaults give the richest level implemented."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", type=int, choices=sorted(DEMO_STEPS), default=max(DEMO_STEPS))
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


def step_env():
    """The environment of every step: this interpreter's bin folder (and uv) first on PATH."""
    return dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


def run_step(project, target, what):
    """Run one make target of the generated project; stop the demo if it fails."""
    print(f"\n==> make {target}: {what}", flush=True)
    started = time.monotonic()
    result = subprocess.run(["make", target], cwd=project, env=step_env(), check=False)
    if result.returncode != 0:
        sys.exit(f"demo failed at `make {target}` (exit {result.returncode}) in {project}")
    print(f"<== make {target} passed in {time.monotonic() - started:.1f} s", flush=True)


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


def serve_and_predict(project, output):
    """Start `make serve` on a free port, send good and bad requests, then stop it."""
    port = loopback.free_port()
    base = f"http://127.0.0.1:{port}"
    log = output / "serve.log"
    print(f"\n==> make serve PORT={port}: the API serving @champion, with A/B routing", flush=True)
    row = first_row(project)
    with loopback.running(
        ["make", "serve", f"PORT={port}"], project, step_env(), base + "/ready", log
    ):
        show(
            "GET /model (what is served, and the data it came from)",
            loopback.request(base + "/model"),
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
    print(f"<== the API answered on {base}; its log is in {log}", flush=True)


def main(argv=None):
    """Bake, then run each step of the level's pipeline in the generated project."""
    args = parse_args(argv)
    print(f"Baking a level {args.level} project into {args.output} ...", flush=True)
    project = bake(args.level, args.output.resolve())
    print(f"Generated {project}")
    for target, what in DEMO_STEPS[args.level]:
        run_step(project, target, what)
    if args.level >= 3:
        serve_and_predict(project, args.output.resolve())
    show_results(project, DEMO_RESULTS.get(args.level, []))
    print(f"\nDemo passed. The project is in {project}; try `make help` there.")


if __name__ == "__main__":
    main()
