"""Read ``configs/serve.yaml``, and the training config it points at, into checked settings.

The features and the registered model are facts of the training config, so the serving config
names that file instead of repeating them: a model retrained on other columns is served with
the matching request schema without a second edit. As with training, a mistake gets a message
that names the setting, and an unknown setting is refused rather than silently ignored.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..pipeline.config import (
    check_keys,
    count_setting,
    load_config,
    read_config_file,
    text_setting,
)
from ..pipeline.errors import ConfigError

DEFAULT_SERVE_CONFIG = Path("configs") / "serve.yaml"
KEYS = (
    "training_config",
    "challenger_share",
    "max_batch_rows",
    "max_abs_value",
    "micro_batch_rows",
)


@dataclass(frozen=True)
class ServeSettings:
    """What the API serves and its limits; the defaults suit tests and small deployments."""

    features: tuple[str, ...]
    registered_model: str
    challenger_share: float = 0.1
    max_batch_rows: int = 1000
    max_abs_value: float = 1e9
    micro_batch_rows: int = 256


def share_setting(value: Any, name: str) -> float:
    """A number from 0 to 1, both included (0 turns the challenger off, 1 sends it everything)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ConfigError(f"{name} must be a number from 0 to 1, not {value!r}")
    return float(value)


def bound_setting(value: Any, name: str) -> float:
    """A finite number above 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number above 0, not {value!r}")
    if not 0 < value < math.inf:
        raise ConfigError(f"{name} must be a number above 0, not {value!r}")
    return float(value)


def parse_serve_config(settings: Any) -> ServeSettings:
    """Check parsed YAML of the serving config, then read the training config it names."""
    if not isinstance(settings, Mapping):
        raise ConfigError(f"the serving config must be a mapping of {', '.join(KEYS)}")
    check_keys(settings, KEYS, where="")
    training = load_config(text_setting(settings["training_config"], "training_config"))
    return ServeSettings(
        features=training.data.features,
        registered_model=training.tracking.registered_model,
        challenger_share=share_setting(settings["challenger_share"], "challenger_share"),
        max_batch_rows=count_setting(settings["max_batch_rows"], "max_batch_rows", minimum=1),
        max_abs_value=bound_setting(settings["max_abs_value"], "max_abs_value"),
        micro_batch_rows=count_setting(settings["micro_batch_rows"], "micro_batch_rows", 1),
    )


def load_serve_config(path: Path | str = DEFAULT_SERVE_CONFIG) -> ServeSettings:
    """Read and check the serving config."""
    return read_config_file(path, parse_serve_config, "the serving config is needed to serve")
