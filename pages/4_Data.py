"""Data page: the registry with provenance next to each value; edit, upload and download."""

import tempfile
from pathlib import Path

import streamlit as st

import optimizer
import ui

ui.page("Data")
table = st.selectbox("Table", list(optimizer.TABLES), index=1)
spec = optimizer.TABLES[table]
frame = ui.table_with_provenance(table)
st.caption(
    spec.doc + " Each value is followed by its provenance: a fact with its source, an "
    "assumption with its rationale, or a user edit."
)
st.dataframe(frame, hide_index=True)
d1, d2 = st.columns(2)
# Files are made when clicked (deferred), from the table already on the page.
d1.download_button(
    f"{table} (CSV)",
    lambda: frame.to_csv(index=False),
    f"{table}.csv",
    "text/csv",
    on_click="ignore",
)
d2.download_button(
    f"{table} (Excel)",
    lambda: optimizer.excel_bytes({table: frame}),
    f"{table}.xlsx",
    on_click="ignore",
)

st.subheader("Edit")
st.caption(
    "Edit cells or add rows, then save. Every row is validated first; a bad value is "
    "refused with the reason and nothing is saved. Saved values are recorded as your "
    "edits."
)
values = frame[spec.column_names]
edited = st.data_editor(values, num_rows="dynamic", hide_index=True, key=f"edit_{table}")
if st.button("Save edits"):
    try:
        counts = optimizer.save_table(
            ui.db_path(), table, edited, "dashboard edit", edited_by=ui.user()
        )
        st.success(", ".join(f"{v} {k}" for k, v in counts.items()))
        st.cache_data.clear()
    except optimizer.ValidationError as e:
        ui.validation_error(e)

st.subheader("Upload")
upload = st.file_uploader(
    "CSV, Excel or Parquet file with this table's columns", type=["csv", "xlsx", "parquet"]
)
if upload is not None and st.button("Import file"):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / upload.name
        path.write_bytes(upload.getvalue())
        try:
            counts = optimizer.import_file(ui.db_path(), table, path)
            st.success(", ".join(f"{v} {k}" for k, v in counts.items()))
            st.cache_data.clear()
        except optimizer.ValidationError as e:
            ui.validation_error(e)

with st.expander("Assumptions behind the default dataset"):
    st.dataframe(optimizer.assumptions(ui.db_path()), hide_index=True)
