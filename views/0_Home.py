"""Home page: the registry at a glance."""

import streamlit as st

import charts
import ui

ui.page("European sovereign compute planner")
st.markdown(
    "Plan AI and HPC compute that Europe controls: pool each member state's demand across the "
    "EuroHPC supercomputers, AI Factories and new sites, under national grid allowances, "
    "sovereignty and fairness rules. Move the sliders on the left, then open **Plan** (where "
    "the compute runs, what is built and what binds), **Map**, **Pooling** (what pooling is "
    "worth against every state building at home) or **Data** (every figure with its source)."
)
st.page_link("views/1_Plan.py", label="Open the plan")
reg = ui.registry()
sites, states = reg["sites"], reg["member_states"]
scenario = ui.current_scenario()
levels = reg["demand_scenarios"].set_index("demand_scenario")
if scenario.demand_scenario in levels.index:
    level = levels.loc[scenario.demand_scenario]
    st.info(
        ui.md_escape(
            f"The question by default: where should Europe place {level['name'].lower()} "
            f"({level['total_it_mw']:,.0f} MW of IT load by {level['plan_year']}): pooled across "
            "the Union, or built by every state at home? The demand level's sources and "
            "arithmetic are on the Data page (table demand_scenarios)."
        )
    )
    with st.expander("How this demand is built, and from what"):
        st.text(str(level["description"]))
        st.caption(ui.md_escape(ui.provenance_of("demand_scenarios", level.name, "total_it_mw")))
cols = st.columns(4)
cols[0].metric("Sites", len(sites))
cols[1].metric("Member states", len(states))
cols[2].metric(
    "Existing IT capacity [MW]",
    f"{sites.loc[sites['capacity_status'] == 'existing', 'it_capacity_mw'].sum():,.1f}",
)
cols[3].metric("Buildable sites", int((sites["capacity_status"] == "buildable").sum()))
kinds = ui.provenance_counts()
kind_cols = st.columns(len(kinds) or 1)
for col, (kind, n) in zip(kind_cols, kinds.items(), strict=False):
    col.metric(f"Values that are {kind}s", f"{n:,}")
st.caption(
    "Every value in the default data is a fact with its source, a derivation with its "
    "arithmetic, or an assumption with its rationale; the Data page shows which, next to the "
    "value. Existing sites are sunk; committed ones count from their year; buildable ones "
    "(candidates, bids, a greenfield option per state) are a decision priced at the full cost."
)
ui.chart(
    charts.europe_map(
        ui.outlines(),
        sites,
        size="it_capacity_mw",
        tooltip=[
            "site_name:N",
            "category:N",
            "capacity_status:N",
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
by_category = sites.groupby(["category", "capacity_status"], as_index=False).agg(
    sites=("site_id", "count"),
    it_capacity_mw=("it_capacity_mw", "sum"),
    buildable_up_to_mw=("expansion_limit_mw", "sum"),
)
ui.table(by_category)
