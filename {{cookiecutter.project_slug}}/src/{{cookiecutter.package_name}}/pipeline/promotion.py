"""Promotion gate: the challenger becomes the champion only if it is better on held-out data.

Both models are scored on the same rows, the held-out split of the current config and data, so
the comparison is fair even when the champion was trained on an older dataset. The metric is
the config's ``promotion.metric``, or the task's default (log loss for classification, RMSE for
regression). The first model is promoted unconditionally, since there is nothing to compare it
with; after that the challenger must beat the champion by more than ``promotion.margin``, and a
tie keeps the champion. The decision and both scores are recorded on the challenger's run, so
the registry says why each champion won.

Two models trained on different features, or for different tasks, cannot be scored on the same
rows: the gate then refuses and says what to do, a new registered model name for the new data,
or ``--replace-champion`` to crown the challenger without a comparison.
"""

from dataclasses import dataclass

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from .config import TrainConfig, check_promotion_metric
from .errors import PipelineError
from .evaluate import score
from .run import PreparedData, prepare_data
from .schema import DataSchema
from .tracking import (
    CHALLENGER_ALIAS,
    load_registered_model,
    registered_schema,
    tracking_uri,
    version_run_id,
)

CHAMPION_ALIAS = "champion"


class PromotionError(PipelineError):
    """The gate cannot decide: no challenger yet, or models that cannot be compared."""


@dataclass(frozen=True)
class PromotionDecision:  # pylint: disable=too-many-instance-attributes
    """What the gate decided and on which scores (no champion score for the first model)."""

    promoted: bool
    metric: str
    challenger_version: str
    challenger_score: float
    champion_version: str | None = None
    champion_score: float | None = None
    replaced: bool = False

    def explain(self) -> str:
        """One line for the terminal and the run's tags."""
        if self.champion_version is None:
            return f"promoted version {self.challenger_version}: there was no champion yet"
        if self.replaced:
            return (
                f"promoted version {self.challenger_version} without a comparison "
                f"(--replace-champion): champion version {self.champion_version} was trained "
                "on other features"
            )
        if self.champion_version == self.challenger_version:
            return f"version {self.challenger_version} is already the champion"
        verdict = "promoted" if self.promoted else "kept the champion over"
        return (
            f"{verdict} version {self.challenger_version}: {self.metric} "
            f"{self.challenger_score:.6f} against {self.champion_score:.6f} for champion "
            f"version {self.champion_version}"
        )


def alias_version(client: MlflowClient, name: str, alias: str) -> str | None:
    """The version an alias points at, or None when the model or the alias does not exist."""
    try:
        return str(client.get_model_version_by_alias(name, alias).version)
    except MlflowException:
        return None


def differences(first: DataSchema, second: DataSchema, names: tuple[str, str]) -> str:
    """How two models' inputs differ: their tasks, the features only one takes, their kinds."""
    parts = []
    if first.task != second.task:
        parts.append(f"{names[0]} is a {first.task} model, {names[1]} a {second.task} one")
    kinds = [{f.name: f.kind for f in schema.features} for schema in (first, second)]
    for own, other, name in ((kinds[0], kinds[1], names[0]), (kinds[1], kinds[0], names[1])):
        only = [feature for feature in own if feature not in other]
        if only:
            parts.append(f"only {name} takes {', '.join(only)}")
    changed = [f for f in kinds[0] if f in kinds[1] and kinds[0][f] != kinds[1][f]]
    if changed:
        parts.append(f"the kinds of {', '.join(changed)} differ")
    return "; ".join(parts)


def same_inputs(first: DataSchema, second: DataSchema) -> bool:
    """Whether two models take the same columns, of the same kinds, for the same task.

    The order of the features does not count: the model selects its columns by name, so
    features listed in another order in the config are still the same inputs.
    """
    kinds = [{feature.name: feature.kind for feature in s.features} for s in (first, second)]
    return first.task == second.task and kinds[0] == kinds[1]


def check_challenger(config: TrainConfig, version: str, prepared: PreparedData) -> None:
    """The challenger must take what the config describes now, or it cannot be scored."""
    trained = registered_schema(config.tracking.registered_model, version)
    if not same_inputs(trained, prepared.schema):
        names = (f"the challenger (version {version})", "the training config")
        raise PromotionError(
            f"{differences(trained, prepared.schema, names)}: run `make train` first"
        )


def incomparable(name: str, champion: str, trained: DataSchema, now: DataSchema) -> PromotionError:
    """The refusal when the champion was trained on other features or for another task."""
    names = (f"the champion of {name!r} (version {champion})", "the challenger")
    return PromotionError(
        f"{differences(trained, now, names)}, so they cannot be scored on the same rows. For a "
        "new dataset, register its models under a new name (tracking.registered_model in the "
        "training config), or make the challenger the champion without a comparison: "
        "`make promote REPLACE_CHAMPION=yes`"
    )


def version_score(name: str, version: str, prepared: PreparedData, metric: str) -> float:
    """A registered version's ``metric`` on the held-out rows."""
    model = load_registered_model(name, version)
    split = prepared.split
    return score(model, split.test_features, split.test_target, metric)


def is_better(challenger: float, champion: float, margin: float, higher_is_better: bool) -> bool:
    """Whether the challenger beats the champion by more than the margin (a tie does not)."""
    gain = challenger - champion if higher_is_better else champion - challenger
    return gain > margin


def record(client: MlflowClient, name: str, decision: PromotionDecision) -> None:
    """Write the decision and both scores on the challenger's run."""
    run_id = version_run_id(client, name, decision.challenger_version)
    client.set_tag(run_id, "promotion.decision", decision.explain())
    client.set_tag(run_id, "promotion.promoted", str(decision.promoted).lower())
    client.log_metric(run_id, f"promotion.challenger_{decision.metric}", decision.challenger_score)
    if decision.champion_score is not None:
        client.log_metric(run_id, f"promotion.champion_{decision.metric}", decision.champion_score)


def compare(
    config: TrainConfig, challenger: str, champion: str | None, replace_champion: bool = False
) -> PromotionDecision:
    """Score both versions on the held-out rows of ``config`` and decide."""
    name = config.tracking.registered_model
    prepared = prepare_data(config)
    check_challenger(config, challenger, prepared)
    task = prepared.schema.task
    check_promotion_metric(config.promotion, task)
    metric = config.promotion.metric_for(task)
    challenger_score = version_score(name, challenger, prepared, metric)
    if champion is None:
        return PromotionDecision(True, metric, challenger, challenger_score)
    if champion == challenger:
        return PromotionDecision(
            False, metric, challenger, challenger_score, champion, challenger_score
        )
    champion_schema = registered_schema(name, champion)
    if not same_inputs(champion_schema, prepared.schema):
        if not replace_champion:
            raise incomparable(name, champion, champion_schema, prepared.schema)
        return PromotionDecision(
            True, metric, challenger, challenger_score, champion, replaced=True
        )
    champion_score = version_score(name, champion, prepared, metric)
    promoted = is_better(
        challenger_score,
        champion_score,
        config.promotion.margin,
        config.promotion.higher_is_better(task),
    )
    return PromotionDecision(
        promoted, metric, challenger, challenger_score, champion, champion_score
    )


def promote(config: TrainConfig, replace_champion: bool = False) -> PromotionDecision:
    """Compare challenger and champion, move the champion alias if warranted, record why.

    ``replace_champion`` lets a challenger trained on other features than the champion take
    its place without a comparison; models of the same features are always compared.
    """
    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(uri)
    name = config.tracking.registered_model
    challenger = alias_version(client, name, CHALLENGER_ALIAS)
    if challenger is None:
        raise PromotionError(
            f"the registered model {name!r} has no @{CHALLENGER_ALIAS} version at {uri}: "
            "run `make train` first"
        )
    champion = alias_version(client, name, CHAMPION_ALIAS)
    decision = compare(config, challenger, champion, replace_champion)
    if decision.promoted:
        client.set_registered_model_alias(name, CHAMPION_ALIAS, challenger)
    record(client, name, decision)
    return decision
