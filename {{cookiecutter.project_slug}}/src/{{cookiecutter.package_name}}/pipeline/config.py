"""Read ``configs/train.yaml`` and check every setting before any data is touched.

The config is the one file a user edits to change what is trained, so a mistake in it gets a
message that names the setting and what it should be, instead of a ``KeyError`` deep inside a
step. Unknown settings are refused as well: a misspelt key would otherwise be ignored, and the
run would silently use the value the user meant to change.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from .errors import ConfigError
from .models import MODEL_KINDS

DEFAULT_CONFIG_PATH = Path("configs") / "train.yaml"
# What a config file parses into: the training config here, other configs elsewhere.
Parsed = TypeVar("Parsed")
{%- if cookiecutter.__serving == 'fastapi' %}
SECTIONS = ("seed", "data", "split", "model", "outputs", "tracking", "promotion")
# The scores the promotion gate can compare models on, and whether higher is better. Log loss
# judges the predicted probabilities, so it separates two models that classify every held-out
# row right, where accuracy ties.
PROMOTION_METRICS = {
    "log_loss": False,
    "accuracy": True,
    "balanced_accuracy": True,
    "f1_macro": True,
}
{%- elif cookiecutter.__tracking == 'mlflow' %}
SECTIONS = ("seed", "data", "split", "model", "outputs", "tracking")
{%- else %}
SECTIONS = ("seed", "data", "split", "model", "outputs")
{%- endif %}


@dataclass(frozen=True)
class DataConfig:
    """Where the dataset is, which column to predict and which columns to learn from."""

    path: Path
    target: str
    features: tuple[str, ...]
    min_rows: int


@dataclass(frozen=True)
class ModelConfig:
    """The kind of estimator to train, and the parameters handed to it unchanged."""

    kind: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class OutputConfig:
    """Where a run writes the model, its lineage, the metrics and the plots."""

    model: Path
    lineage: Path
    metrics: Path
    figures: Path
{%- if cookiecutter.__tracking == 'mlflow' %}


@dataclass(frozen=True)
class TrackingConfig:
    """The MLflow experiment that groups the runs, and the registered model they add versions to."""

    experiment: str
    registered_model: str
{%- endif %}
{%- if cookiecutter.__serving == 'fastapi' %}


@dataclass(frozen=True)
class PromotionConfig:
    """How the promotion gate compares the challenger with the champion.

    The challenger must beat the champion's ``metric`` by more than ``margin``: a tie, or a gain
    within the noise the margin allows for, keeps the champion in place.
    """

    metric: str
    margin: float

    @property
    def higher_is_better(self) -> bool:
        """Whether a larger value of the metric means a better model."""
        return PROMOTION_METRICS[self.metric]
{%- endif %}


@dataclass(frozen=True)
{%- if cookiecutter.__serving == 'fastapi' %}
class TrainConfig:  # pylint: disable=too-many-instance-attributes
{%- else %}
class TrainConfig:
{%- endif %}
    """Every setting of a training run, checked.

    ``settings`` keeps the config as it was written, so that lineage can hash it and tracking
    can log it without a second source of truth.
    """

    seed: int
    test_size: float
    data: DataConfig
    model: ModelConfig
    outputs: OutputConfig
{%- if cookiecutter.__tracking == 'mlflow' %}
    tracking: TrackingConfig
{%- endif %}
{%- if cookiecutter.__serving == 'fastapi' %}
    promotion: PromotionConfig
{%- endif %}
    settings: Mapping[str, Any]


def check_keys(mapping: Mapping[str, Any], expected: tuple[str, ...], where: str) -> None:
    """Refuse a mapping that lacks one of ``expected`` or has a key that is not one of them."""
    missing = [key for key in expected if key not in mapping]
    unknown = [key for key in mapping if key not in expected]
    problems = []
    if missing:
        problems.append(f"missing {', '.join(where + key for key in missing)}")
    if unknown:
        problems.append(
            f"unknown {', '.join(where + str(key) for key in unknown)} "
            f"(expected {', '.join(where + key for key in expected)})"
        )
    if problems:
        raise ConfigError("; ".join(problems))


def section(settings: Mapping[str, Any], name: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
    """The mapping under ``name``, holding exactly ``keys``."""
    value = settings[name]
    if not isinstance(value, Mapping):
        raise ConfigError(f"{name} must be a mapping of {', '.join(keys)}, not {value!r}")
    check_keys(value, keys, where=f"{name}.")
    return value


def text_setting(value: Any, name: str) -> str:
    """A non-empty string setting."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{name} must be a non-empty string, not {value!r}")
    return value


def count_setting(value: Any, name: str, minimum: int) -> int:
    """A whole-number setting of at least ``minimum`` (YAML's true and false are refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return value


def fraction_setting(value: Any, name: str) -> float:
    """A number strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ConfigError(f"{name} must be a number between 0 and 1, not {value!r}")
    return float(value)


def names_setting(value: Any, name: str) -> tuple[str, ...]:
    """A non-empty list of distinct column names."""
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{name} must be a non-empty list of column names, not {value!r}")
    names = tuple(text_setting(item, f"{name} entry") for item in value)
    repeated = sorted({item for item in names if names.count(item) > 1})
    if repeated:
        raise ConfigError(f"{name} lists {', '.join(repeated)} more than once")
    return names


def parse_data(settings: Mapping[str, Any]) -> DataConfig:
    """The data section; the target may not also be a feature, or the model would see the answer."""
    data = section(settings, "data", ("path", "target", "features", "min_rows"))
    target = text_setting(data["target"], "data.target")
    features = names_setting(data["features"], "data.features")
    if target in features:
        raise ConfigError(f"data.features lists the target {target!r}: remove it from features")
    return DataConfig(
        path=Path(text_setting(data["path"], "data.path")),
        target=target,
        features=features,
        min_rows=count_setting(data["min_rows"], "data.min_rows", minimum=2),
    )


def parse_model(settings: Mapping[str, Any]) -> ModelConfig:
    """The model section: a kind of :data:`MODEL_KINDS` and parameters its estimator accepts.

    Parameter names are checked here, so a typo fails before any data is read; their values
    are checked by scikit-learn when the model is fitted.
    """
    model = section(settings, "model", ("type", "params"))
    kind = text_setting(model["type"], "model.type")
    if kind not in MODEL_KINDS:
        raise ConfigError(f"model.type {kind!r} is not one of {', '.join(sorted(MODEL_KINDS))}")
    params = model["params"] or {}
    if not isinstance(params, Mapping):
        raise ConfigError(f"model.params must be a mapping of parameter names, not {params!r}")
    check_param_names(kind, params)
    return ModelConfig(kind=kind, params=dict(params))


def check_param_names(kind: str, params: Mapping[str, Any]) -> None:
    """Refuse parameters the estimator does not take, and a seed of its own."""
    estimator = MODEL_KINDS[kind].estimator
    accepted = estimator().get_params()
    unknown = sorted(set(map(str, params)) - set(accepted))
    if unknown:
        raise ConfigError(
            f"model.params {', '.join(unknown)} not accepted by {estimator.__name__} "
            f"(it accepts {', '.join(sorted(accepted))})"
        )
    if "random_state" in params:
        raise ConfigError("model.params.random_state: set the top-level seed instead")


def parse_outputs(settings: Mapping[str, Any]) -> OutputConfig:
    """The outputs section: four paths, relative to the folder the pipeline runs in."""
    names = ("model", "lineage", "metrics", "figures")
    outputs = section(settings, "outputs", names)
    paths = {name: Path(text_setting(outputs[name], f"outputs.{name}")) for name in names}
    return OutputConfig(**paths)
{%- if cookiecutter.__tracking == 'mlflow' %}


def parse_tracking(settings: Mapping[str, Any]) -> TrackingConfig:
    """The tracking section: the names runs and models are recorded under in MLflow."""
    tracking = section(settings, "tracking", ("experiment", "registered_model"))
    return TrackingConfig(
        experiment=text_setting(tracking["experiment"], "tracking.experiment"),
        registered_model=text_setting(tracking["registered_model"], "tracking.registered_model"),
    )
{%- endif %}
{%- if cookiecutter.__serving == 'fastapi' %}


def parse_promotion(settings: Mapping[str, Any]) -> PromotionConfig:
    """The promotion section: a metric of :data:`PROMOTION_METRICS` and a margin of 0 or more."""
    promotion = section(settings, "promotion", ("metric", "margin"))
    metric = text_setting(promotion["metric"], "promotion.metric")
    if metric not in PROMOTION_METRICS:
        raise ConfigError(
            f"promotion.metric {metric!r} is not one of {', '.join(sorted(PROMOTION_METRICS))}"
        )
    margin = promotion["margin"]
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not margin >= 0:
        raise ConfigError(f"promotion.margin must be a number of at least 0, not {margin!r}")
    return PromotionConfig(metric=metric, margin=float(margin))
{%- endif %}


def parse_config(settings: Any) -> TrainConfig:
    """Check parsed YAML and turn it into a :class:`TrainConfig`, or raise ConfigError."""
    if not isinstance(settings, Mapping):
        raise ConfigError(f"the config must be a mapping of {', '.join(SECTIONS)}")
    check_keys(settings, SECTIONS, where="")
    split = section(settings, "split", ("test_size",))
    return TrainConfig(
        seed=count_setting(settings["seed"], "seed", minimum=0),
        test_size=fraction_setting(split["test_size"], "split.test_size"),
        data=parse_data(settings),
        model=parse_model(settings),
        outputs=parse_outputs(settings),
{%- if cookiecutter.__tracking == 'mlflow' %}
        tracking=parse_tracking(settings),
{%- endif %}
{%- if cookiecutter.__serving == 'fastapi' %}
        promotion=parse_promotion(settings),
{%- endif %}
        settings=settings,
    )


def read_config_file(path: Path | str, parse: Callable[[Any], Parsed], missing_hint: str) -> Parsed:
    """Read a YAML config file and ``parse`` it; every error message starts with the file's path.

    ``missing_hint`` says what a missing file prevents, so the message tells what to fix.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: {missing_hint}.")
    try:
        return parse(yaml.safe_load(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML: {error}") from error
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from error


def load_config(path: Path | str = DEFAULT_CONFIG_PATH) -> TrainConfig:
    """Read and check a YAML training config."""
    return read_config_file(path, parse_config, "the training config is needed to train")
