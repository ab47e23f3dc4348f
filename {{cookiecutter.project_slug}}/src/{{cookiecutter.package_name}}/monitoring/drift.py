"""Data drift between the training reference and a window of served inputs.

One two-sample Kolmogorov-Smirnov test per feature (scipy), then one verdict for the whole
check, by either rule:

- ``bonferroni``: drift when a feature's p-value is below ``alpha`` divided by the number of
  features. The chance of a false alarm for the whole check stays at most ``alpha``, and drift
  confined to one feature is still caught.
- ``share``: drift when at least ``drift_share`` of the features have a p-value below
  ``alpha``; Evidently's rule, which with its default of 0.5 misses drift in a few features.

Evidently's DataDriftPreset computes the same KS p-values below 1000 rows, but Evidently 0.7.23,
the newest release, cannot be imported with pandas 3.1 (it imports a helper pandas removed), and
adds over 100 MB of dependencies; this module and :mod:`.report` replace it.
"""

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class FeatureDrift:
    """One feature's test."""

    feature: str
    statistic: float
    p_value: float
    drifted: bool


@dataclass(frozen=True)
class DriftVerdict:  # pylint: disable=too-many-instance-attributes
    """The outcome of one check, as ``make monitor`` writes it to JSON."""

    drift: bool
    rule: str
    alpha: float
    threshold: float
    drift_share: float
    reference_rows: int
    current_rows: int
    features: tuple[FeatureDrift, ...]

    @property
    def ranked(self) -> list[FeatureDrift]:
        """The features' tests, most significant (lowest p-value) first."""
        return sorted(self.features, key=lambda feature: feature.p_value)

    @property
    def drifted_features(self) -> list[str]:
        """The features whose own test found drift, most significant first."""
        return [feature.feature for feature in self.ranked if feature.drifted]

    def as_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {**asdict(self), "drifted_features": self.drifted_features}


def detect_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    alpha: float = 0.05,
    rule: str = "bonferroni",
    drift_share: float = 0.5,
) -> DriftVerdict:
    """Test every reference column against the same column of ``current``; one verdict."""
    columns = list(reference.columns)
    missing = [column for column in columns if column not in current.columns]
    if missing:
        raise ValueError(f"the logged inputs lack the features {', '.join(missing)}")
    threshold = alpha / len(columns) if rule == "bonferroni" else alpha
    features = []
    for column in columns:
        result = stats.ks_2samp(
            reference[column].dropna().to_numpy(float), current[column].dropna().to_numpy(float)
        )
        p_value = float(result.pvalue)
        features.append(FeatureDrift(column, float(result.statistic), p_value, p_value < threshold))
    drifted = sum(feature.drifted for feature in features)
    drift = drifted > 0 if rule == "bonferroni" else drifted / len(columns) >= drift_share
    return DriftVerdict(
        drift=drift,
        rule=rule,
        alpha=alpha,
        threshold=threshold,
        drift_share=drift_share,
        reference_rows=len(reference),
        current_rows=len(current),
        features=tuple(features),
    )
