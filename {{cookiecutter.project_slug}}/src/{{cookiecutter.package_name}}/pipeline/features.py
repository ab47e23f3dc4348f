"""Features step: turn the configured columns into what the model learns from.

The transformer is the first stage of the model's scikit-learn pipeline, so it is fitted on the
training rows only (nothing leaks from the held-out rows) and travels with the model: whoever
loads the model feeds it raw columns, exactly as they appear in the CSV file.
"""

from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import StandardScaler


def build_features(features: tuple[str, ...]) -> ColumnTransformer:
    """Scale each feature to zero mean and unit variance, and drop every other column.

    Linear models need features on one scale; tree models are indifferent to it, so one
    transformer serves every model kind. Output columns keep the input names, which the
    feature-importance plot shows.
    """
    return ColumnTransformer(
        [("scaled", StandardScaler(), list(features))],
        remainder="drop",
        verbose_feature_names_out=False,
    )
