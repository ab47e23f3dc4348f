"""Command line of the project: ``python -m {{ cookiecutter.package_name }} COMMAND``.

One entry point that the Makefile, the Docker image and CI all call, so every step runs the same
way on a laptop and on a server. Each command is a subcommand, so later steps (training,
evaluation, serving) join the same interface.
"""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .data import RAW_DATA_PATH, load_dataset, write_dataset


def run_data(args: argparse.Namespace) -> int:
    """Write the bundled dataset to ``args.output`` and say where it went."""
    frame = load_dataset()
    path = write_dataset(frame, args.output)
    print(f"Wrote {len(frame)} rows to {path}")
    return 0


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in ``argv`` and return the process exit status.

    File-system errors (a folder that cannot be created, a file that cannot be written) are
    the user's to fix, so they get a one-line message instead of a traceback.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
