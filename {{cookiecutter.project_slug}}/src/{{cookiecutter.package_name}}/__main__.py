"""Command line of the project: ``python -m {{ cookiecutter.package_name }} COMMAND``.

One entry point that the Makefile, the Docker image and CI all call, so every step runs the same
way on a laptop and on a server. Each command is a subcommand, and each component of the project
adds its own commands and their handlers.
"""

import argparse
{%- if cookiecutter.__serving == 'fastapi' %}
import os
{%- endif %}
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
{%- if cookiecutter.__serving == 'fastapi' %}
from typing import Any, TypeAlias
{%- elif cookiecutter.__training == 'yes' %}
from typing import TypeAlias
{%- endif %}

from .data import DEFAULT_SAMPLE, SAMPLES, load_dataset, sample_path, write_dataset
{%- if cookiecutter.__training == 'yes' %}
from .pipeline.config import DEFAULT_CONFIG_PATH, load_config
from .pipeline.errors import ConfigError, PipelineError
from .pipeline.load import provide_data
from .pipeline.run import Evaluation, TrainingResult, run_evaluation, run_training
{%- endif %}
{%- if cookiecutter.__tracking == 'mlflow' %}
from .pipeline.tracking import TrackedRun, log_training_run
{%- if cookiecutter.__serving == 'fastapi' %}, missing_local_store{% endif %}
{%- endif %}
{%- if cookiecutter.__serving == 'fastapi' %}
from .pipeline.promotion import CHAMPION_ALIAS, promote
from .serving.settings import (
    CONFIG_VARIABLE,
    DEFAULT_SERVE_CONFIG,
    LISTEN_HOST_VARIABLE,
    load_serve_config,
)
{%- endif %}
{%- if cookiecutter.__monitoring == 'yes' %}
from .monitoring.check import run_monitor
from .monitoring.settings import (
    DEFAULT_MONITOR_CONFIG,
    MONITOR_CONFIG_VARIABLE,
    load_monitor_config,
)
{%- endif %}
{%- if cookiecutter.__training == 'yes' %}

# The subcommands of the command line, to which each component adds its own.
# argparse's class for them is private, and generic only to a type checker: hence the quotes.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

# Errors the user fixes outside the code (a file that cannot be written, a config setting, bad
# data): the command line reports them in one line.
USER_ERRORS = (OSError, PipelineError)
{%- else %}

# Errors the user fixes outside the code (a folder that cannot be created, a file that cannot be
# written): the command line reports them in one line.
USER_ERRORS = (OSError,)
{%- endif %}


def run_data(args: argparse.Namespace) -> int:
    """Write a bundled sample to ``args.output`` (its own file by default) and say where."""
    sample = args.sample or DEFAULT_SAMPLE
    frame = load_dataset(sample)
    path = write_dataset(frame, args.output or sample_path(sample))
    print(f"Wrote {len(frame)} rows of the {sample} sample to {path}")
    return 0


def add_data_options(data: argparse.ArgumentParser) -> None:
    """Which bundled sample to write, and where."""
    data.add_argument(
        "--sample", choices=sorted(SAMPLES), help=f"the sample to write (default: {DEFAULT_SAMPLE})"
    )
    data.add_argument(
        "--output", type=Path, help="where to write it (default: data/raw/<sample>.csv)"
    )
{%- if cookiecutter.__training == 'yes' %}


def run_training_data(args: argparse.Namespace) -> int:
    """The data the training config names: its bundled sample written, or the user's own file
    checked to be there (an error says how to provide it). ``--sample`` or ``--output`` writes
    a sample, as at every level."""
    if args.sample is not None or args.output is not None:
        return run_data(args)
    print(provide_data(load_config(args.config).data.path))
    return 0


def describe_evaluation(evaluation: Evaluation) -> str:
    """The metrics, one per line, and where the plots went."""
    lines = [f"  {name:<18} {value:.4f}" for name, value in sorted(evaluation.metrics.items())]
    lines.append("Plots: " + ", ".join(path.as_posix() for path in evaluation.figures))
    return "\n".join(lines)


def describe_data(result: TrainingResult) -> str:
    """What the run learnt from: the task, the features by kind, and what was inferred."""
    schema = result.schema
    kinds = sorted({feature.kind for feature in schema.features})
    counts = ", ".join(f"{len(schema.of_kind(kind))} {kind}" for kind in kinds)
    lines = [
        f"Task: {schema.task} of {schema.target!r} from {len(schema.features)} features ({counts})"
    ]
    lines += [f"Note: {note}" for note in result.prepared.notes]
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
    try:
        result = run_training(config)
    except ConfigError as error:  # found once the data told the task: say which file to fix
        raise ConfigError(f"{args.config}: {error}") from error
    split = result.split
    print(describe_data(result))
    print(
        f"Trained {type(result.model.named_steps['model']).__name__} on "
        f"{len(split.train_target)} rows, evaluated on {len(split.test_target)} held-out rows:"
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
{%- endif %}
{%- if cookiecutter.__serving == 'fastapi' %}


def run_promote(args: argparse.Namespace) -> int:
    """Run the promotion gate on the held-out rows of the config, and say what it decided."""
    config = load_config(args.config)
    decision = promote(config, replace_champion=args.replace_champion)
    print(f"Promotion on {decision.metric}: {decision.explain()}")
    champion = decision.challenger_version if decision.promoted else decision.champion_version
    print(f"@{CHAMPION_ALIAS} of {config.tracking.registered_model!r} is version {champion}")
    return 0


def serve_environment(args: argparse.Namespace) -> dict[str, str]:
    """Check the configs the API reads; the environment that names them (and the address the
    server listens on) to uvicorn's workers."""
    load_serve_config(args.config)
    environment = {CONFIG_VARIABLE: str(args.config), LISTEN_HOST_VARIABLE: args.host}
{%- if cookiecutter.__monitoring == 'yes' %}
    load_monitor_config(args.monitor_config)
    environment[MONITOR_CONFIG_VARIABLE] = str(args.monitor_config)
{%- endif %}
    return environment


def run_serve(args: argparse.Namespace) -> int:
    """Check the configs, then serve the API with uvicorn until interrupted.

    uvicorn builds the app in each worker from the configs the environment names; they are
    checked here first, so a mistake gets one line instead of a traceback per worker.
    """
    # Imported here: the server is heavy to import and only this command needs it.
    import uvicorn  # pylint: disable=import-outside-toplevel

    environment = serve_environment(args)
    store = missing_local_store()
    if store is not None:
        raise PipelineError(
            f"there is no MLflow store at {store}: run `make train` and `make promote` first, "
            "or set MLFLOW_TRACKING_URI to the tracking server that holds the models"
        )
    os.environ.update(environment)
    uvicorn.run(f"{__package__}.serving.app:app_from_environment", **server_options(args))
    return 0


def server_options(args: argparse.Namespace) -> dict[str, Any]:
    """How uvicorn serves the app: where, with how many workers, and without proxy headers.

    uvicorn would otherwise take a client's address from X-Forwarded-For; the API has no use
    for a claimed address, and the admin check must see the socket's real peer.
    """
    return {
        "factory": True,
        "host": args.host,
        "port": args.port,
        "workers": args.workers,
        "access_log": args.access_log,
        "proxy_headers": False,
    }


def add_serve_options(serve: argparse.ArgumentParser) -> None:
    """The options of the serve command: its configs, and where and how uvicorn listens."""
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
{%- if cookiecutter.__training == 'yes' %}


def add_config_option(
    parser: argparse.ArgumentParser,
    default: Path = DEFAULT_CONFIG_PATH,
    what: str = "the training config",
    flag: str = "--config",
) -> None:
    """The option naming a command's config file; the training config unless told otherwise."""
    parser.add_argument(flag, type=Path, default=default, help=f"{what} (default: %(default)s)")


def add_training_commands(commands: Commands) -> None:
    """train and evaluate, and the training config's option of the data command."""
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
    add_config_option(commands.choices["data"])
    commands.choices["data"].set_defaults(handler=run_training_data)
{%- endif %}
{%- if cookiecutter.__serving == 'fastapi' %}


def add_serving_commands(commands: Commands) -> None:
    """promote and serve."""
    promote_parser = commands.add_parser(
        "promote", help="make the challenger the champion if it beats it on held-out data"
    )
    add_config_option(promote_parser)
    promote_parser.add_argument(
        "--replace-champion",
        action="store_true",
        help="promote a challenger trained on other features than the champion, uncompared",
    )
    promote_parser.set_defaults(handler=run_promote)
    serve = commands.add_parser("serve", help="serve the champion model over HTTP (FastAPI)")
    add_serve_options(serve)
{%- endif %}
{%- if cookiecutter.__monitoring == 'yes' %}


def add_monitoring_commands(commands: Commands) -> None:
    """monitor."""
    monitor = commands.add_parser(
        "monitor", help="compare the logged inputs with the training data: a drift report"
    )
    add_config_option(monitor, DEFAULT_MONITOR_CONFIG, "the monitoring config")
    monitor.set_defaults(handler=run_monitor_command)
{%- endif %}


def build_parser() -> argparse.ArgumentParser:
    """Describe the commands and their options; each command names its handler."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}",
        description="Run the steps of this project: each COMMAND is one step.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    data = commands.add_parser("data", help="write a bundled sample dataset to a CSV file")
    add_data_options(data)
    data.set_defaults(handler=run_data)
{%- if cookiecutter.__training == 'yes' %}
    add_training_commands(commands)
{%- endif %}
{%- if cookiecutter.__serving == 'fastapi' %}
    add_serving_commands(commands)
{%- endif %}
{%- if cookiecutter.__monitoring == 'yes' %}
    add_monitoring_commands(commands)
{%- endif %}
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in ``argv`` and return the process exit status.

    Errors the user fixes outside the code (``USER_ERRORS``) get a one-line message instead
    of a traceback; any other exception is a bug, and keeps its traceback.
    """
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except USER_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
