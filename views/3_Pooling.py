"""Pooling page: the pooled plan against national build-out, what the rules cost, and two stored
runs side by side."""

import streamlit as st

import charts
import optimizer
import ui

scenario = ui.page("Pooling", controls_after=True)
result = ui.compare(scenario)
if result.by_state.empty:
    ui.status_banner(result.pooled if not result.pooled.has_solution else result.national)
    ui.stop()

t = result.totals.set_index("metric")
cols = st.columns(4)
cols[0].metric("Pooling saves [EUR/yr]", ui.eur(t.loc["cost_eur", "dividend"]))
cols[1].metric("New capacity avoided [MW IT]", f"{t.loc['new_mw', 'dividend']:,.1f}")
cols[2].metric("Emissions avoided [tCO2/yr]", f"{t.loc['emissions_t', 'dividend']:,.0f}")
cols[3].metric(
    "Heat reused, pooled minus national [MWh th/yr]",
    f"{-t.loc['heat_reused_mwh_th', 'dividend']:,.0f}",
)
cols = st.columns(4)
cols[0].metric("Carbon cost avoided [EUR/yr]", ui.eur(t.loc["carbon_cost_eur", "dividend"]))
cols[1].metric("Water avoided [m3/yr]", f"{t.loc['water_m3', 'dividend']:,.0f}")
cols[2].metric("Unserved, pooled [MWh/yr]", f"{t.loc['unserved_mwh', 'pooled']:,.0f}")
cols[3].metric("Unserved, national [MWh/yr]", f"{t.loc['unserved_mwh', 'national']:,.0f}")
st.caption(
    "Dividend = national build-out minus pooled. In the national build-out every state serves "
    "its own demand on its own soil and builds what it lacks, at the same full-cost annuity as "
    "the pool. The money figure holds no penalty: unserved demand and unmet rules are shown "
    "apart, in MWh."
)
ui.controls()  # after the headline figures, which a slider move is about
ui.table(result.totals.drop(columns="metric"))
ui.chart(
    charts.bar(
        result.by_state,
        "dividend_cost_eur",
        "state",
        heading="Pooling dividend per state, money only [EUR/yr]",
    )
)
with st.expander("Per state: pooled, national and dividend"):
    ui.table(result.by_state)

st.subheader("What the rules cost")
RULES_OFF = {
    "rules": {w: "anywhere" for w in ui.inputs().workloads},
    "min_home_share": 0.0,
    "fair_access_factor": 0.0,
    "juste_retour_factor": 0.0,
}
if all(getattr(scenario, k) == v for k, v in RULES_OFF.items() if k != "rules") and all(
    scenario.rules.get(w, wl.rule) == "anywhere" for w, wl in ui.inputs().workloads.items()
):
    st.write("No sovereignty or fairness rule is set in this scenario.")
else:
    costs = ui.rule_cost(scenario, RULES_OFF)
    st.caption(
        "This scenario against the same one with every workload free to run anywhere and no "
        "home share, fair access or juste retour; split like the pooling dividend."
    )
    ui.table(
        costs.totals.drop(columns="metric").rename(
            columns={"pooled": "rules_off", "national": "with_rules", "dividend": "rule_cost"}
        )
    )


def setting(key: str) -> str:
    """Return a scenario key in words: its label and unit, and the table entry if dotted."""
    top, _, entry = key.partition(".")
    spec = optimizer.SPECS.get(top)
    words = spec.title() if spec is not None and spec.label else top
    return f"{words}: {entry}" if entry else words


@st.fragment
def two_runs() -> None:
    """Two stored runs side by side: choosing a run reruns this section alone."""
    st.subheader("Two stored runs side by side")
    runs = optimizer.runs(ui.db_path())
    if len(runs) < 2:
        st.info("Store runs from the Plan page (or with `sovcompute solve`) to compare them here.")
        return
    labels = {r.run_id: f"{r.run_id} - {r.scenario_name} ({r.status})" for r in runs.itertuples()}
    a_id, b_id = st.columns(2)
    first = a_id.selectbox("Run A", list(labels), format_func=labels.__getitem__, index=1)
    second = b_id.selectbox("Run B", list(labels), format_func=labels.__getitem__, index=0)
    if first is None or second is None:  # a choice is always made (index is set)
        return
    a, b = optimizer.load_run(first, ui.db_path()), optimizer.load_run(second, ui.db_path())
    diff = optimizer.diff_runs(a, b)
    ui.table(diff.totals)
    st.write("**Scenario differences**")
    ui.table(diff.scenario.assign(key=diff.scenario["key"].map(setting)))
    st.write("**Input differences** (rows of the runs' inputs that differ)")
    for name, changed in diff.inputs.items():
        st.caption(ui.md_escape(f"Table {name} of the run folders"))
        ui.table(changed)


two_runs()
