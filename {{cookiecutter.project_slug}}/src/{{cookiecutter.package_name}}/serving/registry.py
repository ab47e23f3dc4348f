"""The models the API serves, loaded from the MLflow registry by alias.

The champion is the version ``make promote`` chose; the challenger is the latest trained one.
Each is loaded as the scikit-learn pipeline it was logged as (not the generic pyfunc wrapper,
which checks and converts every input again), by its version number, so the version the API
reports is the version it runs even if an alias moves while it loads. Its data schema, logged
with it, says what a request must send; a version whose features are not the ones the training
config declares is refused when it loads, with a message saying which differ.
"""

import asyncio
import logging
import warnings
from dataclasses import dataclass, field
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from ..pipeline.errors import ConfigError
from ..pipeline.promotion import CHAMPION_ALIAS, alias_version, same_inputs
from ..pipeline.schema import DataSchema, Kind
from ..pipeline.tracking import (
    CHALLENGER_ALIAS,
    load_registered_model,
    registered_schema,
    tracking_uri,
    version_run_id,
)
from .batching import MicroBatcher, Rows
from .routing import CHALLENGER, CHAMPION
from .settings import ServeSettings

LOGGER = logging.getLogger(__name__)
# A category never seen in training is answered (its one-hot columns are all 0); scikit-learn
# may warn about it on every request, which would flood the log with an expected event.
warnings.filterwarnings("ignore", message="Found unknown categories", category=UserWarning)


def rows_frame(rows: Rows, schema: DataSchema) -> pd.DataFrame:
    """Rows of values in feature order as the frame the model was trained on: numbers as
    floats (a missing one as NaN), categories and booleans as objects (missing as None).

    All-numeric rows become a float frame at once: the common case, and the fastest.
    """
    names = list(schema.names)
    if len(schema.of_kind(Kind.NUMERIC)) == len(names):
        return pd.DataFrame(rows, columns=names, dtype=float)
    columns = {
        feature.name: np.array(values, dtype=float if feature.kind == Kind.NUMERIC else object)
        for feature, values in zip(schema.features, zip(*rows))
    }
    return pd.DataFrame(columns, columns=names)


@dataclass
class ServedModel:  # pylint: disable=too-many-instance-attributes
    """A registered model version in memory, its micro-batchers and its lineage.

    Rows asking for labels and rows asking for class probabilities queue in separate batchers,
    so the common request never pays for probabilities it did not ask for.
    """

    variant: str
    name: str
    version: str
    run_id: str
    data_sha256: str | None
    estimator: Any
    schema: DataSchema
    max_batch_size: int = 256
    batcher: MicroBatcher = field(init=False)
    probability_batcher: MicroBatcher = field(init=False)

    def __post_init__(self) -> None:
        self.batcher = MicroBatcher(self.predict_rows, self.max_batch_size)
        self.probability_batcher = MicroBatcher(self.predict_probabilities, self.max_batch_size)

    @property
    def batchers(self) -> tuple[MicroBatcher, MicroBatcher]:
        """Both batchers, for starting, draining and stopping them together."""
        return self.batcher, self.probability_batcher

    @property
    def gives_probabilities(self) -> bool:
        """Whether the model can answer class probabilities (classifiers that estimate them)."""
        return hasattr(self.estimator, "predict_proba")

    def predict_rows(self, rows: Rows) -> list[Any]:
        """Predict rows given in feature order; plain Python values, ready for JSON."""
        predictions: list[Any] = self.estimator.predict(rows_frame(rows, self.schema)).tolist()
        return predictions

    def predict_probabilities(self, rows: Rows) -> list[tuple[Any, dict[str, float]]]:
        """Each row's label and its probability per class (keyed by the class as text)."""
        frame = rows_frame(rows, self.schema)
        labels = self.estimator.predict(frame).tolist()
        classes = [str(label) for label in self.estimator.classes_]
        probabilities = self.estimator.predict_proba(frame).tolist()
        return [(label, dict(zip(classes, row))) for label, row in zip(labels, probabilities)]

    def start(self) -> None:
        """Start both batchers on the running loop."""
        for batcher in self.batchers:
            batcher.start()

    async def drain(self) -> None:
        """Answer what is queued, then stop (see :meth:`.MicroBatcher.drain`)."""
        await asyncio.gather(*(batcher.drain() for batcher in self.batchers))

    async def stop(self) -> None:
        """Stop both batchers; queued requests get an error."""
        for batcher in self.batchers:
            await batcher.stop()

    def describe(self) -> dict[str, Any]:
        """What /model reports: enough to trace a prediction back to its run and its data."""
        return {
            "variant": self.variant,
            "name": self.name,
            "version": self.version,
            "alias": self.variant,
            "run_id": self.run_id,
            "data_sha256": self.data_sha256,
            "task": self.schema.task.value,
            "features": list(self.schema.names),
        }


def check_features(name: str, version: str, schema: DataSchema, settings: ServeSettings) -> None:
    """Refuse a version whose features are not the ones the training config declares.

    A model trained on other columns would answer requests the configured clients do not
    send, so it is refused when it loads, with a message saying which differ.
    """
    if settings.features is None or set(schema.names) == set(settings.features):
        return
    raise ConfigError(
        f"version {version} of {name} was trained on the features {', '.join(schema.names)}, "
        f"but data.features of the training config lists {', '.join(settings.features)}: "
        "promote a model trained on this config, or serve another registered model"
    )


def load_version(
    client: MlflowClient, variant: str, version: str, settings: ServeSettings
) -> ServedModel:
    """Load one registered version, with its data schema and the data hash of its run."""
    name = settings.registered_model
    run_id = version_run_id(client, name, version)
    schema = registered_schema(name, version)
    if variant == CHAMPION:  # a challenger of other features is left out by :func:`servable`
        check_features(name, version, schema, settings)
    return ServedModel(
        variant=variant,
        name=name,
        version=version,
        run_id=run_id,
        data_sha256=client.get_run(run_id).data.tags.get("lineage.data_sha256"),
        estimator=load_registered_model(name, version),
        schema=schema,
        max_batch_size=settings.micro_batch_rows,
    )


def registry_client() -> MlflowClient:
    """A client of the store MLFLOW_TRACKING_URI names (sqlite:///mlflow.db when unset)."""
    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    return MlflowClient(uri)


def served_versions(client: MlflowClient, name: str) -> dict[str, str]:
    """The version each variant should serve: the champion and, when it is another version,
    the challenger; empty without a champion.

    Every training run moves the challenger alias, so right after a promotion both aliases name
    the same version: then there is no challenger to test, and the champion serves everything.
    """
    champion = alias_version(client, name, CHAMPION_ALIAS)
    if champion is None:
        return {}
    versions = {CHAMPION: champion}
    challenger = alias_version(client, name, CHALLENGER_ALIAS)
    if challenger not in (None, champion):
        versions[CHALLENGER] = challenger
    return versions


def servable(models: dict[str, ServedModel]) -> dict[str, ServedModel]:
    """``models`` without a challenger whose features differ from the champion's (logged).

    The request schema is the champion's, so such a challenger could not answer its share.
    """
    champion, challenger = models.get(CHAMPION), models.get(CHALLENGER)
    if champion is None or challenger is None or same_inputs(champion.schema, challenger.schema):
        return models
    LOGGER.error(
        "not serving challenger version %s: its features differ from the champion's (version %s)",
        challenger.version,
        champion.version,
    )
    return {CHAMPION: champion}


def load_registry_models(settings: ServeSettings) -> dict[str, ServedModel]:
    """Load the versions :func:`served_versions` names; empty without a champion."""
    client = registry_client()
    name = settings.registered_model
    try:
        versions = served_versions(client, name)
        if not versions:
            LOGGER.warning("%s has no @%s version at %s yet", name, CHAMPION_ALIAS, tracking_uri())
        return {
            variant: load_version(client, variant, version, settings)
            for variant, version in versions.items()
        }
    except MlflowException as error:
        LOGGER.error("cannot load %s from %s: %s", name, tracking_uri(), error)
        return {}
