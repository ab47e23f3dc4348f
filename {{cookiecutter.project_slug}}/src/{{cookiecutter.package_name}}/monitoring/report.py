"""The drift report: one self-contained HTML page a person opens in a browser.

The verdict, a table of the per-feature tests (most significant first) and, per feature, the
reference and current distributions side by side: overlaid histograms for numbers, bars of each
category's share for categories and booleans. The predictions get the same plot, under the
features. The plots are PNG images inlined in the page, so the file can be mailed, archived by
CI or opened offline; it runs no JavaScript. The figures are drawn with matplotlib's
object-oriented API, as the training plots are: no display needed.
"""

import base64
import html
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..pipeline.features import column_as_text
from .drift import DriftVerdict, FeatureDrift

STYLE = (
    "body { font-family: sans-serif; margin: 2em; max-width: 70em }"
    " td, th { padding: 2px 10px; text-align: left }"
    " tr.drift { background: #fdd } img { margin: 4px }"
)
# Categories a bar chart shows; the rarer ones are summed into one bar.
SHOWN_CATEGORIES = 12
OTHER = "(other)"


def histogram(axes: Axes, reference: pd.Series, current: pd.Series) -> None:
    """Both distributions of a numeric column on the same bins."""
    before = pd.to_numeric(reference, errors="coerce").dropna()
    after = pd.to_numeric(current, errors="coerce").dropna()
    both = pd.concat([before, after])
    bins = np.histogram_bin_edges(both, bins=20).tolist() if len(both) else 20
    axes.hist(before, bins=bins, alpha=0.55, density=True, label="reference")
    axes.hist(after, bins=bins, alpha=0.55, density=True, label="current")


def shares(column: pd.Series, shown: list[str]) -> pd.Series:
    """Each shown category's share of a column, the others summed as one."""
    counts = column_as_text(column).value_counts(normalize=True)
    kept = counts.reindex(shown, fill_value=0.0)
    return pd.concat([kept, pd.Series({OTHER: max(0.0, 1.0 - kept.sum())})])


def bars(axes: Axes, reference: pd.Series, current: pd.Series) -> None:
    """Each category's share on both sides, the most common categories first."""
    common = pd.concat([column_as_text(reference), column_as_text(current)]).value_counts()
    shown = [str(category) for category in common.index[:SHOWN_CATEGORIES]]
    before, after = shares(reference, shown), shares(current, shown)
    if max(before[OTHER], after[OTHER]) < 1e-9:  # every category shown: no "other" bar
        before, after = before.drop(OTHER), after.drop(OTHER)
    positions = np.arange(len(before))
    axes.bar(positions - 0.2, before.to_numpy(), width=0.4, label="reference")
    axes.bar(positions + 0.2, after.to_numpy(), width=0.4, label="current")
    axes.set_xticks(positions, before.index, rotation=45, ha="right")
    axes.set_ylabel("share")


def distribution_png(feature: FeatureDrift, reference: pd.Series, current: pd.Series) -> str:
    """One column's reference and current distributions, as base64 PNG."""
    figure = Figure(figsize=(4.2, 2.8), dpi=80, layout="constrained")
    axes = figure.add_subplot()
    draw = histogram if feature.test == "ks" else bars
    draw(axes, reference, current)
    status = "drift" if feature.drifted else "ok"
    axes.set_title(
        f"{feature.feature}: {feature.test} p={feature.p_value:.1e} ({status})", fontsize=8
    )
    axes.legend(fontsize=7)
    axes.tick_params(labelsize=7)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def table_row(feature: FeatureDrift) -> str:
    """One feature's line of the table."""
    status = "drift" if feature.drifted else "ok"
    cells = (
        html.escape(feature.feature),
        feature.kind,
        feature.test,
        f"{feature.statistic:.3f}",
        f"{feature.p_value:.2e}",
        status,
    )
    return f"<tr class='{status}'><td>" + "</td><td>".join(cells) + "</td></tr>"


def plot_image(feature: FeatureDrift, reference: pd.Series, current: pd.Series) -> str:
    """One column's plot as an inline image."""
    png = distribution_png(feature, reference, current)
    alt = html.escape(f"{feature.feature}: reference against current")
    return f"<img alt='{alt}' src='data:image/png;base64,{png}'>"


def prediction_part(
    verdict: DriftVerdict, predicted: tuple[pd.Series, pd.Series] | None
) -> list[str]:
    """The predictions' test and plot, or why they were not compared."""
    if verdict.prediction is None or predicted is None:
        return ["<h2>Predictions</h2><p>Not compared: the model could not be loaded.</p>"]
    test = verdict.prediction
    status = "drifted" if test.drifted else "did not drift"
    return [
        f"<h2>Predictions</h2><p>The predictions {status}: {test.test} p-value "
        f"{test.p_value:.2e} against alpha {verdict.alpha}, compared with what the same model "
        "predicts for the reference rows.</p>",
        plot_image(test, *predicted),
    ]


def write_report(
    verdict: DriftVerdict,
    reference: pd.DataFrame,
    current: pd.DataFrame,
    path: Path,
    predicted: tuple[pd.Series, pd.Series] | None = None,
) -> Path:
    """Write the HTML page of ``verdict`` to ``path``; ``predicted`` holds the reference's and
    the window's predictions, when they were compared."""
    headline = "drift detected" if verdict.drift else "no drift"
    summary = (
        f"Rule {verdict.rule}, alpha {verdict.alpha}, per-feature threshold "
        f"{verdict.threshold:.4g}: {len(verdict.drifted_features)} of {len(verdict.features)} "
        f"features drifted. Reference: {verdict.reference_rows} training rows; current: the "
        f"{verdict.current_rows} newest logged inputs."
    )
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Data drift report</title>",
        f"<style>{STYLE}</style></head><body><h1>Data drift report: {headline}</h1>",
        f"<p>{html.escape(summary)}</p>",
        "<table><tr><th>feature</th><th>kind</th><th>test</th><th>statistic</th>"
        "<th>p-value</th><th></th></tr>",
        *(table_row(feature) for feature in verdict.ranked),
        "</table><div>",
        *(
            plot_image(feature, reference[feature.feature], current[feature.feature])
            for feature in verdict.ranked
        ),
        "</div>",
        *prediction_part(verdict, predicted),
        "<details><summary>JSON verdict</summary><pre>",
        html.escape(json.dumps(verdict.as_dict(), indent=1)),
        "</pre></details></body></html>",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
