"""Home page: the registry at a glance. Start with `streamlit run app.py`."""

import streamlit as st

import charts
import ui

ui.page("European sovereign compute planner")
st.page_link("pages/1_Plan.py", label="Open the plan")
st.markdown(
    "Plan AI and HPC compute that Europe controls: pool each member state's demand across the "
    "EuroHPC supercomputers, AI Factories and candidate sites, under national grid caps, "
    "sovereignty and fairness rules. Every figure shows where it came from."
)
reg = ui.registry()
sites, states = reg["sites"], reg["member_states"]
known = sites["it_capacity_mw"].notna()
cols = st.columns(4)
cols[0].metric("Sites", len(sites))
cols[1].metric("Member states", len(states))
cols[2].metric("IT capacity known [MW]", f"{sites.loc[known, 'it_capacity_mw'].sum():,.1f}")
cols[3].metric("Sites with unknown capacity", int((~known).sum()))
st.altair_chart(
    charts.europe_map(
        ui.outlines(),
        sites,
        size="it_capacity_mw",
        tooltip=[
            "site_name:N",
            "category:N",
            "country:N",
            "city:N",
            "status:N",
            "it_capacity_mw:Q",
            "pue:Q",
        ],
    ),
    width="content",
)
st.caption(
    "Outlines: Natural Earth 1:110m (public domain), shipped with the tool; nothing is loaded "
    "from the internet. Site positions are town centroids."
)
by_category = sites.groupby("category", as_index=False).agg(
    sites=("site_id", "count"), it_capacity_mw=("it_capacity_mw", "sum")
)
st.dataframe(by_category, hide_index=True)
