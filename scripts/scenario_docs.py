"""Write docs/scenario.md, the table of scenario keys, from optimizer.scenario's declarations.

Run after changing a field or its Spec:
`python3 -m uv run --frozen python scripts/scenario_docs.py`.
"""

from pathlib import Path

from optimizer.scenario import docs_table

DOCS = Path(__file__).resolve().parents[1] / "docs" / "scenario.md"

if __name__ == "__main__":
    DOCS.write_text(docs_table(), encoding="utf-8")
    print(f"wrote {DOCS}")
