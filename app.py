"""Home page: the registry at a glance. Start with `bash scripts/dashboard`."""

import streamlit as st

import charts
import ui

ui.page("European sovereign compute planner")
st.markdown(
    "Plan AI and HPC compute that Europe controls: pool each member state's demand across the "
    "EuroHPC supercomputers, AI Factories and candidate sites, under national grid caps, "
    "sovereignty and fairness rules. Move the sliders on the left, then open **Plan** (where "
    "the compute runs and what binds), **Map**, **Pooling** (what pooling is worth against "
    "every state alone) or **Data** (every figure with its source)."
)
st.page_link("pages/1_Plan.py", label="Open the plan")
reg = ui.registry()
sites, states = reg["sites"], reg["member_states"]
known = sites["it_capacity_mw"].notna()
cols = st.columns(4)
cols[0].metric("Sites", len(sites))
cols[1].metric("Member states", len(states))
cols[2].metric("IT capacity known [MW]", f"{sites.loc[known, 'it_capacity_mw'].sum():,.1f}")
cols[3].metric("Sites with unknown capacity", int((~known).sum()))
if (~known).any():
    st.info(
        f"{int((~known).sum())} sites (most AI Factories and antennas) have published no power, "
        "HPL or accelerator figure. Their IT capacity is left empty and the model counts them "
        "as 0 MW of existing capacity; allow expansion to let it build there. See the Data "
        "page for each site's sources and assumptions."
    )
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
