"""Plan page: headline figures, where the compute runs, what binds, and the exports."""

import altair as alt
import pandas as pd
import streamlit as st

import charts
import optimizer
import ui

scenario = ui.page("Plan")
result = ui.plan(scenario)
ui.status_banner(result)
if not result.has_solution:
    st.stop()

s = result.summary
cols = st.columns(5)
cols[0].metric("Annual cost [EUR/yr]", ui.eur(s["objective_eur"]))
cols[1].metric("Emissions [tCO2/yr]", f"{s['emissions_t']:,.0f}")
cols[2].metric("Reused heat [MWh th/yr]", f"{s['heat_reused_mwh_th']:,.0f}")
cols[3].metric("Unserved demand [MWh/yr]", f"{s['unserved_mwh']:,.0f}")
cols[4].metric("Served at home", f"{s['home_share']:.1%}")

alloc = result.allocation
left, right = st.columns(2)
with left:
    by_host = alloc.groupby(["host_country", "workload"], as_index=False)["it_mwh"].sum()
    st.altair_chart(
        charts.bar(
            by_host, "it_mwh", "host_country", "workload", "Where the compute runs [MWh IT/yr]"
        )
    )
with right:
    by_state = alloc.groupby(["state", "host_country"], as_index=False)["it_mwh"].sum()
    st.altair_chart(
        charts.bar(
            by_state, "it_mwh", "state", "host_country", "Whose compute it is [MWh IT/yr], by host"
        )
    )

st.subheader("What binds, and what it costs")
binding = result.duals[result.duals["binding"] & (result.duals["family"] != "demand")]
binding = binding.reindex(binding["dual"].abs().sort_values(ascending=False).index)
# Lead with the strongest constraint of each family, so one family does not hide the others.
leaders = binding.drop_duplicates("family")
binding = pd.concat([leaders, binding.drop(leaders.index)])
if binding.empty:
    st.write("No capacity, cap or rule binds: every state is served at its cheapest allowed site.")
else:
    st.markdown("\n".join(f"- {ui.md_escape(text)}" for text in binding["explanation"].head(8)))
    with st.expander(f"All {len(binding)} binding constraints"):
        st.dataframe(
            binding[["explanation", "family", "constraint", "dual"]],
            hide_index=True,
            column_config={
                "explanation": st.column_config.TextColumn(width="large"),
                "dual": st.column_config.NumberColumn(
                    "shadow price [EUR/yr per unit]", format="%.0f"
                ),
            },
        )
worth = (
    result.duals[result.duals["family"].isin(["site_capacity", "energy_cap"])]
    .assign(
        place=lambda d: d["site_id"].fillna("grid of " + d["country"].fillna("")),
        eur_per_mw_yr=lambda d: -d["dual"],
    )
    .groupby(["family", "place"], as_index=False)["eur_per_mw_yr"]
    .sum()
    .query("eur_per_mw_yr > 0")
    .sort_values("eur_per_mw_yr", ascending=False)
)
if not worth.empty:
    with st.expander("Where one more MW is worth most (all periods) [EUR/yr per MW]"):
        st.dataframe(worth.head(15), hide_index=True)
demand_duals = result.duals[result.duals["family"] == "demand"]
marginal = (
    demand_duals.groupby("state", as_index=False)["dual"]
    .mean()
    .rename(columns={"dual": "marginal_cost_eur_per_mw_yr"})
)
with st.expander("Marginal cost of 1 MW more demand, per state"):
    st.dataframe(
        marginal.sort_values("marginal_cost_eur_per_mw_yr", ascending=False), hide_index=True
    )

st.subheader("Sites")
sites = result.sites[(result.sites["it_mwh"] > 0) | (result.sites["it_capacity_mw"] > 0)]
st.dataframe(
    sites.sort_values("utilisation", ascending=False),
    hide_index=True,
    column_config={
        "utilisation": st.column_config.ProgressColumn(
            "utilisation", min_value=0.0, max_value=1.0, format="%.2f"
        )
    },
)
costs = pd.DataFrame(sorted(result.cost_breakdown_eur.items()), columns=["term", "eur_per_yr"])
st.altair_chart(
    alt.Chart(costs)
    .mark_bar()
    .encode(
        x=alt.X("eur_per_yr:Q", title="EUR/yr"),
        y=alt.Y("term:N", sort="-x"),
        tooltip=["term", alt.Tooltip("eur_per_yr:Q", format=",.0f")],
    )
    .properties(title="Cost breakdown", width="container")
)

st.subheader("Export")
# Files are made when clicked (deferred), so a slider move does not rebuild them, and a
# click does not rerun the page (on_click="ignore"), so one download never disturbs the next.
st.download_button(
    "Workbook (Excel): every table, the scenario and the run",
    lambda: optimizer.workbook_bytes(result, scenario),
    "plan.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
)
for name, table in {"allocation": alloc, "sites": result.sites, "states": result.states}.items():
    csv_col, parquet_col = st.columns(2)
    csv_col.download_button(
        f"{name.capitalize()} (CSV)",
        lambda t=table: optimizer.csv_text(t),
        f"{name}.csv",
        "text/csv",
        on_click="ignore",
    )
    parquet_col.download_button(
        f"{name.capitalize()} (Parquet)",
        lambda t=table: optimizer.parquet_bytes(t),
        f"{name}.parquet",
        "application/octet-stream",
        on_click="ignore",
    )
toml_col, store_col = st.columns(2)
toml_col.download_button(
    "Scenario (TOML): reproduces this plan with `sovcompute solve --scenario`",
    scenario.to_toml(),
    "scenario.toml",
    "application/toml",
    on_click="ignore",
)
if store_col.button("Store this run"):
    run_id, _, _ = optimizer.run_and_store(scenario, ui.db_path(), ui.inputs())
    st.success(f"Stored run {run_id}; compare it on the Pooling page.")
