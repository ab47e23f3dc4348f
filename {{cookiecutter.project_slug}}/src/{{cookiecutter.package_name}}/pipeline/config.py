"""Read ``configs/train.yaml`` and check every setting before any data is touched.

The config is the one file a user edits to change what is trained, so a mistake in it gets a
message that names the setting and what it should be, one line per setting, instead of a
``KeyError`` deep inside a step. The settings are pydantic models that refuse unknown keys: a
misspelt key would otherwise be ignored, and the run would silently use the value the user
meant to change. Settings renamed since an earlier version of the template are named with their
new spelling, so a project that took the change by ``copier update`` knows what to edit.
"""

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import ConfigError
from .estimators import (
    SHORT_NAMES,
    build_estimator,
    import_class,
    instantiate,
    task_of,
)
{%- if cookiecutter.__serving == 'fastapi' %}
from .evaluate import DEFAULT_PROMOTION_METRIC, METRICS, metrics_of
{%- endif %}
from .schema import Kind, Task

DEFAULT_CONFIG_PATH = Path("configs") / "train.yaml"
# What a config file parses into: the training config here, other configs elsewhere.
Parsed = TypeVar("Parsed")
# The settings model a config file is checked with, and so what the check returns.
Validated = TypeVar("Validated", bound=BaseModel)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# A feature's kind as the config declares it: a Kind's value, or auto (inferred from the data).
# One Literal rather than a union, so a wrong kind gets one message listing every choice. It is
# built from Kind at run time, which a type checker cannot follow: to it, a kind is text.
if TYPE_CHECKING:
    DeclaredKind = str
else:
    DeclaredKind = Literal[(*(kind.value for kind in Kind), "auto")]


class Section(BaseModel):
    """A part of a config: unknown keys refused, values fixed once read.

    ``RENAMED`` maps the keys an earlier template version used to their new names; such a key
    gets a message that names its replacement rather than "unknown setting".
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    RENAMED: ClassVar[dict[str, str]] = {}

    @model_validator(mode="before")
    @classmethod
    def refuse_renamed_keys(cls, values: Any) -> Any:
        """Name the new key of a setting an earlier version of the template spelt otherwise."""
        if isinstance(values, Mapping):
            for old, new in cls.RENAMED.items():
                if old in values:
                    raise ValueError(f"{old!r} is now {new!r}: rename it (see docs/upgrading.md)")
        return values


class DataSettings(Section):
    """Where the dataset is, which column to predict, and which columns to learn from.

    ``features`` maps each column to its kind (numeric, categorical, boolean, or auto to infer
    it); a plain list infers every kind, and leaving it out learns from every other column.
    """

    path: Path
    target: Text
    features: dict[Text, DeclaredKind] | None = None
    forbid_missing: tuple[Text, ...] = ()
    min_rows: int = Field(default=50, ge=2)

    @field_validator("path", mode="before")
    @classmethod
    def path_given(cls, value: Any) -> Any:
        """An empty path would read the current folder."""
        if isinstance(value, str) and not value.strip():
            raise ValueError("must name a CSV file")
        return value

    @field_validator("features", mode="before")
    @classmethod
    def list_of_names(cls, value: Any) -> Any:
        """A list of column names means: these columns, kinds inferred."""
        if not isinstance(value, list):
            return value
        repeated = sorted({str(name) for name in value if value.count(name) > 1})
        if repeated:
            raise ValueError(f"lists {', '.join(repeated)} more than once")
        return {name: "auto" for name in value}

    @field_validator("features")
    @classmethod
    def not_empty(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        """An empty mapping is a mistake; leaving the key out means every column."""
        if value is not None and not value:
            raise ValueError("lists no column: name at least one, or leave features out")
        return value

    @model_validator(mode="after")
    def consistent_columns(self) -> "DataSettings":
        """The target is not a feature, and forbid_missing names features."""
        features = self.features or {}
        if self.target in features:
            raise ValueError(f"features lists the target {self.target!r}: remove it from features")
        unknown = [name for name in self.forbid_missing if features and name not in features]
        if unknown:
            raise ValueError(f"forbid_missing names {', '.join(unknown)}, not in features")
        return self


class SplitSettings(Section):
    """How many rows are held out to evaluate the model."""

    test_size: float = Field(gt=0, lt=1)


class ModelSettings(Section):
    """The estimator, by short name or import path, and the parameters handed to it unchanged."""

    RENAMED: ClassVar[dict[str, str]] = {"type": "estimator"}
    estimator: Text
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("params", mode="before")
    @classmethod
    def empty_params(cls, value: Any) -> Any:
        """``params:`` with nothing after it means no parameters."""
        return {} if value is None else value


class OutputSettings(Section):
    """Where a run writes the model, its lineage, the metrics and the plots."""

    model: Path
    lineage: Path
    metrics: Path
    figures: Path
{%- if cookiecutter.__tracking == 'mlflow' %}


class TrackingSettings(Section):
    """The MLflow experiment that groups the runs, and the registered model they add versions to."""

    experiment: Text
    registered_model: Text
{%- endif %}
{%- if cookiecutter.__serving == 'fastapi' %}


class PromotionSettings(Section):
    """How the promotion gate compares the challenger with the champion.

    The challenger must beat the champion's ``metric`` (the task's default when left out) by
    more than ``margin``: a tie, or a gain within the noise the margin allows for, keeps the
    champion in place.
    """

    metric: Text | None = None
    margin: float = Field(default=0.0, ge=0, allow_inf_nan=False, strict=True)

    def metric_for(self, task: Task) -> str:
        """The metric the gate compares for ``task``."""
        return self.metric or DEFAULT_PROMOTION_METRIC[task]

    def higher_is_better(self, task: Task) -> bool:
        """Whether a larger value of the metric means a better model."""
        return METRICS[self.metric_for(task)].higher_is_better
{%- endif %}


class TrainConfig(Section):
    """Every setting of a training run, checked.

    ``task`` may be left out: the estimator's own task decides when it is named by import path,
    else the target's values do (:func:`.schema.infer_task`).
    """

    seed: int = Field(ge=0, strict=True)
    task: Task | None = None
    data: DataSettings
    split: SplitSettings
    model: ModelSettings
    outputs: OutputSettings
{%- if cookiecutter.__tracking == 'mlflow' %}
    tracking: TrackingSettings
{%- endif %}
{%- if cookiecutter.__serving == 'fastapi' %}
    promotion: PromotionSettings
{%- endif %}

    @model_validator(mode="after")
    def check_estimator(self) -> "TrainConfig":
        """Import the estimator and check it fits the task, as far as it is known yet."""
        task = self.known_task()
        if task is not None:
            build_estimator(self.model.estimator, self.model.params, task, self.seed)
{%- if cookiecutter.__serving == 'fastapi' %}
            check_promotion_metric(self.promotion, task)
{%- endif %}
        return self

    def known_task(self) -> Task | None:
        """The declared task, else the task of an estimator named by import path, else None."""
        if self.task is not None or self.model.estimator in SHORT_NAMES:
            return self.task
        return task_of(instantiate(import_class(self.model.estimator), {}))

    @property
    def settings(self) -> dict[str, Any]:
        """The settings as plain values, which lineage hashes and tracking logs."""
        return self.model_dump(mode="json")
{%- if cookiecutter.__serving == 'fastapi' %}


def check_promotion_metric(promotion: PromotionSettings, task: Task) -> None:
    """The promotion metric must be one of the task's."""
    name = promotion.metric_for(task)
    fitting = metrics_of(task)
    if name not in fitting:
        raise ConfigError(
            f"promotion.metric {name!r} is not a {task} metric: choose one of "
            f"{', '.join(fitting)}, or leave it out for {DEFAULT_PROMOTION_METRIC[task]}"
        )
{%- endif %}


def describe_error(error: Mapping[str, Any]) -> str:
    """One pydantic error as ``setting: problem``, with the value that was given."""
    where = ".".join(str(part) for part in error["loc"]) or "the config"
    kind = error["type"]
    if kind == "missing":
        return f"{where}: missing"
    if kind == "extra_forbidden":
        return f"{where}: unknown setting"
    message = error["msg"].removeprefix("Value error, ")
    if kind == "value_error" or "input" not in error:
        return f"{where}: {message}"
    return f"{where}: {message}, not {error['input']!r}"


def parse_with(model: type[Validated], settings: Any) -> Validated:
    """Check parsed YAML with ``model``; ConfigError with one line per wrong setting."""
    if not isinstance(settings, Mapping):
        raise ConfigError(f"the config must be a mapping of {', '.join(model.model_fields)}")
    try:
        return model.model_validate(settings)
    except ValidationError as error:
        lines = [describe_error(detail) for detail in error.errors()]
        raise ConfigError("\n  ".join(lines)) from None


def parse_config(settings: Any) -> TrainConfig:
    """Check parsed YAML and turn it into a :class:`TrainConfig`, or raise ConfigError."""
    return parse_with(TrainConfig, settings)


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
