"""How fast the generated API serves, next to `mlflow models serve` and a bare FastAPI endpoint.

Bakes a level 3 and a level 4 project (or reuses them), trains and promotes their model (the
project's default, a random forest of 200 trees, the same in both: training is seeded), then
serves the registered champion four ways on loopback, one worker each, and loads each with wrk
for the same time at the same connection counts:

- the generated API (``python -m <package> serve``) of level 3: async, micro-batched, A/B
  routed;
- the same API at level 4, which also counts every request in Prometheus metrics, logs every
  prediction and polls the registry for a new champion: what monitoring costs;
- ``mlflow models serve`` for ``models:/<name>@champion``, MLflow's own scoring server;
- a bare FastAPI endpoint that validates one row with pydantic and calls scikit-learn.

It prints requests/s, p50 and p99 per endpoint and the generated API's ratios. It prints
figures and fails only when a server does not start or answers with errors: the machine's
noise decides the last digit, so a threshold would flake. The targets: at least 3x `mlflow
models serve` and 2x the bare endpoint at 64 connections, with a lower p99 (issue 5), and
monitoring that does not slow requests noticeably (issue 6).

Usage: python benchmarks/serve_speed.py [--duration 8] [--connections 16 64]
       [--project DIR] [--monitored-project DIR]
Needs wrk (Debian: apt-get install wrk) and network access to PyPI for `make install`.
"""

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
# scripts/ is a folder of scripts, not a package: the shared server helpers are imported by path.
sys.path.insert(0, str(TEMPLATE_ROOT / "scripts"))
import loopback  # pylint: disable=wrong-import-position

PROJECT_NAME = "Bench Wine Classifier"
GENERATED = "generated API"
MONITORED = "API + monitoring"
WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}
WRK_TIMEOUT_SECONDS = 10

# A bare endpoint, as a tutorial would write it: a sync route, one pydantic model, one predict
# per request. It loads the same registered champion as the other two servers.
BARE_APP = """
import mlflow.sklearn
import pandas as pd
from fastapi import FastAPI
from pydantic import create_model

COLUMNS = {columns!r}
MODEL = mlflow.sklearn.load_model("models:/{model_name}@champion")
Row = create_model("Row", **{{f"f{{i}}": (float, ...) for i in range(len(COLUMNS))}})
FIELDS = {{column: f"f{{i}}" for i, column in enumerate(COLUMNS)}}
app = FastAPI()


@app.get("/health")
def health():
    return {{"status": "ok"}}


@app.post("/predict")
def predict(row: Row):
    values = row.model_dump()
    frame = pd.DataFrame([[values[FIELDS[column]] for column in COLUMNS]], columns=COLUMNS)
    return {{"prediction": int(MODEL.predict(frame)[0])}}
"""


@dataclass(frozen=True)
class Endpoint:
    """One way of serving the champion: how to start it, where it is ready, what to post."""

    name: str
    command: list[str]
    ready_path: str
    predict_path: str
    body: str
    project: Path


@dataclass(frozen=True)
class LoadResult:
    """What wrk measured for one endpoint at one connection count."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    timeouts: int


def parse_args(argv):
    """Load settings: the same for every endpoint."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per load run")
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--project", type=Path, help="reuse a trained, promoted level 3 project")
    parser.add_argument(
        "--monitored-project", type=Path, help="reuse a trained, promoted level 4 project"
    )
    return parser.parse_args(argv)


def project_env(project):
    """The environment make and the servers run in: the project's venv and uv on PATH."""
    path = os.pathsep.join([str(project / ".venv" / "bin"), str(Path(sys.executable).parent)])
    return dict(
        os.environ,
        PATH=f"{path}{os.pathsep}{os.environ['PATH']}",
        MLFLOW_DISABLE_TELEMETRY="true",
        MLFLOW_TRACKING_URI=f"sqlite:///{project / 'mlflow.db'}",
    )


def prepare_project(workdir, level):
    """Bake a project of ``level`` for this interpreter, then install, train and promote it."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    extra = {"project_name": PROJECT_NAME, "maturity_level": str(level), "python_version": python}
    output = workdir / f"level-{level}"
    project = Path(
        cookiecutter(str(TEMPLATE_ROOT), no_input=True, extra_context=extra, output_dir=str(output))
    )
    for target in ("install", "train", "promote"):
        print(f"level {level}: make {target} ...", flush=True)
        subprocess.run(
            ["make", target],
            cwd=project,
            env=project_env(project),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return project


def sample_row(project):
    """The first row of the bundled dataset, features only, as the models were trained on."""
    with (project / "data" / "raw" / "wine.csv").open(encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    row.pop("target")
    return {column: float(value) for column, value in row.items()}


def generated_api(name, project):
    """The project's own API, served as ``make serve`` serves it."""
    package = project.name.replace("-", "_")
    python = str(project / ".venv" / "bin" / "python")
    command = [python, "-m", package, "serve", "--port", "{port}", "--workers", "1"]
    row = json.dumps(sample_row(project))
    return Endpoint(name, command, "/ready", "/predict", row, project)


def endpoints(project, workdir, row):
    """MLflow's server and the bare endpoint, each on its own port, serving the same champion."""
    python = str(project / ".venv" / "bin" / "python")
    columns = list(row)
    bare_dir = workdir / "bare"
    bare_dir.mkdir(exist_ok=True)
    (bare_dir / "bare_app.py").write_text(
        BARE_APP.format(columns=columns, model_name=project.name), encoding="utf-8"
    )
    bare_row = {f"f{index}": value for index, value in enumerate(row.values())}
    mlflow_body = {"dataframe_split": {"columns": columns, "data": [list(row.values())]}}
    return [
        Endpoint(
            "mlflow models serve",
            [
                python,
                "-m",
                "mlflow",
                "models",
                "serve",
                "-m",
                f"models:/{project.name}@champion",
                "--env-manager",
                "local",
                "-w",
                "1",
                "-h",
                "127.0.0.1",
                "-p",
                "{port}",
            ],
            "/ping",
            "/invocations",
            json.dumps(mlflow_body),
            project,
        ),
        Endpoint(
            "bare FastAPI",
            [
                python,
                "-m",
                "uvicorn",
                "bare_app:app",
                "--app-dir",
                str(bare_dir),
                "--workers",
                "1",
                "--port",
                "{port}",
                "--log-level",
                "warning",
            ],
            "/health",
            "/predict",
            json.dumps(bare_row),
            project,
        ),
    ]


def wrk_script(workdir, endpoint):
    """A wrk Lua script posting the endpoint's JSON body."""
    script = workdir / (re.sub(r"\W+", "-", endpoint.name) + ".lua")
    script.write_text(
        textwrap.dedent(f"""\
            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"
            wrk.body = [==[{endpoint.body}]==]
            """),
        encoding="utf-8",
    )
    return script


def to_ms(text):
    """A wrk duration such as ``812.00us``, ``3.21ms`` or ``1.02s``, in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * WRK_UNITS[unit]


def parse_wrk(output):
    """Requests/s, p50, p99 and error responses from wrk's --latency report."""
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    connect, read, write, timeouts = map(int, socket.groups()) if socket else (0, 0, 0, 0)
    return LoadResult(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=to_ms(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1)),
        p99_ms=to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1)),
        errors=(int(failed.group(1)) if failed else 0) + connect + read + write,
        timeouts=timeouts,
    )


def run_wrk(url, script, connections, duration, threads):
    """One wrk run against ``url``; its parsed figures."""
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        # A slow server's answers are measured, not cut off at wrk's default of 2 s.
        f"--timeout={WRK_TIMEOUT_SECONDS}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def measure(endpoint, workdir, args):
    """Start one server, check one prediction, warm it up, then load it at each connection count."""
    port = loopback.free_port()
    command = [part.replace("{port}", str(port)) for part in endpoint.command]
    base = f"http://127.0.0.1:{port}"
    log = workdir / (re.sub(r"\W+", "-", endpoint.name) + ".log")
    project = endpoint.project
    with loopback.running(command, project, project_env(project), base + endpoint.ready_path, log):
        answer = loopback.request(base + endpoint.predict_path, json.loads(endpoint.body))
        if answer.status != 200:
            raise SystemExit(f"{endpoint.name} refused the sample row: {answer}")
        print(f"{endpoint.name}: ready on port {port}, answers {answer.body}", flush=True)
        script = wrk_script(workdir, endpoint)
        url = base + endpoint.predict_path
        run_wrk(url, script, max(args.connections), 2, args.threads)
        return {
            connections: run_wrk(url, script, connections, args.duration, args.threads)
            for connections in args.connections
        }


def print_table(results, connections):
    """One row per endpoint and connection count, then the generated API's ratios."""
    print(
        f"\n{'endpoint':<22} {'conn':>5} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7} "
        f"{'timeouts':>9}"
    )
    for name, by_connections in results.items():
        for count in connections:
            figure = by_connections[count]
            print(
                f"{name:<22} {count:>5} {figure.requests_per_second:>9.0f} "
                f"{figure.p50_ms:>9.2f} {figure.p99_ms:>9.2f} {figure.errors:>7} "
                f"{figure.timeouts:>9}"
            )
    ours = results[GENERATED]
    print()
    for name, by_connections in results.items():
        if name == GENERATED:
            continue
        for count in connections:
            speedup = ours[count].requests_per_second / by_connections[count].requests_per_second
            p99 = ours[count].p99_ms / by_connections[count].p99_ms
            print(
                f"generated API vs {name} at {count} connections: {speedup:.1f}x the "
                f"requests/s, {p99:.2f}x the p99"
            )


def main(argv=None):
    """Prepare the projects, measure the four endpoints, print the figures."""
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian/Ubuntu)")
    with tempfile.TemporaryDirectory(prefix="serve-speed-") as scratch:
        workdir = Path(scratch)
        project = args.project.resolve() if args.project else prepare_project(workdir, 3)
        monitored = (
            args.monitored_project.resolve()
            if args.monitored_project
            else prepare_project(workdir, 4)
        )
        servers = [
            generated_api(GENERATED, project),
            generated_api(MONITORED, monitored),
            *endpoints(project, workdir, sample_row(project)),
        ]
        results = {endpoint.name: measure(endpoint, workdir, args) for endpoint in servers}
        print_table(results, args.connections)
        if any(figure.errors for by_conn in results.values() for figure in by_conn.values()):
            raise SystemExit("some requests failed: the figures above are not comparable")
        if any(figure.timeouts for by_conn in results.values() for figure in by_conn.values()):
            print(
                f"Timeouts are requests unanswered after {WRK_TIMEOUT_SECONDS} s: the server "
                "is overloaded at that concurrency (they count against its requests/s)."
            )


if __name__ == "__main__":
    main()
