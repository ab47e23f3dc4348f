"""The serving limit: how many rows/s the champion scores in process, with no HTTP at all.

``serve_speed.py`` runs this in a generated project's virtualenv, where mlflow, pandas and
scikit-learn are installed (the template's own virtualenv has none of them). It loads the
registered champion as the API does, with ``mlflow.sklearn``, then for each batch size builds
the frame the API's micro-batcher builds from that many queued rows (all-numeric rows become a
float ``DataFrame`` at once, as ``serving.registry.rows_frame`` does) and predicts it, again
and again for ``--seconds``; frame and predict are timed together, since the API pays for
both on every batch. Batch sizes take turns within each repetition, so a noisy moment of the
machine touches all of them alike.

It prints one JSON document on its last line of stdout: for each batch size, the rows/s of
each repetition.
"""

# pylint: disable=import-error  # mlflow and pandas live in the project's virtualenv only

import argparse
import json
import time

import mlflow.sklearn
import pandas as pd


def parse_args():
    """What to load, which row to score, in which batch sizes, how long and how often."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_uri", help="for example models:/bench-wine-classifier@champion")
    parser.add_argument("row", help="one row as a JSON object, in the model's feature order")
    parser.add_argument("--batch-rows", type=int, nargs="+", required=True)
    parser.add_argument("--seconds", type=float, default=1.0, help="per measurement")
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


def rows_per_second(model, row: dict, batch_rows: int, seconds: float) -> float:
    """Score batches of ``batch_rows`` copies of ``row`` for ``seconds``: rows scored per second.

    The batch is rebuilt from rows every time, because the API builds a new frame per batch.
    """
    rows = [list(row.values())] * batch_rows
    columns = list(row)
    batches = 0
    start = time.perf_counter()
    while True:  # at least once, so ``seconds=0`` is one warm-up batch
        model.predict(pd.DataFrame(rows, columns=columns, dtype=float)).tolist()
        batches += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return batches * batch_rows / elapsed


def main() -> None:
    """Load the champion, warm each batch size up once, then measure them in turns."""
    args = parse_args()
    model = mlflow.sklearn.load_model(args.model_uri)
    row = json.loads(args.row)
    for size in args.batch_rows:
        rows_per_second(model, row, size, 0.0)
    figures = {size: [] for size in args.batch_rows}
    for _ in range(args.repeat):
        for size in args.batch_rows:
            figures[size].append(rows_per_second(model, row, size, args.seconds))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
