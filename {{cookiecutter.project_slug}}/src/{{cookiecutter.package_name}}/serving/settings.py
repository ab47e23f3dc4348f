"""Read ``configs/serve.yaml``, and the training config it points at, into checked settings.

The registered model and the features are facts of the training config, so the serving config
names that file instead of repeating them. The API serves the features the champion was trained
on (its data schema, logged with it), and refuses a champion whose features are not the ones
the training config declares: a model of other data is never served by mistake. As with
training, a mistake gets a message that names the setting, and an unknown setting is refused.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field

from ..pipeline.config import Section, load_config, parse_with, read_config_file

DEFAULT_SERVE_CONFIG = Path("configs") / "serve.yaml"
# The serving config of an app built by uvicorn: its workers import the app in their own
# processes, so the command line names the config in this environment variable.
CONFIG_VARIABLE = "SERVE_CONFIG"
# The address the server listens on, which the admin endpoint of level 4 needs to know. Unset
# (an app started some other way than `serve`), the server is taken to listen on the network.
LISTEN_HOST_VARIABLE = "SERVE_HOST"


class ServeFile(Section):
    """The settings of configs/serve.yaml, as written."""

    training_config: Path
    challenger_share: float = Field(ge=0, le=1)
    max_batch_rows: int = Field(ge=1)
    max_abs_value: float = Field(gt=0, allow_inf_nan=False)
    micro_batch_rows: int = Field(ge=1)
    max_concurrent_requests: int = Field(ge=1)


@dataclass(frozen=True)
class ServeSettings:
    """What the API serves and its limits; the defaults suit tests and small deployments.

    ``features`` are the names the training config declares, or None when it leaves them to be
    inferred from the data: then any champion's features are served.
    """

    registered_model: str
    features: tuple[str, ...] | None = None
    challenger_share: float = 0.1
    max_batch_rows: int = 1000
    max_abs_value: float = 1e9
    micro_batch_rows: int = 256
    max_concurrent_requests: int = 128


def parse_serve_config(settings: Any) -> ServeSettings:
    """Check parsed YAML of the serving config, then read the training config it names."""
    written = parse_with(ServeFile, settings)
    training = load_config(written.training_config)
    declared = training.data.features
    return ServeSettings(
        registered_model=training.tracking.registered_model,
        features=None if declared is None else tuple(declared),
        **written.model_dump(exclude={"training_config"}),
    )


def load_serve_config(path: Path | str = DEFAULT_SERVE_CONFIG) -> ServeSettings:
    """Read and check the serving config."""
    return read_config_file(path, parse_serve_config, "the serving config is needed to serve")
