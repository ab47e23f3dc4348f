"""The drift scenario of level 4: drifted wines, the data to retrain on, the prediction log.

Drift is what level 4 watches for: served inputs that no longer look like the training data.
The demo and the monitoring test both play the same realistic case of it, so both take it from
here: the wines of the project's own dataset with four features shifted by about one and a half
standard deviations each (a new vineyard, say), keeping each wine's true class. Sent through
the API, they make ``make monitor`` find drift; added with their labels to the bundled data,
they give ``make retrain-if-drift`` a model that the promotion gate prefers, since the old
champion, which never saw such wines, is less sure of them.
"""

import csv
from pathlib import Path

import yaml

# Feature -> what is added to it: about 1.5 standard deviations of the wine dataset each.
SHIFTS = {"alcohol": 1.2, "flavanoids": 1.5, "color_intensity": 3.5, "proline": 470.0}
RETRAIN_DATA = Path("data") / "raw" / "wine_with_drifted.csv"
RETRAIN_CONFIG = Path("configs") / "retrain.yaml"
# prediction_log.directory of the generated configs/monitor.yaml.
PREDICTION_LOG = Path("predictions")


def training_config(project: Path) -> dict:
    """The project's configs/train.yaml, parsed."""
    return yaml.safe_load((project / "configs" / "train.yaml").read_text(encoding="utf-8"))


def read_wines(project: Path) -> list[dict[str, float]]:
    """Every row of the training data, with the target, as numbers (`make data` writes it)."""
    config = training_config(project)
    columns = [*config["data"]["features"], config["data"]["target"]]
    with (project / config["data"]["path"]).open(encoding="utf-8", newline="") as stream:
        return [{name: float(row[name]) for name in columns} for row in csv.DictReader(stream)]


def shifted(wines: list[dict[str, float]]) -> list[dict[str, float]]:
    """The same wines with the SHIFTS added: a drifted population, true labels kept."""
    return [{name: value + SHIFTS.get(name, 0.0) for name, value in wine.items()} for wine in wines]


def inputs(project: Path, wines: list[dict[str, float]]) -> list[dict[str, float]]:
    """The wines as /predict takes them: the configured features, without the target."""
    features = training_config(project)["data"]["features"]
    return [{name: wine[name] for name in features} for wine in wines]


def write_retrain_config(project: Path, drifted: list[dict[str, float]]) -> Path:
    """Write the training data plus the labelled drifted wines, and a config training on it.

    The config is configs/train.yaml with only ``data.path`` changed, so the new model differs
    from the champion by what it learnt from, and the gate compares both on held-out rows of
    the new data. Returns the config's path, relative to the project (what CONFIG= takes).
    """
    config = training_config(project)
    target = config["data"]["target"]
    wines = read_wines(project) + drifted
    columns = [*config["data"]["features"], target]
    with (project / RETRAIN_DATA).open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns)
        writer.writeheader()
        writer.writerows({**wine, target: int(wine[target])} for wine in wines)
    config["data"]["path"] = RETRAIN_DATA.as_posix()
    text = yaml.safe_dump(config, sort_keys=False)
    (project / RETRAIN_CONFIG).write_text(text, encoding="utf-8")
    return RETRAIN_CONFIG


def logged_predictions(project: Path, log_dir: Path | str = PREDICTION_LOG) -> int:
    """How many predictions the API has logged: the lines of every host's JSON-lines files.

    The API writes its log in the background, a moment after it answers, and ``make monitor``
    reads only what is written: callers wait for this count before checking drift.
    """
    files = (project / log_dir).glob("*/predictions.jsonl*")
    return sum(path.read_bytes().count(b"\n") for path in files)
