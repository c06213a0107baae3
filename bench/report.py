"""Write one section of docs/benchmarks.md, keeping the others."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEAD = "# Benchmarks\n\nSpeed is measured here, not asserted in tests. Re-run the commands below.\n"


def write_section(title: str, body: str, doc: Path = DOC) -> None:
    """Replace (or append) the section `## title` of the benchmarks document."""
    text = doc.read_text() if doc.exists() else HEAD
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = (
        pattern.sub(section + "\n", text)
        if pattern.search(text)
        else (text.rstrip() + "\n\n" + section)
    )
    doc.write_text(text.rstrip() + "\n")
