"""Pooling page: the pooled plan against every state alone, and two stored runs side by side."""

import json

import pandas as pd
import streamlit as st

import charts
import optimizer
import ui

scenario = ui.page("Pooling")
result = ui.compare(scenario)
if result.by_state.empty:
    ui.status_banner(result.pooled if not result.pooled.has_solution else result.autarky)
    st.stop()

t = result.totals
cols = st.columns(5)
cols[0].metric("Pooling saves [EUR/yr]", ui.eur(t["dividend_objective_eur"]))
cols[1].metric("Less unserved demand [MWh/yr]", f"{t['dividend_unserved_mwh']:,.0f}")
cols[2].metric("Emissions avoided [tCO2/yr]", f"{t['dividend_emissions_t']:,.0f}")
cols[3].metric("New capacity avoided [MW]", f"{t['dividend_expansion_mw']:,.1f}")
cols[4].metric("Heat reused, pooled minus alone [MWh th/yr]", f"{-t['dividend_heat_mwh_th']:,.0f}")
st.caption(
    "Dividend = autarky minus pooled. In autarky every state runs on its own sites; "
    "demand it cannot serve at home is unserved and priced at the value of lost compute, "
    "so serving more in the pool can raise emissions while it lowers cost."
)
st.altair_chart(
    charts.bar(
        result.by_state, "dividend_cost_eur", "state", title="Pooling dividend per state [EUR/yr]"
    )
)
st.dataframe(result.by_state, hide_index=True)

st.subheader("Two stored runs side by side")
runs = optimizer.runs(ui.db_path())
if len(runs) < 2:
    st.info("Store runs from the Plan page (or with `sovcompute solve`) to compare them here.")
    st.stop()
labels = {r.run_id: f"{r.run_id} - {r.scenario_name} ({r.status})" for r in runs.itertuples()}
a_id, b_id = st.columns(2)
first = a_id.selectbox("Run A", list(labels), format_func=labels.get, index=1)
second = b_id.selectbox("Run B", list(labels), format_func=labels.get, index=0)
a, b = optimizer.load_run(first, ui.db_path()), optimizer.load_run(second, ui.db_path())
keys = [
    "objective_eur",
    "emissions_t",
    "unserved_mwh",
    "heat_reused_mwh_th",
    "expansion_mw",
    "home_share",
]
st.dataframe(
    pd.DataFrame(
        {"A": [a["summary"].get(k) for k in keys], "B": [b["summary"].get(k) for k in keys]},
        index=keys,
    )
)
sa, sb = json.loads(a["scenario"]), json.loads(b["scenario"])
diff = [(k, sa.get(k), sb.get(k)) for k in sorted(set(sa) | set(sb)) if sa.get(k) != sb.get(k)]
st.write("**Scenario differences**")
st.dataframe(pd.DataFrame(diff, columns=["key", "A", "B"]).astype(str), hide_index=True)
st.write("**Input differences** (rows of inputs/ that differ)")
for name in sorted(k for k in a["tables"] if k.startswith("inputs/")):
    left, right = a["tables"][name], b["tables"].get(name, pd.DataFrame())
    merged = left.merge(right, how="outer", indicator=True)
    changed = merged[merged["_merge"] != "both"]
    if not changed.empty:
        st.text(name)
        st.dataframe(
            changed.replace({"left_only": "A only", "right_only": "B only"}), hide_index=True
        )
