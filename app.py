"""The dashboard's entry point (`bash scripts/dashboard`): says it is loading from the first
byte, then runs the chosen page. Only Streamlit is imported here: the pages import the planner
(pandas, DuckDB, PuLP, Altair) while the loading message is already on screen."""

import streamlit as st

PAGES = [
    st.Page("views/0_Home.py", title="Home", default=True),
    st.Page("views/1_Plan.py", title="Plan"),
    st.Page("views/2_Map.py", title="Map"),
    st.Page("views/3_Pooling.py", title="Pooling"),
    st.Page("views/4_Data.py", title="Data"),
    st.Page("views/5_Trade-offs.py", title="Trade-offs"),
]

page = st.navigation(PAGES)
first_run = "started" not in st.session_state
loading = st.empty()
if first_run:
    loading.info("Loading the planner: the registry, the model and the charts...")
try:
    page.run()
finally:
    loading.empty()
    st.session_state["started"] = True
