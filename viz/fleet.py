"""The fleet chart: energy totals per site, side by side, so outliers stand out across sites."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from viz import style
from viz.records import SiteSummary


def fleet_totals(summaries: list[SiteSummary], path: Path) -> Path:
    ordered = sorted(summaries, key=lambda s: s.site_id)
    # Horizontal bars: site ids stay readable however many sites there are.
    height = min(30.0, max(3.5, 1.6 + 0.32 * len(ordered)))
    fig, (ax,) = style.figure(size=(10.0, height), layout="constrained")  # once a batch: its legend below
    fig.suptitle(
        f"Fleet — energy totals per site ({len(ordered)} sites)",
        fontsize=13,
        fontweight="bold",
        x=0.01,
        ha="left",
    )
    ax.set_title(_range(ordered), loc="left", fontsize=9, fontweight="normal", color="#444444")
    rows = np.arange(len(ordered))
    generated = [s.totals["generated"] for s in ordered]
    consumed = [s.totals["consumed"] for s in ordered]
    for offset, values, colour, label in (
        (-0.2, generated, style.GENERATED_COLOUR, "Generated"),
        (0.2, consumed, style.CONSUMED_COLOUR, "Consumed"),
    ):
        bars = ax.barh(rows + offset, values, height=0.4, color=colour, label=label)
        ax.bar_label(bars, fmt="{:,.0f}", padding=3, fontsize=7, color="#333333")
    net = [s.totals["net"] for s in ordered]
    ax.scatter(net, rows, marker="|", s=160, color=style.BLACK, linewidths=2, zorder=3, label="Net")
    ax.set_yticks(rows, [style.short(s.site_id, 32) for s in ordered])
    ax.invert_yaxis()  # alphabetical from the top, like the gallery table
    ax.axvline(0, color=style.BLACK, lw=0.8)
    ax.set_xlabel("kWh in the charted range")
    ax.xaxis.set_major_formatter("{x:,.0f}")
    fig.legend(loc="outside lower center", ncols=3)
    ax.grid(axis="y", visible=False)
    return style.save(fig, path)


def _range(summaries: list[SiteSummary]) -> str:
    if not summaries:
        return "no sites"
    return f"{min(s.start for s in summaries)} to {max(s.end for s in summaries)} UTC"
