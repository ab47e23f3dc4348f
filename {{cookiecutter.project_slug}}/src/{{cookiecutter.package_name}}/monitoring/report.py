"""The drift report: one self-contained HTML page a person opens in a browser.

The verdict, a table of the per-feature tests (most significant first) and, per feature, the
reference and current distributions overlaid. The plots are PNG images inlined in the page, so
the file can be mailed, archived by CI or opened offline; it runs no JavaScript. The figures
are drawn with matplotlib's object-oriented API, as the training plots are: no display needed.
"""

import base64
import html
import io
import json
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from .drift import DriftVerdict, FeatureDrift

STYLE = (
    "body { font-family: sans-serif; margin: 2em; max-width: 70em }"
    " td, th { padding: 2px 10px; text-align: left }"
    " tr.drift { background: #fdd } img { margin: 4px }"
)


def histogram_png(reference: pd.Series, current: pd.Series, title: str) -> str:
    """One feature's reference and current distributions on the same bins, as base64 PNG."""
    figure = Figure(figsize=(4.2, 2.6), dpi=80, layout="constrained")
    axes = figure.add_subplot()
    both = pd.concat([reference, current]).dropna()
    bins = pd.cut(both, bins=20, retbins=True)[1]
    axes.hist(reference.dropna(), bins=bins, alpha=0.55, density=True, label="reference")
    axes.hist(current.dropna(), bins=bins, alpha=0.55, density=True, label="current")
    axes.legend(fontsize=7)
    axes.set_title(title, fontsize=8)
    axes.tick_params(labelsize=7)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def table_row(feature: FeatureDrift) -> str:
    """One feature's line of the table."""
    status = "drift" if feature.drifted else "ok"
    cells = (html.escape(feature.feature), f"{feature.statistic:.3f}", f"{feature.p_value:.2e}")
    return f"<tr class='{status}'><td>" + "</td><td>".join((*cells, status)) + "</td></tr>"


def feature_plot(feature: FeatureDrift, reference: pd.DataFrame, current: pd.DataFrame) -> str:
    """One feature's plot as an inline image."""
    status = "drift" if feature.drifted else "ok"
    title = f"{feature.feature}: KS p={feature.p_value:.1e} ({status})"
    png = histogram_png(reference[feature.feature], current[feature.feature], title)
    return f"<img alt='{html.escape(title)}' src='data:image/png;base64,{png}'>"


def write_report(
    verdict: DriftVerdict, reference: pd.DataFrame, current: pd.DataFrame, path: Path
) -> Path:
    """Write the HTML page of ``verdict`` to ``path``."""
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
        "<table><tr><th>feature</th><th>KS statistic</th><th>p-value</th><th></th></tr>",
        *(table_row(feature) for feature in verdict.ranked),
        "</table><div>",
        *(feature_plot(feature, reference, current) for feature in verdict.ranked),
        "</div><details><summary>JSON verdict</summary><pre>",
        html.escape(json.dumps(verdict.as_dict(), indent=1)),
        "</pre></details></body></html>",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
