"""Data page: the registry tables with the provenance of every value."""

import streamlit as st

import optimizer
import ui

ui.page("Data")
table = st.selectbox("Table", list(optimizer.TABLES), index=1)
frame = ui.table_with_provenance(table)
st.caption(optimizer.TABLES[table].doc + " Each value is followed by its provenance: a fact "
           "with its source, an assumption with its rationale, or a user edit.")
st.dataframe(frame, hide_index=True)
st.download_button(f"{table} (CSV)", frame.to_csv(index=False), f"{table}.csv", "text/csv")
with st.expander("Assumptions behind the default dataset"):
    st.dataframe(optimizer.assumptions(ui.db_path()), hide_index=True)
