"""Altair charts of the product: pure functions from data frames to chart specs."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

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


def europe_map(
    outlines: dict[str, Any],
    sites: pd.DataFrame,
    size: str = "it_capacity_mw",
    color: str | None = None,
    country_values: pd.DataFrame | None = None,
    country_field: str | None = None,
    tooltip: list[str] | None = None,
    color_title: str | None = None,
    size_title: str | None = None,
) -> alt.Chart:
    """Draw the country outlines and the sites as circles sized by `size`.

    Args:
        outlines: GeoJSON feature collection with an `iso_a2` property.
        sites: one row per site with latitude, longitude and the fields named here.
        size: column sizing the circles.
        color: column colouring the circles (a 0-1 share, or categories if text), or None.
        country_values: optional frame with `iso_a2` and `country_field` shading countries.
        country_field: the column of `country_values` that shades the countries.
        tooltip: columns shown when hovering a site.
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
                    title=country_field,
                ),
                tooltip=[
                    alt.Tooltip("properties.name:N", title="country"),
                    alt.Tooltip(f"{country_field}:Q", format=",.2f"),
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
            size=alt.Size(f"{size}:Q", scale=alt.Scale(range=[15, 900]), title=size_title or size),
            color=(
                alt.value("#1f5fa8")
                if not color
                else alt.Color(
                    f"{color}:N",
                    title=color_title or color,
                    scale=alt.Scale(
                        domain=["existing", "committed", "new build"],
                        range=["#1f5fa8", "#6baed6", "#e6550d"],
                    ),
                )
                if points[color].dtype == object
                else alt.Color(
                    f"{color}:Q",
                    scale=alt.Scale(scheme="oranges", domain=[0, 1]),
                    title=color_title or color,
                )
            ),
            tooltip=tooltip or ["site_name:N", "country:N", f"{size}:Q"],
        )
    )
    return (
        (land + circle)
        .resolve_scale(color="independent")
        .project(**EUROPE)
        .properties(width=680, height=580)
    )


def bar(
    frame: pd.DataFrame, x: str, y: str, color: str | None = None, title: str = ""
) -> alt.Chart:
    """Draw a horizontal bar chart of `x` by category `y`, stacked by `color`."""
    enc: dict[str, Any] = {
        "x": alt.X(f"{x}:Q", title=x),
        "y": alt.Y(f"{y}:N", sort="-x", title=y),
        "tooltip": [y, alt.Tooltip(f"{x}:Q", format=",.3f")] + ([color] if color else []),
    }
    if color:
        enc["color"] = alt.Color(f"{color}:N")
    return alt.Chart(frame).mark_bar().encode(**enc).properties(title=title, width="container")


def trade_off(
    frame: pd.DataFrame, x: str, x_title: str, front: str, color: str, color_title: str
) -> alt.LayerChart:
    """Annual cost against `x`, one dot per scenario coloured by `color`, with the Pareto front
    (the rows flagged in column `front`) drawn as a line."""
    base = alt.Chart(frame).encode(
        x=alt.X(f"{x}:Q", title=x_title, scale=alt.Scale(zero=False)),
        y=alt.Y(
            "cost_eur:Q",
            title="annual cost, money only [EUR/yr]",
            scale=alt.Scale(zero=False),
        ),
        tooltip=[color, "cost_eur", x, "new_mw", "unserved_mwh", "home_share"],
    )
    line = base.mark_line(color="#999").transform_filter(f"datum.{front}")
    dots = base.mark_circle(size=90).encode(
        color=alt.Color(f"{color}:Q", title=color_title, scale=alt.Scale(scheme="viridis"))
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
    return (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("period:N", sort=order, title="period"),
            y=alt.Y("value:Q", title="factor [month / annual mean]"),
            color=alt.Color("country:N", title="country"),
            column=alt.Column("factor:N", title=None),
            tooltip=["country", "period", "factor", alt.Tooltip("value:Q", format=".3f")],
        )
        .properties(width=420, height=260)
    )
