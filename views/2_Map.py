"""Map page: sites sized by IT capacity and coloured by utilisation; countries by net trade."""

import streamlit as st

import charts
import ui

scenario = ui.page("Map", controls_after=True)
result = ui.plan(scenario)
ui.status_banner(result)
if not result.has_solution:
    ui.stop()

registry = ui.table_with_provenance("sites")
sites = result.sites.drop(columns="site_name").merge(
    registry[
        ["site_id", "site_name", "city", "status", "provenance_it_capacity_mw", "provenance_pue"]
    ],
    on="site_id",
)
sites = sites[sites["capacity_mw"] > 1e-6].assign(
    kind=lambda d: d["capacity_status"].where(d["new_mw"] <= 1e-6, "new build"),
    provenance_it_capacity_mw=lambda d: d["provenance_it_capacity_mw"].str.slice(0, 160),
    provenance_pue=lambda d: d["provenance_pue"].str.slice(0, 160),
)
trade = result.states.rename(columns={"state": "iso_a2"})[["iso_a2", "net_export_mwh"]]
ui.chart(
    charts.europe_map(
        ui.outlines(),
        sites,
        size="capacity_mw",
        color="kind",
        country_values=trade,
        country_field="net_export_mwh",
        tooltip=[
            "site_name:N",
            "country:N",
            "city:N",
            "status:N",
            "available_mw:Q",
            "new_mw:Q",
            "utilisation:Q",
            "pue:Q",
            "provenance_it_capacity_mw:N",
            "provenance_pue:N",
        ],
    ),
    width="content",
)
ui.controls()  # after the map, which a slider move is about
st.caption(
    "Circles: sites with capacity in the plan year, sized by capacity [MW IT]; blue: existing "
    "or committed, orange: sites where the plan builds new capacity. Countries: net export of "
    "compute [MWh IT/yr]; blue hosts more than it uses, red uses more than it hosts. Hover a "
    "site for its figures and where they came from."
)
