"""A user's own data, as the template's slow tests bring it to a generated project.

The bundled wine set is one example; a real user's first act is to point configs/train.yaml at
their own CSV file. These helpers write such files, with what real data has and wine has not:
a text column, a boolean column, empty cells, a numeric target for regression. They use the
standard library only, since the template's own virtualenv has no pandas.
"""

import csv
import random
from pathlib import Path

import yaml

DISTRICTS = ("north", "south", "east", "west", "centre")
ENERGY_LABELS = tuple("ABCDEFG")
# The column the regression file predicts, and the class the classification file predicts.
PRICE = "price"
EXPENSIVE = "expensive"
# The feature a config built here forbids empty cells in (the API then requires it).
REQUIRED_FEATURE = "rooms"
# A share of the cells of these columns is left empty.
GAPPY = {"size_m2": 0.05, "district": 0.04, "has_garden": 0.03}


def house(generator: random.Random) -> dict:
    """One house: numbers, a text district, a text energy label, a boolean, and its price."""
    size = round(generator.gauss(120, 40), 1)
    rooms = generator.randint(1, 6)
    district = generator.choices(DISTRICTS, weights=(30, 25, 20, 15, 10))[0]
    garden = generator.random() < 0.4
    price = 1000 * size + 15000 * rooms + 80000 * (district == "centre") + 20000 * garden
    return {
        "size_m2": size,
        REQUIRED_FEATURE: rooms,
        "district": district,
        "has_garden": garden,
        "energy_label": generator.choice(ENERGY_LABELS),
        PRICE: round(price + generator.gauss(0, 20000), 2),
    }


def houses(rows: int = 400, seed: int = 0) -> list[dict]:
    """Seeded houses with some empty cells (None) in the GAPPY columns."""
    generator = random.Random(seed)
    table = [house(generator) for _ in range(rows)]
    for column, share in GAPPY.items():
        for row in generator.sample(table, int(share * rows)):
            row[column] = None
    return table


def as_classes(table: list[dict]) -> list[dict]:
    """The same houses labelled ``yes``/``no`` by whether they cost more than the median."""
    median = sorted(row[PRICE] for row in table)[len(table) // 2]
    return [
        {**request_row(row, PRICE), EXPENSIVE: "yes" if row[PRICE] > median else "no"}
        for row in table
    ]


def write_csv(table: list[dict], path: Path) -> Path:
    """Write rows as CSV (None as an empty cell, booleans as True/False, as pandas writes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    return path


def point_config_at(project: Path, data: Path, target: str) -> dict:
    """Edit configs/train.yaml as a user does: the data file and its target; features left to
    be inferred; the required feature listed in forbid_missing. Returns the config."""
    path = project / "configs" / "train.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["data"] = {
        "path": data.relative_to(project).as_posix(),
        "target": target,
        "forbid_missing": [REQUIRED_FEATURE],
        "min_rows": 50,
    }
    config["model"]["params"] = {"n_estimators": 50, "max_depth": 8}
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return config


def request_row(row: dict, target: str) -> dict:
    """A file row as the API takes it: without the target, numbers as numbers."""
    return {name: value for name, value in row.items() if name != target}
