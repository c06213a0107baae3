"""Trade-offs page: sweep one setting and see what it costs: cost against emissions and against
fairness, each with its Pareto front, unserved demand and home share."""

import pandas as pd
import streamlit as st

import charts
import optimizer
import ui

#: The settings a sweep can move: the scenario's fields with a slider range, as the sidebar
#: shows them (optimizer.SPECS).
SETTINGS = {name: spec for name, spec in optimizer.SPECS.items() if spec.widget == "slider"}

# Fairness outcomes of a plan, and what each means.
FAIRNESS = {
    "juste_retour_met": (
        "For each contributing country with capacity or a build option: its share of the pooled "
        "load divided by its share of contributions, capped at 1, weighted by contribution. 1 "
        "means every such country hosts at least what it pays in."
    ),
    "min_access_ratio": (
        "A state's entitlement is its contribution share of total demand, capped at its own "
        "demand. 1 means every state is served at least its entitlement."
    ),
}


@st.fragment
def fairness(frame: pd.DataFrame, key: str) -> None:
    """Cost against the chosen fairness outcome: choosing another reruns this chart alone."""
    measure = st.radio("Fairness outcome", list(FAIRNESS), format_func=charts.title)
    front = next(flag for flag, (y, _) in optimizer.FRONTS.items() if y == measure)
    ui.chart(
        charts.trade_off(frame, measure, front, key).properties(
            title="Cost against fairness (right is fairer)"
        ),
        width="stretch",
    )
    st.caption(FAIRNESS[measure])


scenario = ui.page("Trade-offs")
st.caption(
    "Solves the current scenario again for each value of one setting, one after another in "
    "this session (for hundreds of scenarios use `sovcompute sweep`, which runs on Dask). "
    "Cost is money only; a plan that leaves demand unserved or a rule unmet is not on a front."
)
key = st.selectbox("Setting to sweep", list(SETTINGS), format_func=lambda k: SETTINGS[k].title())
lo, hi = float(SETTINGS[key].lo or 0.0), float(SETTINGS[key].hi or 0.0)
low, high = st.slider("Range", lo, hi, (lo, hi), step=float(SETTINGS[key].step or 0.01))
points = st.slider("Points", 3, 25, 9)
if st.button("Run the sweep", type="primary"):
    values = [round(low + (high - low) * i / (points - 1), 4) for i in range(points)]
    scenarios = optimizer.grid_scenarios(scenario, {key: [repr(float(v)) for v in values]})
    bar = st.progress(0.0, text="Solving...")
    frame = optimizer.sweep_here(
        scenarios,
        ui.inputs(),
        progress=lambda done, total: bar.progress(done / total, text=f"{done}/{total} solved"),
    )
    frame[key] = values
    st.session_state["tradeoff"] = (key, frame)
if "tradeoff" in st.session_state:
    key, frame = st.session_state["tradeoff"]
    ui.chart(
        charts.trade_off(frame, "emissions_t", "pareto_cost_co2", key).properties(
            title="Cost against emissions"
        ),
        width="stretch",
    )
    fairness(frame, key)
    for metric in ("cost_eur", "new_mw", "unserved_mwh", "shortfall_mwh", "home_share"):
        ui.chart(charts.line(frame, key, metric), width="stretch")
    ui.table(frame)
    st.download_button(
        "Sweep (CSV)", optimizer.csv_text(frame), "tradeoff.csv", "text/csv", on_click="ignore"
    )
