"""How fast the generated API serves, beside MLflow's server, a bare endpoint and the limit.

The limit is the same model scoring the same rows in process, with no HTTP.

Bakes a level 3 and a level 4 project (or reuses them), trains and promotes their model (the
project's default, a random forest of 200 trees, the same in both: training is seeded), then
serves the registered champion four ways, side by side on 127.0.0.1, one worker each:

- the generated API (``python -m <package> serve``) of level 3: async, micro-batched, A/B
  routed;
- the same API at level 4, which also counts every request in Prometheus metrics, logs every
  prediction and polls the registry for a new champion: what monitoring costs;
- ``mlflow models serve`` for ``models:/<name>@champion``, MLflow's own scoring server;
- a bare FastAPI endpoint that validates one row with pydantic and calls scikit-learn.

wrk posts one row per request to each server at each connection count (1, 16 and 64 by
default) for ``--duration`` seconds, in ``--rounds`` interleaved rounds: a round measures every
server at every connection count before the next round starts, and each round starts from the
next server. One run per figure was not to be trusted (the same API gave 343 and 790 requests/s
minutes apart); interleaved, a noisy minute of the machine touches every server, not one.

Each round also measures the limit, with no HTTP at all: the champion, loaded with
``mlflow.sklearn`` in the project's own python (``serve_limit_worker.py``), predicting the
DataFrame the API builds from the batch it forms at C connections: C rows, at most
``micro_batch_rows`` of the project's configs/serve.yaml.

It prints, per server and connection count, the median and the spread (min-max) over the rounds
of requests/s, p50 and p99 latency, throughput as a share of the limit, then the goals of issue
13 and whether each is met, all measured side by side in this one run:

- at 64 connections the level 3 API serves at least 10x the requests/s of `mlflow models serve`
  and of the bare endpoint, and at least 60% of the in-process limit;
- its p99 is at most 3x its p50;
- the level 4 API keeps at least 90% of the level 3 API's requests/s.

The figures of every wrk run, their summary and the goal verdicts go to ``serve-speed.json``,
and a plot of
throughput and p99 against connections to ``serve-speed.png``, in ``--output`` (the template's
build/benchmark-serve/ by default), beside the servers' logs. A missed goal is a finding, not a
failure: the exit status is 0. It fails when a server does not start or answers with an error
(a non-2xx response or a socket error), since the figures would then not compare.

Usage: python benchmarks/serve_speed.py [--rounds 3] [--duration 5] [--connections 1 16 64]
       [--ports START-END] [--output DIR] [--project DIR] [--monitored-project DIR]
``--ports 8100-8199`` takes the servers' ports from that range (by default the OS picks free
ones). The servers are stopped at the end, also on an error, Ctrl-C or SIGTERM. Needs wrk
(Debian: apt-get install wrk) and network access to PyPI, or uv's cache, for `make install`.
"""

import argparse
import contextlib
import csv
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml
from cookiecutter.main import cookiecutter
from matplotlib.figure import Figure
from matplotlib.ticker import ScalarFormatter

from train_scale import BUSY_SHARE, CpuClock, output_of, spread

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent
LIMIT_WORKER = Path(__file__).resolve().with_name("serve_limit_worker.py")
# scripts/ is a folder of scripts, not a package: the shared helpers are imported by path.
sys.path.insert(0, str(TEMPLATE_ROOT / "scripts"))
import loopback  # pylint: disable=wrong-import-position
from project_env import project_env  # pylint: disable=wrong-import-position

PROJECT_NAME = "Bench Wine Classifier"
GENERATED = "generated API"
MONITORED = "API + monitoring"
MLFLOW = "mlflow models serve"
BARE = "bare FastAPI"
SERVERS = (GENERATED, MONITORED, MLFLOW, BARE)
HOST = "127.0.0.1"
DEFAULT_OUTPUT = TEMPLATE_ROOT / "build" / "benchmark-serve"
WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}
WRK_TIMEOUT_SECONDS = 10
WARMUP_SECONDS = 2
# The in-process limit: seconds per measurement, and measurements per batch size and round.
LIMIT_SECONDS = 1.0
LIMIT_REPEAT = 3
# What the generated API uses when configs/serve.yaml does not set micro_batch_rows.
API_MICRO_BATCH_ROWS = 256
# The goals of issue 13, at GOAL_CONNECTIONS (or the most connections measured, if fewer).
GOAL_CONNECTIONS = 64
SPEEDUP_GOAL = 10.0
LIMIT_SHARE_GOAL = 0.6
TAIL_GOAL = 3.0
MONITORING_GOAL = 0.9
FIGURES = ("requests_per_second", "p50_ms", "p99_ms")

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
class Target:
    """A running server as wrk loads it: its name, port, URL and the script posting its body."""

    name: str
    port: int
    url: str
    script: Path
    session: int


@dataclass(frozen=True)
class LoadResult:
    """What wrk measured for one endpoint at one connection count."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    timeouts: int


@dataclass(frozen=True)
class Goal:
    """One goal of issue 13: what it asks, the figure measured, its bound, and its verdict."""

    goal: str
    value: float
    bound: float
    at_most: bool = False
    percent: bool = False

    @property
    def met(self) -> bool:
        """Whether the figure is on the right side of the bound."""
        return self.value <= self.bound if self.at_most else self.value >= self.bound

    def figure(self) -> str:
        """The measured figure as the goal states it: a share in %, or a ratio."""
        return f"{self.value:.0%}" if self.percent else f"{self.value:.2f}x"


def port_range(text: str) -> range:
    """``START-END`` (inclusive), as --ports takes it."""
    match = re.fullmatch(r"(\d+)-(\d+)", text)
    if not match or not 1 <= int(match[1]) <= int(match[2]) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port range START-END, 1-65535")
    return range(int(match[1]), int(match[2]) + 1)


def parse_args(argv):
    """Load settings: the same for every endpoint."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (%(default)s)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (5)")
    parser.add_argument(
        "--connections", type=int, nargs="+", default=[1, 16, 64], help="wrk's (1 16 64)"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads, at most one a conn")
    parser.add_argument(
        "--ports",
        type=port_range,
        metavar="START-END",
        help="serve on free ports of this range (default: free ports the OS picks)",
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="for the JSON, the PNG and the logs"
    )
    parser.add_argument("--project", type=Path, help="reuse a trained, promoted level 3 project")
    parser.add_argument(
        "--monitored-project", type=Path, help="reuse a trained, promoted level 4 project"
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration < 1 or min(args.connections) < 1:
        parser.error("--rounds, --duration and --connections must be at least 1")
    if args.ports is not None and len(args.ports) < len(SERVERS):
        parser.error(f"--ports: {len(SERVERS)} servers need at least {len(SERVERS)} ports")
    args.connections = sorted(set(args.connections))
    return args


def env_of(project):
    """The environment make and the servers run in (scripts/project_env.py), the project's venv
    first and its MLflow store named."""
    tracking = f"sqlite:///{project / 'mlflow.db'}"
    return project_env(project / ".venv" / "bin", MLFLOW_TRACKING_URI=tracking)


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
            env=env_of(project),
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


def micro_batch_rows(project):
    """The most rows the project's API predicts in one call: the batch the limit is taken at."""
    settings = yaml.safe_load((project / "configs" / "serve.yaml").read_text(encoding="utf-8"))
    return int((settings or {}).get("micro_batch_rows", API_MICRO_BATCH_ROWS))


def generated_api(name, project):
    """The project's own API, served as ``make serve`` serves it."""
    package = project.name.replace("-", "_")
    python = str(project / ".venv" / "bin" / "python")
    command = [python, "-m", package, "serve", "--host", HOST, "--port", "{port}", "--workers", "1"]
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
    mlflow_serve = ["models", "serve", "-m", f"models:/{project.name}@champion"]
    mlflow_options = ["--env-manager", "local", "-w", "1", "-h", HOST, "-p", "{port}"]
    bare_options = ["--app-dir", str(bare_dir), "--workers", "1", "--log-level", "warning"]
    bare_address = ["--host", HOST, "--port", "{port}"]
    return [
        Endpoint(
            MLFLOW,
            [python, "-m", "mlflow", *mlflow_serve, *mlflow_options],
            "/ping",
            "/invocations",
            json.dumps(mlflow_body),
            project,
        ),
        Endpoint(
            BARE,
            [python, "-m", "uvicorn", "bare_app:app", *bare_options, *bare_address],
            "/health",
            "/predict",
            json.dumps(bare_row),
            project,
        ),
    ]


def slug(name):
    """A file name for a server's name."""
    return re.sub(r"\W+", "-", name)


def wrk_script(workdir, endpoint):
    """A wrk Lua script posting the endpoint's JSON body."""
    script = workdir / f"{slug(endpoint.name)}.lua"
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


def run_wrk(target, connections, duration, threads):
    """One wrk run against ``target``; its parsed figures. wrk needs a connection per thread."""
    command = [
        "wrk",
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        # A slow server's answers are measured, not cut off at wrk's default of 2 s.
        f"--timeout={WRK_TIMEOUT_SECONDS}s",
        "--latency",
        "-s",
        str(target.script),
        target.url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def start(endpoint, stack, workdir, args):
    """Start one server on a free loopback port, until ``stack`` closes; check that it answers
    the sample row, and warm it up, so the first measured run does not pay for cold caches."""
    port = loopback.free_port(args.ports)
    command = [part.replace("{port}", str(port)) for part in endpoint.command]
    base = f"http://{HOST}:{port}"
    log = args.output / f"{slug(endpoint.name)}.log"
    project = endpoint.project
    server = stack.enter_context(
        loopback.running(command, project, env_of(project), base + endpoint.ready_path, log)
    )
    answer = loopback.request(base + endpoint.predict_path, json.loads(endpoint.body))
    if answer.status != 200:
        raise SystemExit(f"{endpoint.name} refused the sample row: {answer}")
    print(f"{endpoint.name}: ready on port {port}, answers {answer.body}", flush=True)
    script = wrk_script(workdir, endpoint)
    target = Target(endpoint.name, port, base + endpoint.predict_path, script, server.pid)
    run_wrk(target, max(args.connections), WARMUP_SECONDS, args.threads)
    return target


def measure_limit(project, row, batch_rows):
    """Rows/s of the champion predicting batches in process, per batch size (one list each)."""
    command = [
        str(project / ".venv" / "bin" / "python"),
        str(LIMIT_WORKER),
        f"models:/{project.name}@champion",
        json.dumps(row),
        "--batch-rows",
        *map(str, batch_rows),
        "--seconds",
        str(LIMIT_SECONDS),
        "--repeat",
        str(LIMIT_REPEAT),
    ]
    stdout = output_of(command, project, env_of(project), "the in-process limit")
    figures = json.loads(stdout.strip().splitlines()[-1])
    return {int(size): values for size, values in figures.items()}


def run_round(index, targets, args):
    """Every server at every connection count once, starting from server ``index``."""
    order = targets[index % len(targets) :] + targets[: index % len(targets)]
    runs = []
    for connections in args.connections:
        for target in order:
            figure = run_wrk(target, connections, args.duration, args.threads)
            print(
                f"  {target.name:<20} {connections:>3} connections: "
                f"{figure.requests_per_second:>7.0f} req/s, p99 {figure.p99_ms:.1f} ms",
                flush=True,
            )
            runs.append(
                {"round": index + 1, "server": target.name, "connections": connections}
                | asdict(figure)
            )
    return runs


def session_cpu_seconds(sessions):
    """CPU seconds used so far by the processes of ``sessions`` (each server and what it
    started) and their waited-for children: the servers' part of what /proc/stat counts."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):  # a process may end while it is read
            fields = stat.read_text(encoding="utf-8", errors="replace").rsplit(")", 1)[1].split()
            if int(fields[3]) in sessions:
                ticks += sum(int(field) for field in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def others_share(before, servers_before, sessions):
    """The share of the CPUs that processes other than this benchmark's took since ``before``:
    a busy machine, not the servers, is the usual reason one round is slower than another."""
    after, servers_after = CpuClock.now(), session_cpu_seconds(sessions)
    ours = (after.children - before.children) + (servers_after - servers_before)
    elapsed = (after.wall - before.wall) * os.cpu_count()
    return max(0.0, after.machine - before.machine - ours) / elapsed


def run_rounds(targets, project, row, batch_of, args):
    """The interleaved rounds: each measures the in-process limit, then every server; and the
    share of the CPUs other processes took during each round."""
    runs, busy = [], []
    limit = {size: [] for size in sorted(set(batch_of.values()))}
    sessions = {target.session for target in targets}
    for index in range(args.rounds):
        print(f"round {index + 1} of {args.rounds}: in-process limit, then wrk", flush=True)
        before = CpuClock.now(), session_cpu_seconds(sessions)
        for size, values in measure_limit(project, row, list(limit)).items():
            limit[size].extend(values)
        runs.extend(run_round(index, targets, args))
        busy.append(others_share(*before, sessions))
    return runs, limit, busy


def stats(values):
    """The median and the range of repeated measurements, and the measurements."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "values": values,
    }


def summarize_runs(repeated, limit_values):
    """One server at one connection count: each figure over the rounds, errors summed, and the
    median throughput as a share of the median limit at the batch the API forms there."""
    figures = {key: stats([run[key] for run in repeated]) for key in FIGURES}
    share = figures["requests_per_second"]["median"] / statistics.median(limit_values)
    return figures | {
        "share_of_limit": share,
        "errors": sum(run["errors"] for run in repeated),
        "timeouts": sum(run["timeouts"] for run in repeated),
    }


def summarize(runs, limit, batch_of):
    """The runs grouped by server and connection count, each group summarized."""
    grouped = {}
    for run in runs:
        grouped.setdefault(run["server"], {}).setdefault(run["connections"], []).append(run)
    return {
        name: {
            count: summarize_runs(repeated, limit[batch_of[count]])
            for count, repeated in by_connections.items()
        }
        for name, by_connections in grouped.items()
    }


def goals(summary, limit, batch_of, connections):
    """The goals of issue 13, each with its figure from this run (medians over the rounds)."""
    at = GOAL_CONNECTIONS if GOAL_CONNECTIONS in connections else max(connections)
    rps = {name: summary[name][at]["requests_per_second"]["median"] for name in summary}
    ours = summary[GENERATED][at]
    limit_rps = statistics.median(limit[batch_of[at]])
    return at, [
        *(
            Goal(
                f"{GENERATED} >= {SPEEDUP_GOAL:g}x {other}",
                rps[GENERATED] / rps[other],
                SPEEDUP_GOAL,
            )
            for other in (MLFLOW, BARE)
        ),
        Goal(
            f"{GENERATED} >= {LIMIT_SHARE_GOAL:.0%} of the in-process limit",
            rps[GENERATED] / limit_rps,
            LIMIT_SHARE_GOAL,
            percent=True,
        ),
        Goal(
            f"{GENERATED} p99 <= {TAIL_GOAL:g}x its p50",
            ours["p99_ms"]["median"] / ours["p50_ms"]["median"],
            TAIL_GOAL,
            at_most=True,
        ),
        Goal(
            f"{MONITORED} >= {MONITORING_GOAL:.0%} of {GENERATED}",
            rps[MONITORED] / rps[GENERATED],
            MONITORING_GOAL,
            percent=True,
        ),
    ]


def print_table(summary, connections):
    """One row per server and connection count: medians, with their range over the rounds."""
    rounds = len(next(iter(summary.values()))[connections[0]]["requests_per_second"]["values"])
    print(
        f"\nmedian (min-max) over {rounds} rounds; of limit: median req/s over the in-process "
        "rows/s at the batch the API forms at that many connections"
    )
    print(
        f"{'server':<20} {'conn':>4} {'req/s':>16} {'p50 ms':>22} {'p99 ms':>22} "
        f"{'of limit':>8} {'errors':>6} {'timeouts':>8}"
    )
    for name, by_connections in summary.items():
        for count in connections:
            row = by_connections[count]
            print(
                f"{name:<20} {count:>4} {spread(row['requests_per_second']['values'], 1, 0):>16} "
                f"{spread(row['p50_ms']['values'], 1, 1):>22} "
                f"{spread(row['p99_ms']['values'], 1, 1):>22} {row['share_of_limit']:>8.0%} "
                f"{row['errors']:>6} {row['timeouts']:>8}"
            )


def print_limit(limit):
    """The in-process limit per batch size, which the 'of limit' column divides by."""
    sizes = ", ".join(f"{size}: {spread(values, 1, 0)}" for size, values in limit.items())
    measurements = len(next(iter(limit.values())))
    print(
        f"\nin-process limit, no HTTP, rows/s by batch size (median (min-max) of {measurements} "
        f"measurements): {sizes}"
    )


def print_goals(at, verdicts):
    """Each goal with its figure and verdict: a missed goal is reported, never an error."""
    print(f"\ngoals of issue 13, at {at} connections (medians over the rounds):")
    for goal in verdicts:
        print(f"  {'met' if goal.met else 'MISSED':<6} {goal.goal}: {goal.figure()}")
    if at != GOAL_CONNECTIONS:
        print(f"  (the goals are set at {GOAL_CONNECTIONS} connections, which were not measured)")


def print_busy(busy):
    """How much of the CPUs other processes took per round: what slows one round down."""
    shares = ", ".join(f"{share:.0%}" for share in busy)
    print(f"\nother processes used {shares} of the {os.cpu_count()} CPUs in rounds 1-{len(busy)}")
    if max(busy) > BUSY_SHARE:
        print(
            "  the machine was not quiet: the servers were measured in turns, so compare them "
            "within this run, and read the absolute figures with care"
        )


def draw(axes, connections, figures, label, **style):
    """One line of medians against connections, with bars from the min to the max."""
    medians = [figure["median"] for figure in figures]
    below = [figure["median"] - figure["min"] for figure in figures]
    above = [figure["max"] - figure["median"] for figure in figures]
    axes.errorbar(
        connections, medians, yerr=[below, above], marker="o", capsize=4, label=label, **style
    )


def plot(path, summary, limit, batch_of, args):
    """Throughput and p99 against connections, one line per server, in two panels; the
    throughput panel also draws the in-process limit the shares are taken of."""
    figure = Figure(figsize=(12, 5), layout="constrained")
    throughput, tail = figure.subplots(1, 2)
    for name, by_connections in summary.items():
        for axes, key in ((throughput, "requests_per_second"), (tail, "p99_ms")):
            draw(axes, args.connections, [by_connections[c][key] for c in args.connections], name)
    limit_line = [stats(limit[batch_of[count]]) for count in args.connections]
    draw(
        throughput,
        args.connections,
        limit_line,
        "in-process limit (rows/s)",
        color="black",
        ls="--",
    )
    for axes, title in ((throughput, "throughput (requests/s)"), (tail, "p99 latency (ms)")):
        axes.set(title=title, xlabel="connections", xscale="log", yscale="log")
        axes.set_xticks(args.connections, [str(count) for count in args.connections])
        axes.tick_params(axis="x", which="minor", bottom=False, labelbottom=False)
        axes.yaxis.set_major_formatter(ScalarFormatter())
        axes.grid(True, which="both", alpha=0.3)
    throughput.legend()
    figure.suptitle(
        f"One model served four ways on {os.cpu_count()} CPUs: median of {args.rounds} "
        f"interleaved rounds of {args.duration} s, bars from min to max"
    )
    figure.savefig(path, dpi=110)


def benchmark(workdir, args):
    """Prepare the projects, start the four servers, run the rounds, stop the servers; every
    measured figure, with what it was measured on."""
    project = args.project.resolve() if args.project else prepare_project(workdir, 3)
    monitored = (
        args.monitored_project.resolve() if args.monitored_project else prepare_project(workdir, 4)
    )
    row = sample_row(project)
    batch_of = {count: min(count, micro_batch_rows(project)) for count in args.connections}
    servers = [
        generated_api(GENERATED, project),
        generated_api(MONITORED, monitored),
        *endpoints(project, workdir, row),
    ]
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        targets = [start(endpoint, stack, workdir, args) for endpoint in servers]
        runs, limit, busy = run_rounds(targets, project, row, batch_of, args)
    print("servers stopped", flush=True)
    return {
        "settings": {
            "rounds": args.rounds,
            "duration_seconds": args.duration,
            "connections": args.connections,
            "wrk_threads": args.threads,
            "micro_batch_rows": micro_batch_rows(project),
            "cpus": os.cpu_count(),
            "seconds": round(time.monotonic() - started, 1),
        },
        "ports": {target.name: target.port for target in targets},
        "batch_rows_at_connections": batch_of,
        "limit_rows_per_second": limit,
        "other_processes_cpu_share_per_round": busy,
        "runs": runs,
    }


def stop_on_sigterm(signum, _frame):
    """Leave as on Ctrl-C, through every ``finally``, so no server outlives the benchmark."""
    raise SystemExit(128 + signum)


def report(measured, args):
    """Print the figures, the limit, the goals and how busy the machine was; write the JSON
    and the plot. Fail only when a server did not answer every request."""
    limit, batch_of = measured["limit_rows_per_second"], measured["batch_rows_at_connections"]
    summary = summarize(measured["runs"], limit, batch_of)
    at, verdicts = goals(summary, limit, batch_of, args.connections)
    print_table(summary, args.connections)
    print_limit(limit)
    print_goals(at, verdicts)
    print_busy(measured["other_processes_cpu_share_per_round"])
    measured |= {
        "limit_rows_per_second": {size: stats(values) for size, values in limit.items()},
        "summary": summary,
        "goals_at_connections": at,
        "goals": [asdict(goal) | {"figure": goal.figure(), "met": goal.met} for goal in verdicts],
    }
    document, picture = args.output / "serve-speed.json", args.output / "serve-speed.png"
    document.write_text(json.dumps(measured, indent=2) + "\n", encoding="utf-8")
    plot(picture, summary, limit, batch_of, args)
    print(f"\nfigures in {document}, plot in {picture}")
    if any(run["errors"] for run in measured["runs"]):
        raise SystemExit("some requests failed: the figures above are not comparable")
    if any(run["timeouts"] for run in measured["runs"]):
        print(
            f"Timeouts are requests unanswered after {WRK_TIMEOUT_SECONDS} s: the server "
            "is overloaded at that concurrency (they count against its requests/s)."
        )


def main(argv=None):
    """Measure in a scratch folder, then report; every server is stopped on any way out."""
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian/Ubuntu)")
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    args.output = args.output.resolve()
    args.output.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="serve-speed-") as scratch:
            measured = benchmark(Path(scratch), args)
    except KeyboardInterrupt:
        raise SystemExit("interrupted: every server was stopped") from None
    except RuntimeError as error:  # from loopback: a server did not start, or no port was free
        raise SystemExit(f"{error} (every server was stopped)") from None
    report(measured, args)


if __name__ == "__main__":
    main()
