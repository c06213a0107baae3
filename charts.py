"""Altair charts of the product: pure functions from data frames to chart specs.

Every axis, legend and tooltip is titled in the planner's words with its unit, from one
mapping (optimizer.column_label), and every chart coloured by country uses one colour per
country whatever the scenario (country_scale).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any

import altair as alt
import pandas as pd

import optimizer

# Lambert conformal conic centred on Europe. Russia is left out: it hosts no pooled site and
# would stretch the map across Asia.
EUROPE = {
    "type": "conicConformal",
    "rotate": [-12, 0],
    "center": [0, 53],
    "parallels": [35, 65],
    "scale": 640,
    "translate": [330, 300],
}
LEFT_OUT = {"RU"}
#: The dataset name under which `spec` gives a chart its data frame.
TABLE = "table"
#: 40 distinct colours (Vega's tableau20, then category20b): one per registry country.
PALETTE = (
    *("#4c78a8", "#9ecae9", "#f58518", "#ffbf79", "#54a24b", "#88d27a", "#b79a20"),
    *("#f2cf5b", "#439894", "#83bcb6", "#e45756", "#ff9d98", "#79706e", "#bab0ac"),
    *("#d67195", "#fcbfd2", "#b279a2", "#d6a5c9", "#9e765f", "#d8b5a5", "#393b79"),
    *("#5254a3", "#6b6ecf", "#9c9ede", "#637939", "#8ca252", "#b5cf6b", "#cedb9c"),
    *("#8c6d31", "#bd9e39", "#e7ba52", "#e7cb94", "#843c39", "#ad494a", "#d6616b"),
    *("#e7969c", "#7b4173", "#a55194", "#ce6dbd", "#de9ed6"),
)


# Streamlit draws every chart without Altair's default theme (a 300 px view); specs made here
# (`spec`) are drawn by Streamlit too, so the theme is off for them as well.
alt.theme.enable("none")


def spec(chart: alt.Chart | alt.LayerChart) -> dict[str, Any]:
    """Return the Vega-Lite spec of a chart drawn from one data frame, the frame included as
    dataset `TABLE`.

    Altair checks a spec against the Vega-Lite schema in about 10 ms; a slider move redraws the
    same charts with new data, so each shape (the spec without its data) is checked once.
    """
    shape = chart.copy(deep=False)
    shape.data = alt.NamedData(TABLE)
    text = json.dumps(shape.to_dict(validate=False))
    _check(text)
    return {**json.loads(text), "datasets": {TABLE: chart.data}}


@functools.lru_cache(maxsize=64)
def _check(text: str) -> None:
    alt.TopLevelSpec.validate(json.loads(text))  # raises if the spec breaks the schema


def title(column: str) -> str:
    """Return a column's axis or legend title in words, with its unit."""
    return optimizer.column_label(column).title()


def tip(field: str) -> alt.Tooltip:
    """Return a tooltip for `field` ("name:Q"), titled in words and rounded for reading."""
    name, _, kind = field.partition(":")
    label = optimizer.column_label(name)
    rounding = label.format.removeprefix("%") if kind == "Q" and label.format else None
    if kind == "Q" and rounding is None:
        rounding = ",.2f"
    return alt.Tooltip(field, title=label.title(), format=rounding or alt.Undefined)


def country_scale(countries: Iterable[str]) -> alt.Scale:
    """Return the colour scale of every per-country chart: a fixed domain of all the given
    countries (pass the registry's), sorted, so that a country keeps its colour across
    scenarios."""
    return _country_scale(tuple(sorted(set(countries))))


@functools.lru_cache(maxsize=8)
def _country_scale(domain: tuple[str, ...]) -> alt.Scale:
    # Made once per domain: Altair checks a scale of 37 countries in about 2 ms.
    return alt.Scale(
        domain=list(domain), range=[PALETTE[i % len(PALETTE)] for i in range(len(domain))]
    )


def europe_map(
    outlines: dict[str, Any],
    sites: pd.DataFrame,
    size: str = "it_capacity_mw",
    color: str | None = None,
    country_values: pd.DataFrame | None = None,
    country_field: str | None = None,
    tooltip: list[str] | None = None,
) -> alt.Chart:
    """Draw the country outlines and the sites as circles sized by `size`.

    Args:
        outlines: GeoJSON feature collection with an `iso_a2` property.
        sites: one row per site with latitude, longitude and the fields named here.
        size: column sizing the circles.
        color: column colouring the circles (a 0-1 share, or categories if text), or None.
        country_values: optional frame with `iso_a2` and `country_field` shading countries.
        country_field: the column of `country_values` that shades the countries.
        tooltip: fields shown when hovering a site ("name:N", "name:Q").
    """
    features = [f for f in outlines["features"] if f["properties"]["iso_a2"] not in LEFT_OUT]
    base = alt.Chart(alt.Data(values=features))
    if country_values is not None and country_field:
        land = (
            base.mark_geoshape(stroke="white", strokeWidth=0.5)
            .encode(
                color=alt.Color(
                    f"{country_field}:Q",
                    scale=alt.Scale(scheme="redblue", domainMid=0),
                    title=title(country_field),
                ),
                tooltip=[
                    alt.Tooltip("properties.name:N", title=title("country")),
                    tip(f"{country_field}:Q"),
                ],
            )
            .transform_lookup(
                lookup="properties.iso_a2",
                from_=alt.LookupData(country_values, "iso_a2", [country_field]),
            )
        )
    else:
        land = base.mark_geoshape(fill="#e8e8e8", stroke="white", strokeWidth=0.5)
    points = sites.dropna(subset=["latitude", "longitude"]).copy()
    points[size] = points[size].fillna(0)
    circle = (
        alt.Chart(points)
        .mark_circle(opacity=0.75, stroke="#333", strokeWidth=0.4)
        .encode(
            longitude="longitude:Q",
            latitude="latitude:Q",
            size=alt.Size(f"{size}:Q", scale=alt.Scale(range=[15, 900]), title=title(size)),
            color=(
                alt.value("#1f5fa8")
                if not color
                else alt.Color(
                    f"{color}:N",
                    title=title(color),
                    scale=alt.Scale(
                        domain=["existing", "committed", "new build"],
                        range=["#1f5fa8", "#6baed6", "#e6550d"],
                    ),
                )
                if points[color].dtype == object
                else alt.Color(
                    f"{color}:Q",
                    scale=alt.Scale(scheme="oranges", domain=[0, 1]),
                    title=title(color),
                )
            ),
            tooltip=[tip(f) for f in tooltip or ["site_name:N", "country:N", f"{size}:Q"]],
        )
    )
    return (
        (land + circle)
        .resolve_scale(color="independent")
        .project(**EUROPE)
        .properties(width=680, height=580)
    )


def bar(
    frame: pd.DataFrame,
    x: str,
    y: str,
    color: str | None = None,
    heading: str = "",
    countries: Iterable[str] | None = None,
) -> alt.Chart:
    """Draw a horizontal bar chart of `x` by category `y`, stacked by `color`; with
    `countries` (every registry country), `color` is a country and keeps its colour."""
    enc: dict[str, Any] = {
        "x": alt.X(f"{x}:Q", title=title(x)),
        "y": alt.Y(f"{y}:N", sort="-x", title=title(y)),
        "tooltip": [tip(f"{y}:N"), tip(f"{x}:Q")] + ([tip(f"{color}:N")] if color else []),
    }
    if color:
        if countries is None:
            enc["color"] = alt.Color(f"{color}:N", title=title(color))
        else:  # every country in the legend, in two columns
            enc["color"] = alt.Color(
                f"{color}:N",
                title=title(color),
                scale=country_scale(countries),
                legend=alt.Legend(columns=2, symbolLimit=0),
            )
    return alt.Chart(frame).mark_bar().encode(**enc).properties(title=heading, width="container")


def line(frame: pd.DataFrame, x: str, y: str) -> alt.Chart:
    """Draw `y` against `x` as a line with points."""
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:Q", title=title(x)),
            y=alt.Y(f"{y}:Q", title=title(y)),
            tooltip=[tip(f"{x}:Q"), tip(f"{y}:Q")],
        )
        .properties(height=220)
    )


def cost_breakdown(costs: pd.DataFrame) -> alt.Chart:
    """Draw the plan's cost terms (columns term, eur_per_yr, kind) as bars coloured by kind:
    money, shadow cost or penalty."""
    return (
        alt.Chart(costs)
        .mark_bar()
        .encode(
            x=alt.X("eur_per_yr:Q", title=title("eur_per_yr")),
            y=alt.Y("term:N", sort="-x", title=title("term")),
            color=alt.Color("kind:N", title="Kind"),
            tooltip=[tip("term:N"), tip("kind:N"), tip("eur_per_yr:Q")],
        )
        .properties(title="Cost breakdown: money, shadow cost and penalties", width="container")
    )


def trade_off(frame: pd.DataFrame, x: str, front: str, color: str) -> alt.LayerChart:
    """Annual cost against `x`, one dot per scenario coloured by `color`, with the Pareto front
    (the rows flagged in column `front`) drawn as a line."""
    base = alt.Chart(frame).encode(
        x=alt.X(f"{x}:Q", title=title(x), scale=alt.Scale(zero=False)),
        y=alt.Y("cost_eur:Q", title=title("cost_eur"), scale=alt.Scale(zero=False)),
        tooltip=[
            tip(f"{f}:Q") for f in (color, "cost_eur", x, "new_mw", "unserved_mwh", "home_share")
        ],
    )
    line = base.mark_line(color="#999").transform_filter(f"datum.{front}")
    dots = base.mark_circle(size=90).encode(
        color=alt.Color(f"{color}:Q", title=title(color), scale=alt.Scale(scheme="viridis"))
    )
    return (line + dots).properties(height=340)


def monthly_factors(factors: pd.DataFrame) -> alt.Chart:
    """Draw each country's monthly price and carbon factors (month / annual mean), in the
    order of the periods table."""
    order = list(dict.fromkeys(factors["period"]))
    long = factors.melt(
        id_vars=["country", "period"],
        value_vars=["price_factor", "carbon_factor"],
        var_name="factor",
        value_name="value",
    ).dropna(subset=["value"])
    long["factor"] = long["factor"].map(title)
    return (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("period:N", sort=order, title=title("period")),
            y=alt.Y("value:Q", title=title("value")),
            color=alt.Color(
                "country:N", title=title("country"), scale=country_scale(factors["country"])
            ),
            column=alt.Column("factor:N", title=None),
            tooltip=[tip("country:N"), tip("period:N"), tip("factor:N"), tip("value:Q")],
        )
        .properties(width=420, height=260)
    )
