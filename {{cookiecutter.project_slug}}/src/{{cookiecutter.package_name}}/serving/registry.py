"""The models the API serves, loaded from the MLflow registry by alias.

The champion is the version ``make promote`` chose; the challenger is the latest trained one.
Each is loaded as the scikit-learn pipeline it was logged as (not the generic pyfunc wrapper,
which checks and converts every input again), by its version number, so the version the API
reports is the version it runs even if an alias moves while it loads.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import mlflow.sklearn
import pandas as pd
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from mlflow.models import get_model_info

from ..pipeline.errors import ConfigError
from ..pipeline.promotion import CHAMPION_ALIAS, alias_version
from ..pipeline.tracking import CHALLENGER_ALIAS, tracking_uri
from .batching import MicroBatcher
from .routing import CHALLENGER, CHAMPION
from .settings import ServeSettings

LOGGER = logging.getLogger(__name__)


@dataclass
class ServedModel:  # pylint: disable=too-many-instance-attributes
    """A registered model version in memory, its micro-batcher and its lineage."""

    variant: str
    name: str
    version: str
    run_id: str
    data_sha256: str | None
    estimator: Any
    features: tuple[str, ...]
    max_batch_size: int = 256
    batcher: MicroBatcher = field(init=False)

    def __post_init__(self):
        self.batcher = MicroBatcher(self.predict_rows, self.max_batch_size)

    def predict_rows(self, rows: list[Sequence[float]]) -> list[Any]:
        """Predict rows given in feature order; plain Python values, ready for JSON."""
        frame = pd.DataFrame(rows, columns=list(self.features))
        return self.estimator.predict(frame).tolist()

    def describe(self) -> dict[str, Any]:
        """What /model reports: enough to trace a prediction back to its run and its data."""
        return {
            "variant": self.variant,
            "name": self.name,
            "version": self.version,
            "alias": self.variant,
            "run_id": self.run_id,
            "data_sha256": self.data_sha256,
        }


def check_features(uri: str, features: tuple[str, ...]) -> None:
    """Refuse a model whose input columns are not the configured features.

    The request schema comes from the training config; a model trained on other columns would
    fail on every request, so it is refused at load time with a message saying which differ.
    """
    signature = get_model_info(uri).signature
    if signature is None:
        return
    logged = tuple(signature.inputs.input_names())
    if logged != features:
        raise ConfigError(
            f"{uri} was trained on the features {', '.join(map(str, logged))}, but "
            f"data.features of the training config lists {', '.join(features)}"
        )


def load_version(client: MlflowClient, variant: str, version: str, settings: ServeSettings):
    """Load one registered version, with the data hash of the run that trained it."""
    name = settings.registered_model
    run_id = client.get_model_version(name, version).run_id
    uri = f"models:/{name}/{version}"
    check_features(uri, settings.features)
    return ServedModel(
        variant=variant,
        name=name,
        version=version,
        run_id=run_id,
        data_sha256=client.get_run(run_id).data.tags.get("lineage.data_sha256"),
        estimator=mlflow.sklearn.load_model(uri),
        features=settings.features,
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
