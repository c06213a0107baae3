"""Data page: the registry with provenance next to each value; edit, upload and download."""

import streamlit as st

import charts
import optimizer
import ui


def saved(table: str, counts: dict[str, int]) -> None:
    """Report a save after a fresh run, so the tables and the editor show the saved values."""
    st.session_state["data_saved"] = ", ".join(f"{v} {k}" for k, v in counts.items())
    st.session_state.pop(f"edit_{table}", None)
    st.cache_data.clear()
    st.rerun()


ui.page("Data")
table = st.selectbox("Table", list(optimizer.TABLES), index=1)
spec = optimizer.TABLES[table]
if message := st.session_state.pop("data_saved", None):
    st.success(f"Saved: {message}.")
frame = ui.table_with_provenance(table)
st.caption(
    spec.doc + " Each value is followed by its provenance: a fact with its source, a "
    "derivation with its arithmetic, an assumption with its rationale, or a user edit."
)
if table == "period_factors":
    st.info(ui.md_escape(optimizer.EMBER_ATTRIBUTION))
    st.altair_chart(charts.monthly_factors(frame), width="stretch")
st.dataframe(frame, hide_index=True)
d1, d2 = st.columns(2)
# Files are made when clicked (deferred), from the table already on the page.
d1.download_button(
    f"{table} (CSV)",
    lambda: optimizer.csv_text(frame),
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
changes = st.session_state[f"edit_{table}"]
pending = [
    f"row {int(row) + 1}: " + ", ".join(f"{k} = {v}" for k, v in cells.items())
    for row, cells in changes["edited_rows"].items()
]
pending += [f"{len(changes['added_rows'])} new row(s)"] if changes["added_rows"] else []
pending += [f"{len(changes['deleted_rows'])} deleted row(s)"] if changes["deleted_rows"] else []
save_col, pending_col = st.columns([1, 4], vertical_alignment="center")
pending_col.caption(
    "Not saved yet: " + ui.md_escape("; ".join(pending)) if pending else "No unsaved changes."
)
if save_col.button("Save edits"):
    try:
        saved(
            table,
            optimizer.save_table(
                ui.db_path(), table, edited, "dashboard edit", edited_by=ui.user()
            ),
        )
    except optimizer.ValidationError as e:
        ui.validation_error(e)

st.subheader("Upload")
upload = st.file_uploader(
    "CSV, Excel or Parquet file with this table's columns", type=["csv", "xlsx", "parquet"]
)
if upload is not None and st.button("Import file"):
    # Read from memory: the name the browser sent only says the format, never a path.
    try:
        saved(
            table,
            optimizer.import_upload(
                ui.db_path(), table, upload.getvalue(), upload.name, edited_by=ui.user()
            ),
        )
    except optimizer.ValidationError as e:
        ui.validation_error(e)

with st.expander("Assumptions behind the default dataset"):
    st.dataframe(optimizer.assumptions(ui.db_path()), hide_index=True)
