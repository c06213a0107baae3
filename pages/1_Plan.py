"""Plan page: headline figures, where the compute runs and what is built, what binds, exports."""

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
levels = ui.registry()["demand_scenarios"].set_index("demand_scenario")
level = levels.loc[s.demand_scenario] if s.demand_scenario in levels.index else None
st.caption(
    ui.md_escape(
        f"Plan year {s.plan_year}; demand: "
        + (
            f"{level['name']} ({level['total_it_mw'] * scenario.demand_growth:,.0f} MW IT)"
            if level is not None
            else str(s.demand_scenario)
        )
        + f". Solved as {s.formulation}."
    )
)
for i, key in enumerate(optimizer.HEADLINE):
    if i % 5 == 0:
        cols = st.columns(5)
    cols[i % 5].metric(optimizer.label(key), optimizer.formatted(key, getattr(s, key)))
st.caption(
    "Annual cost is money: electricity, the annuities of new facilities and IT hardware, "
    "transfer, less heat sold. Power prices already carry the EU ETS, so the carbon cost is a "
    "shadow cost shown apart. Unserved demand and unmet rules are counted in MWh, never in EUR."
)

built = result.sites[result.sites["new_mw"] > 1e-6].sort_values("new_mw", ascending=False)
if not built.empty:
    top = ", ".join(
        f"{r.site_name} ({r.country}) {r.new_mw:,.1f} MW" for r in built.head(3).itertuples()
    )
    more = f" and {len(built) - 3} more sites." if len(built) > 3 else "."
    st.write(f"**Built:** {ui.md_escape(top + more)}")

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
    capacity = result.sites.assign(
        kind=result.sites["capacity_status"].where(result.sites["available_mw"] > 0, "new build")
    )
    used = pd.concat(
        [
            capacity.assign(mw=capacity["available_mw"], what="existing or committed"),
            capacity.assign(mw=capacity["new_mw"], what="built by the plan"),
        ]
    )
    used = used[used["mw"] > 1e-6].groupby(["country", "what"], as_index=False)["mw"].sum()
    st.altair_chart(
        charts.bar(used, "mw", "country", "what", "Capacity by country [MW IT], existing and new")
    )

st.subheader("What binds, and what it is worth")
levers = result.levers
if levers.empty:
    st.write("No capacity, allowance or rule binds: every state is served at its cheapest site.")
else:
    # Lead with the strongest lever of each family, so one family does not hide the others.
    leaders = levers.drop_duplicates("family")
    ordered = pd.concat([leaders, levers.drop(leaders.index)])
    st.markdown("\n".join(f"- {ui.md_escape(text)}" for text in ordered["sentence"].head(8)))
    grid = levers[levers["family"] == "energy_cap"]
    if not grid.empty:
        st.markdown(
            "**Grid allowances that bind:**\n"
            + "\n".join(f"- {ui.md_escape(text)}" for text in grid["sentence"])
        )
    with st.expander(f"All {len(levers)} binding constraints, per year"):
        st.dataframe(
            ordered,
            hide_index=True,
            column_config={
                "sentence": st.column_config.TextColumn("In words", width="large"),
                "family": "Constraint family",
                "subject": "Where",
                "value_eur_per_yr": st.column_config.NumberColumn(
                    "Value of one more unit [EUR/yr]", format="%.0f"
                ),
                "holds_for": st.column_config.NumberColumn("Holds for [MW]", format="%.2f"),
            },
        )
allowances = optimizer.grid_allowances(ui.inputs(), scenario)
new_by_country = (
    (result.sites["new_mw"] * result.sites["pue"]).groupby(result.sites["country"]).sum()
)
allowances["new_builds_mw"] = allowances["country"].map(new_by_country).fillna(0.0)
allowances["binding"] = allowances["country"].isin(
    levers.loc[levers["family"] == "energy_cap", "subject"]
)
with st.expander("Grid allowances for new data centres [MW facility] and their basis"):
    st.dataframe(
        allowances.sort_values("new_builds_mw", ascending=False),
        hide_index=True,
        column_config={
            "country": "Country",
            "energy_cap_mw": st.column_config.NumberColumn("Allowance [MW]", format="%.1f"),
            "basis": "Basis",
            "new_builds_mw": st.column_config.NumberColumn(
                "Used by new builds [MW]", format="%.1f"
            ),
            "binding": "Binds",
        },
    )
with st.expander("Marginal cost of 1 MW more demand all year, per state [EUR/yr]"):
    marginal = optimizer.marginal_costs(result.duals)
    st.dataframe(
        marginal.sort_values("marginal_cost_eur_per_mw_yr", ascending=False),
        hide_index=True,
        column_config={
            "marginal_cost_eur_per_mw_yr": st.column_config.NumberColumn(
                "Marginal cost [EUR/yr per MW]", format="%.0f"
            )
        },
    )

st.subheader("Sites")
sites = result.sites[(result.sites["it_mwh"] > 0) | (result.sites["capacity_mw"] > 0)]
st.dataframe(
    sites.sort_values("peak_it_mw", ascending=False)[
        [
            "site_name",
            "country",
            "capacity_status",
            "available_mw",
            "new_mw",
            "peak_it_mw",
            "utilisation",
            "pue",
            "heat_mwh_th",
            "capital_cost_eur",
        ]
    ],
    hide_index=True,
    column_config={
        "site_name": "Site",
        "country": "Country",
        "capacity_status": "Status",
        "available_mw": st.column_config.NumberColumn("Existing [MW IT]", format="%.1f"),
        "new_mw": st.column_config.NumberColumn("Built [MW IT]", format="%.1f"),
        "peak_it_mw": st.column_config.NumberColumn("Peak load [MW IT]", format="%.1f"),
        "utilisation": st.column_config.ProgressColumn(
            "Utilisation", min_value=0.0, max_value=1.0, format="%.2f"
        ),
        "pue": st.column_config.NumberColumn("PUE", format="%.2f"),
        "heat_mwh_th": st.column_config.NumberColumn("Heat reused [MWh th/yr]", format="%.0f"),
        "capital_cost_eur": st.column_config.NumberColumn("Capital [EUR/yr]", format="%.0f"),
    },
)
kinds = {**dict.fromkeys(optimizer.MONEY, "money"), "carbon": "shadow cost"}
costs = pd.DataFrame(
    [
        (term, value, kinds.get(term, "penalty"))
        for term, value in sorted(result.cost_breakdown_eur.items())
    ],
    columns=["term", "eur_per_yr", "kind"],
)
st.altair_chart(
    alt.Chart(costs)
    .mark_bar()
    .encode(
        x=alt.X("eur_per_yr:Q", title="EUR/yr"),
        y=alt.Y("term:N", sort="-x", title="Cost term"),
        color=alt.Color("kind:N", title="Kind"),
        tooltip=["term", "kind", alt.Tooltip("eur_per_yr:Q", format=",.0f")],
    )
    .properties(title="Cost breakdown: money, shadow cost and penalties", width="container")
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
    # The plan on screen is stored as it is; nothing is solved again.
    run_id, _, _ = optimizer.run_and_store(scenario, ui.db_path(), ui.inputs(), result)
    st.success(f"Stored run {run_id}; compare it on the Pooling page.")
