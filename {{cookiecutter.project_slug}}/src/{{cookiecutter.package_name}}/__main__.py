"""Command line of the project: ``python -m {{ cookiecutter.package_name }} COMMAND``.

One entry point that the Makefile, the Docker image and CI all call, so every step runs the same
way on a laptop and on a server. Each command is a subcommand, so later steps (training,
evaluation, serving) join the same interface.
"""

import argparse
{%- if cookiecutter.__serving == 'fastapi' %}
import os
{%- endif %}
import sys
from collections.abc import Sequence
from pathlib import Path

from .data import RAW_DATA_PATH, load_dataset, write_dataset
{%- if cookiecutter.__training == 'yes' %}
from .pipeline.config import DEFAULT_CONFIG_PATH, load_config
from .pipeline.errors import PipelineError
from .pipeline.run import Evaluation, run_evaluation, run_training
{%- endif %}
{%- if cookiecutter.__tracking == 'mlflow' %}
from .pipeline.tracking import TrackedRun, log_training_run
{%- if cookiecutter.__serving == 'fastapi' %}, missing_local_store{% endif %}
{%- endif %}
{%- if cookiecutter.__serving == 'fastapi' %}
from .pipeline.promotion import CHAMPION_ALIAS, promote
from .serving.settings import DEFAULT_SERVE_CONFIG, load_serve_config
{%- endif %}
{%- if cookiecutter.__monitoring == 'yes' %}
from .monitoring.check import run_monitor
from .monitoring.settings import DEFAULT_MONITOR_CONFIG, load_monitor_config
{%- endif %}
{%- if cookiecutter.__training == 'yes' %}

# Errors the user fixes outside the code (a file that cannot be written, a config setting, bad
# data): the command line reports them in one line.
USER_ERRORS = (OSError, PipelineError)
{%- else %}

# Errors the user fixes outside the code (a folder that cannot be created, a file that cannot be
# written): the command line reports them in one line.
USER_ERRORS = (OSError,)
{%- endif %}


def run_data(args: argparse.Namespace) -> int:
    """Write the bundled dataset to ``args.output`` and say where it went."""
    frame = load_dataset()
    path = write_dataset(frame, args.output)
    print(f"Wrote {len(frame)} rows to {path}")
    return 0
{%- if cookiecutter.__training == 'yes' %}


def describe_evaluation(evaluation: Evaluation) -> str:
    """The metrics, one per line, and where the metrics file and the plots went."""
    lines = [f"  {name:<18} {value:.4f}" for name, value in sorted(evaluation.metrics.items())]
    lines.append("Plots: " + ", ".join(path.as_posix() for path in evaluation.figures))
    return "\n".join(lines)
{%- if cookiecutter.__tracking == 'mlflow' %}


def describe_tracking(tracked: TrackedRun) -> str:
    """Where the run was recorded, and which model version is now the challenger."""
    return (
        f"MLflow: run {tracked.run_id} in experiment {tracked.experiment!r} at "
        f"{tracked.tracking_uri}\n"
        f"Registered {tracked.model_name!r} version {tracked.model_version} as @challenger"
    )
{%- endif %}


def run_train(args: argparse.Namespace) -> int:
    """Run the whole pipeline on the config in ``args.config`` and report what it wrote."""
    config = load_config(args.config)
    result = run_training(config)
    split = result.split
    print(
        f"Trained {config.model.kind} on {len(split.train_target)} rows, "
        f"evaluated on {len(split.test_target)} held-out rows:"
    )
    print(describe_evaluation(result.evaluation))
    print(f"Model: {config.outputs.model} (lineage in {config.outputs.lineage})")
    print(f"Metrics: {config.outputs.metrics}")
{%- if cookiecutter.__tracking == 'mlflow' %}
    print(describe_tracking(log_training_run(result)))
{%- endif %}
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    """Evaluate the saved model again on the held-out rows and report the metrics."""
    config = load_config(args.config)
    evaluation = run_evaluation(config)
    print(f"Evaluated {config.outputs.model} on the held-out rows of {config.data.path}:")
    print(describe_evaluation(evaluation))
    print(f"Metrics: {config.outputs.metrics}")
    return 0


{%- if cookiecutter.__serving == 'fastapi' %}


def run_promote(args: argparse.Namespace) -> int:
    """Run the promotion gate on the held-out rows of the config, and say what it decided."""
    config = load_config(args.config)
    decision = promote(config)
    print(f"Promotion on {config.promotion.metric}: {decision.explain()}")
    champion = decision.challenger_version if decision.promoted else decision.champion_version
    print(f"@{CHAMPION_ALIAS} of {config.tracking.registered_model!r} is version {champion}")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    """Check the serving config, then serve the API with uvicorn until interrupted.

    uvicorn builds the app in each worker from the config that ``SERVE_CONFIG`` names; it is
    checked here first, so a mistake gets one line instead of a traceback per worker.
    """
    # Imported here: the server is heavy to import and only this command needs it.
    import uvicorn  # pylint: disable=import-outside-toplevel
{%- if cookiecutter.__monitoring == 'yes' %}

    # pylint: disable-next=import-outside-toplevel
    from .serving.app import CONFIG_VARIABLE, MONITOR_CONFIG_VARIABLE

    load_serve_config(args.config)
    load_monitor_config(args.monitor_config)
{%- else %}
    from .serving.app import CONFIG_VARIABLE  # pylint: disable=import-outside-toplevel

    load_serve_config(args.config)
{%- endif %}
    store = missing_local_store()
    if store is not None:
        raise PipelineError(
            f"there is no MLflow store at {store}: run `make train` and `make promote` first, "
            "or set MLFLOW_TRACKING_URI to the tracking server that holds the models"
        )
    os.environ[CONFIG_VARIABLE] = str(args.config)
{%- if cookiecutter.__monitoring == 'yes' %}
    os.environ[MONITOR_CONFIG_VARIABLE] = str(args.monitor_config)
{%- endif %}
    uvicorn.run(
        f"{__package__}.serving.app:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=args.access_log,
    )
    return 0


def add_serve_options(serve: argparse.ArgumentParser) -> None:
    """The options of the serve command: its config, and where and how uvicorn listens."""
    add_config_option(serve, DEFAULT_SERVE_CONFIG, "the serving config")
{%- if cookiecutter.__monitoring == 'yes' %}
    add_config_option(
        serve,
        DEFAULT_MONITOR_CONFIG,
        "the monitoring config: prediction log, model reload",
        flag="--monitor-config",
    )
{%- endif %}
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (%(default)s)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (%(default)s)")
    serve.add_argument(
        "--access-log", action="store_true", help="log every request (costs throughput)"
    )
    serve.set_defaults(handler=run_serve)
{%- endif %}
{%- if cookiecutter.__monitoring == 'yes' %}


def run_monitor_command(args: argparse.Namespace) -> int:
    """Check the newest logged inputs for drift; the exit status is the verdict.

    0 no drift, 3 drift, 4 too few logged predictions to judge: a scheduled job acts on the
    status without reading the report.
    """
    outcome = run_monitor(load_monitor_config(args.config))
    print(outcome.message)
    if outcome.report is not None:
        print(f"Report: {outcome.report} (verdict in {outcome.report.with_name('drift.json')})")
    return outcome.status
{%- endif %}


def add_config_option(
    parser: argparse.ArgumentParser,
    default: Path = DEFAULT_CONFIG_PATH,
    what: str = "the training config",
    flag: str = "--config",
) -> None:
    """The option naming a command's config file; the training config unless told otherwise."""
    parser.add_argument(flag, type=Path, default=default, help=f"{what} (default: %(default)s)")
{%- endif %}


def build_parser() -> argparse.ArgumentParser:
    """Describe the commands and their options; each command names its handler."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}",
        description="Run the steps of this project: each COMMAND is one step.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    data = commands.add_parser("data", help="write the bundled wine dataset to a CSV file")
    data.add_argument(
        "--output",
        type=Path,
        default=RAW_DATA_PATH,
        help="where to write the CSV file (default: %(default)s)",
    )
    data.set_defaults(handler=run_data)
{%- if cookiecutter.__training == 'yes' %}
    train = commands.add_parser(
        "train", help="run the training pipeline: model, metrics and plots from the config"
    )
    add_config_option(train)
    train.set_defaults(handler=run_train)
    evaluate = commands.add_parser(
        "evaluate", help="evaluate the saved model again and rewrite its metrics and plots"
    )
    add_config_option(evaluate)
    evaluate.set_defaults(handler=run_evaluate)
{%- endif %}
{%- if cookiecutter.__serving == 'fastapi' %}
    promote_parser = commands.add_parser(
        "promote", help="make the challenger the champion if it beats it on held-out data"
    )
    add_config_option(promote_parser)
    promote_parser.set_defaults(handler=run_promote)
    serve = commands.add_parser("serve", help="serve the champion model over HTTP (FastAPI)")
    add_serve_options(serve)
{%- endif %}
{%- if cookiecutter.__monitoring == 'yes' %}
    monitor = commands.add_parser(
        "monitor", help="compare the logged inputs with the training data: a drift report"
    )
    add_config_option(monitor, DEFAULT_MONITOR_CONFIG, "the monitoring config")
    monitor.set_defaults(handler=run_monitor_command)
{%- endif %}
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in ``argv`` and return the process exit status.

    Errors the user fixes outside the code (``USER_ERRORS``) get a one-line message instead
    of a traceback; any other exception is a bug, and keeps its traceback.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except USER_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
