"""Plan page: headline figures, where the compute runs and what is built, what binds, exports."""

import functools
from collections.abc import Callable

import pandas as pd
import streamlit as st

import charts
import optimizer
import ui

scenario = ui.page("Plan", controls_after=True)
result = ui.plan(scenario)
ui.status_banner(result)
if not result.has_solution:
    ui.stop()

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
ui.controls()  # after the headline figures, which a slider move is about

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
    whose = alloc.groupby(["host_country", "state"], as_index=False)["it_mwh"].sum()
    ui.chart(
        charts.bar(
            whose,
            "it_mwh",
            "host_country",
            "state",
            "Where the compute runs, and whose it is [MWh IT/yr]",
            countries=ui.countries(),
        )
    )
with right:
    used = (
        result.sites[["country", "available_mw", "new_mw"]]
        .rename(columns={"available_mw": "existing or committed", "new_mw": "built by the plan"})
        .melt("country", var_name="what", value_name="mw")
    )
    used = used[used["mw"] > 1e-6].groupby(["country", "what"], as_index=False)["mw"].sum()
    ui.chart(
        charts.bar(used, "mw", "country", "what", "Capacity by country, existing and new [MW IT]")
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
        ui.table(ordered, {"sentence": st.column_config.TextColumn(width="large")})
allowances = optimizer.grid_allowances(ui.inputs(), scenario)
new_by_country = (
    (result.sites["new_mw"] * result.sites["pue"]).groupby(result.sites["country"]).sum()
)
allowances["new_builds_mw"] = allowances["country"].map(new_by_country).fillna(0.0)
allowances["binding"] = allowances["country"].isin(
    levers.loc[levers["family"] == "energy_cap", "subject"]
)
with st.expander("Grid allowances for new data centres [MW facility] and their basis"):
    ui.table(allowances.sort_values("new_builds_mw", ascending=False))
with st.expander("Marginal cost of 1 MW more demand all year, per state [EUR/yr]"):
    marginal = optimizer.marginal_costs(result.duals)
    ui.table(marginal.sort_values("marginal_cost_eur_per_mw_yr", ascending=False))

st.subheader("Sites")
sites = result.sites[(result.sites["it_mwh"] > 0) | (result.sites["capacity_mw"] > 0)]
ui.table(
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
    {"utilisation": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="%.2f")},
)
kinds = {**dict.fromkeys(optimizer.MONEY, "money"), "carbon": "shadow cost"}
costs = pd.DataFrame(
    [
        (term.replace("_", " "), value, kinds.get(term, "penalty"))
        for term, value in sorted(result.cost_breakdown_eur.items())
    ],
    columns=["term", "eur_per_yr", "kind"],
)
ui.chart(charts.cost_breakdown(costs))

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
FORMATS: tuple[tuple[str, Callable[[pd.DataFrame], str | bytes], str, str], ...] = (
    ("CSV", optimizer.csv_text, "csv", "text/csv"),
    ("Parquet", optimizer.parquet_bytes, "parquet", "application/octet-stream"),
)
# One block of two columns, not one per row: fewer elements for the browser to redraw.
left, right = st.columns(2)
for name, table in {"allocation": alloc, "sites": result.sites, "states": result.states}.items():
    for col, (fmt, write, ext, mime) in zip((left, right), FORMATS, strict=True):
        col.download_button(
            f"{name.capitalize()} ({fmt})",
            functools.partial(write, table),
            f"{name}.{ext}",
            mime,
            on_click="ignore",
        )
left.download_button(
    "Scenario (TOML): reproduces this plan with `sovcompute solve --scenario`",
    scenario.to_toml(),
    "scenario.toml",
    "application/toml",
    on_click="ignore",
)


@st.fragment
def store_run() -> None:
    """Store the plan on screen as it is: a click reruns this button alone, not the page."""
    if st.button("Store this run"):
        run_id = optimizer.run_and_store(scenario, ui.db_path(), ui.inputs(), result)[0]
        st.success(f"Stored run {run_id}; compare it on the Pooling page.")


with right:
    store_run()
