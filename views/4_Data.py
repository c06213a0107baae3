"""Data page: the registry with provenance next to each value; edit, upload and download."""

import streamlit as st

import charts
import optimizer
import ui


def saved(table: str, message: str) -> None:
    """Report a save after a fresh run, so the tables and the editor show the saved values."""
    st.session_state["data_saved"] = message
    forget_edits(table)
    st.cache_data.clear()
    st.rerun()


def forget_edits(table: str) -> None:
    """Drop the editor's snapshot and pending edits: it starts again from the stored rows."""
    for key in (f"edit_{table}", f"snapshot_{table}", f"draft_{table}", f"conflict_{table}"):
        st.session_state.pop(key, None)


ui.page("Data")
table = st.selectbox("Table", list(optimizer.TABLES), index=1)
spec = optimizer.TABLES[table]
if message := st.session_state.pop("data_saved", None):
    st.success("Saved: " + ui.md_escape(message))
frame = ui.table_with_provenance(table)
st.caption(
    spec.doc + " Each value is followed by its provenance: a fact with its source, a "
    "derivation with its arithmetic, an assumption with its rationale, or a user edit."
)
if table == "period_factors":
    st.info(ui.md_escape(optimizer.EMBER_ATTRIBUTION))
    ui.chart(charts.monthly_factors(frame), width="stretch")
ui.table(frame)
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
who = ui.access()
ui.sign_in_controls(who)
st.caption(
    "Edit cells, add rows or delete rows, then save. Only the cells you change are saved, "
    "and only if nobody changed them since you loaded the table; every row is validated "
    "first. Saved values are recorded as your edits."
)
# The editor starts from a snapshot of the stored rows and keeps it while edits are pending,
# so a save is checked against the values the person saw (optimizer.save_edits).
values = frame[spec.column_names]
snapshot, draft = f"snapshot_{table}", f"draft_{table}"
untouched = st.session_state.get(draft) is st.session_state.get(snapshot) and not any(
    st.session_state.get(f"edit_{table}", {}).values()
)
if snapshot not in st.session_state or (
    untouched and not values.equals(st.session_state[snapshot])
):
    forget_edits(table)
    st.session_state[snapshot] = st.session_state[draft] = values
edited = st.data_editor(
    st.session_state[draft],
    num_rows="dynamic",
    hide_index=True,
    key=f"edit_{table}",
    disabled=not who.can_edit,
    column_config={
        c: st.column_config.Column(
            optimizer.column_label(str(c)).title(), help=f"`{c}` in import files"
        )
        for c in st.session_state[draft].columns
    },
)
pending = optimizer.diff_edits(table, st.session_state[snapshot], edited)
save_col, pending_col = st.columns([1, 4], vertical_alignment="center")
pending_col.caption(
    "Not saved yet: " + ui.md_escape(pending.describe()) if pending else "No unsaved changes."
)
confirmed = not pending.deleted or st.checkbox(
    f"Yes, delete {len(pending.deleted)} row(s) from {table}", key=f"confirm_delete_{table}"
)
if save_col.button("Save edits", disabled=not who.can_edit or not pending):
    if not confirmed:
        st.warning("Tick the box above to confirm the deletion; nothing was saved.")
    else:
        try:
            saved(table, optimizer.save_edits(ui.db_path(), pending, "dashboard edit", ui.user()))
        except optimizer.EditConflict as e:
            st.session_state[f"conflict_{table}"] = (str(e), pending)
        except optimizer.ValidationError as e:
            ui.validation_error(e)
if conflict := st.session_state.get(f"conflict_{table}"):
    text, mine = conflict
    st.error("Someone else changed these cells since you loaded the table: nothing was saved.")
    st.code(text, language=None)
    if st.button("Reapply my edits on the current values"):
        forget_edits(table)
        st.session_state[snapshot] = values
        st.session_state[draft] = optimizer.reapply_edits(mine, values)
        st.rerun()

st.subheader("Upload")
upload = st.file_uploader(
    "CSV, Excel or Parquet file with this table's columns", type=["csv", "xlsx", "parquet"]
)
if upload is not None and st.button("Import file", disabled=not who.can_edit):
    # Read from memory: the name the browser sent only says the format, never a path.
    try:
        counts = optimizer.import_upload(
            ui.db_path(), table, upload.getvalue(), upload.name, edited_by=ui.user()
        )
        saved(table, f"{table}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    except optimizer.ValidationError as e:
        ui.validation_error(e)

with st.expander("Assumptions behind the default dataset"):
    ui.table(optimizer.assumptions(ui.db_path()))
