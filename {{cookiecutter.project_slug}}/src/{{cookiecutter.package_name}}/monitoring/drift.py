"""Data drift between the training reference and a window of served inputs.

One test per feature, chosen by its kind (scipy): a two-sample Kolmogorov-Smirnov test of a
numeric feature's distribution, and a chi-square test of a categorical or boolean feature's
category counts (an empty cell counts as a category of its own, as the model sees it). Then one
verdict for the whole check, by either rule:

- ``bonferroni``: drift when a feature's p-value is below ``alpha`` divided by the number of
  features. The chance of a false alarm for the whole check stays at most ``alpha``, and drift
  confined to one feature is still caught.
- ``share``: drift when at least ``drift_share`` of the features have a p-value below
  ``alpha``; Evidently's rule, which with its default of 0.5 misses drift in a few features.

The model's predictions get the same test (KS for a regressor's numbers, chi-square for a
classifier's classes) against its predictions of the reference rows: reported beside the
inputs, since a shift in what the model answers matters even when no single input moved much.

Evidently's DataDriftPreset computes the same KS p-values below 1000 rows, but Evidently 0.7.23,
the newest release, cannot be imported with pandas 3.1 (it imports a helper pandas removed), and
adds over 100 MB of dependencies; this module and :mod:`.report` replace it.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..pipeline.features import column_as_text
from ..pipeline.schema import Kind, infer_kind

PREDICTION = "(prediction)"


@dataclass(frozen=True)
class FeatureDrift:
    """One column's test: which test, its statistic and p-value, and whether it drifted."""

    feature: str
    kind: str
    test: str
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
    prediction: FeatureDrift | None = None

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


def ks_test(reference: pd.Series, current: pd.Series) -> tuple[str, float, float]:
    """Kolmogorov-Smirnov on the non-empty values (no values on a side: nothing to judge)."""
    before = pd.to_numeric(reference, errors="coerce").dropna().to_numpy(float)
    after = pd.to_numeric(current, errors="coerce").dropna().to_numpy(float)
    if len(before) == 0 or len(after) == 0:
        return "ks", 0.0, 1.0
    result = stats.ks_2samp(before, after)
    return "ks", float(result.statistic), float(result.pvalue)


def chi2_test(reference: pd.Series, current: pd.Series) -> tuple[str, float, float]:
    """Chi-square test of the category counts on both sides (one category: nothing to judge)."""
    counts = pd.concat(
        [column_as_text(reference).value_counts(), column_as_text(current).value_counts()],
        axis=1,
    ).fillna(0)
    if len(counts) < 2:
        return "chi2", 0.0, 1.0
    statistic, p_value, _, _ = stats.chi2_contingency(counts.to_numpy().T)
    return "chi2", float(statistic), float(p_value)


def test_column(name: str, kind: Kind, reference: pd.Series, current: pd.Series) -> FeatureDrift:
    """The test of one column's kind, not yet judged (see :func:`detect_drift`)."""
    test = ks_test if kind == Kind.NUMERIC else chi2_test
    name_of_test, statistic, p_value = test(reference, current)
    return FeatureDrift(name, kind.value, name_of_test, statistic, p_value, False)


def judged(feature: FeatureDrift, threshold: float) -> FeatureDrift:
    """The test with its verdict against the per-feature threshold."""
    return FeatureDrift(**{**asdict(feature), "drifted": feature.p_value < threshold})


def detect_drift(  # pylint: disable=too-many-arguments
    reference: pd.DataFrame,
    current: pd.DataFrame,
    alpha: float = 0.05,
    rule: str = "bonferroni",
    drift_share: float = 0.5,
    *,
    kinds: Mapping[str, Kind] | None = None,
    prediction: FeatureDrift | None = None,
) -> DriftVerdict:
    """Test every reference column against the same column of ``current``; one verdict.

    ``kinds`` says which test each column gets (inferred from the reference when not given);
    ``prediction`` is the predictions' test (:func:`prediction_drift`), judged by ``alpha``.
    """
    columns = list(reference.columns)
    missing = [column for column in columns if column not in current.columns]
    if missing:
        raise ValueError(f"the logged inputs lack the features {', '.join(missing)}")
    kinds = kinds or {column: infer_kind(reference[column]) for column in columns}
    threshold = alpha / len(columns) if rule == "bonferroni" else alpha
    features = tuple(
        judged(test_column(column, kinds[column], reference[column], current[column]), threshold)
        for column in columns
    )
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
        features=features,
        prediction=None if prediction is None else judged(prediction, alpha),
    )


def prediction_drift(reference: Any, current: Any, numeric: bool) -> FeatureDrift:
    """The predictions' test: KS for numbers (a regressor), chi-square for classes."""
    kind = Kind.NUMERIC if numeric else Kind.CATEGORICAL
    return test_column(PREDICTION, kind, pd.Series(np.asarray(reference)), pd.Series(current))
