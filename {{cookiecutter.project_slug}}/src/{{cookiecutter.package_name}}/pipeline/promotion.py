"""Promotion gate: the challenger becomes the champion only if it is better on held-out data.

Both models are scored on the same rows, the held-out split of the current config and data, so
the comparison is fair even when the champion was trained on an older dataset. The first model
is promoted unconditionally, since there is nothing to compare it with; after that the
challenger must beat the champion by more than ``promotion.margin``, and a tie keeps the
champion. The decision and both scores are recorded on the challenger's run, so the registry
says why each champion won.
"""

from dataclasses import dataclass

import mlflow.sklearn
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from sklearn.metrics import log_loss
from sklearn.pipeline import Pipeline

from .config import PromotionConfig, TrainConfig
from .errors import PipelineError
from .evaluate import compute_metrics
from .run import prepare_data
from .split import Split
from .tracking import CHALLENGER_ALIAS, tracking_uri

CHAMPION_ALIAS = "champion"


class PromotionError(PipelineError):
    """There is nothing to promote: the registry holds no challenger yet."""


@dataclass(frozen=True)
class PromotionDecision:
    """What the gate decided and on which scores (no champion score for the first model)."""

    promoted: bool
    metric: str
    challenger_version: str
    challenger_score: float
    champion_version: str | None = None
    champion_score: float | None = None

    def explain(self) -> str:
        """One line for the terminal and the run's tags."""
        if self.champion_version is None:
            return f"promoted version {self.challenger_version}: there was no champion yet"
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


def model_score(model: Pipeline, split: Split, metric: str) -> float:
    """A fitted model's ``metric`` on the held-out rows.

    Log loss needs the predicted probabilities of every class the model knows, so a held-out
    set that lacks a class is still scored against the model's full set of classes.
    """
    if metric == "log_loss":
        probabilities = model.predict_proba(split.test_features)
        return float(log_loss(split.test_target, probabilities, labels=model.classes_))
    return compute_metrics(split.test_target, model.predict(split.test_features))[metric]


def version_score(name: str, version: str, split: Split, metric: str) -> float:
    """A registered version's ``metric`` on the held-out rows."""
    model = mlflow.sklearn.load_model(f"models:/{name}/{version}")
    return model_score(model, split, metric)


def is_better(challenger: float, champion: float, promotion: PromotionConfig) -> bool:
    """Whether the challenger beats the champion by more than the margin (a tie does not)."""
    gain = challenger - champion if promotion.higher_is_better else champion - challenger
    return gain > promotion.margin


def record(client: MlflowClient, name: str, decision: PromotionDecision) -> None:
    """Write the decision and both scores on the challenger's run."""
    run_id = client.get_model_version(name, decision.challenger_version).run_id
    client.set_tag(run_id, "promotion.decision", decision.explain())
    client.set_tag(run_id, "promotion.promoted", str(decision.promoted).lower())
    client.log_metric(run_id, f"promotion.challenger_{decision.metric}", decision.challenger_score)
    if decision.champion_score is not None:
        client.log_metric(run_id, f"promotion.champion_{decision.metric}", decision.champion_score)


def compare(config: TrainConfig, challenger: str, champion: str | None) -> PromotionDecision:
    """Score both versions on the held-out rows of ``config`` and decide."""
    name = config.tracking.registered_model
    metric = config.promotion.metric
    split = prepare_data(config)
    challenger_score = version_score(name, challenger, split, metric)
    if champion is None:
        return PromotionDecision(True, metric, challenger, challenger_score)
    champion_score = (
        challenger_score if champion == challenger else version_score(name, champion, split, metric)
    )
    promoted = is_better(challenger_score, champion_score, config.promotion)
    return PromotionDecision(
        promoted, metric, challenger, challenger_score, champion, champion_score
    )


def promote(config: TrainConfig) -> PromotionDecision:
    """Compare challenger and champion, move the champion alias if warranted, record why."""
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
    decision = compare(config, challenger, alias_version(client, name, CHAMPION_ALIAS))
    if decision.promoted:
        client.set_registered_model_alias(name, CHAMPION_ALIAS, challenger)
    record(client, name, decision)
    return decision
