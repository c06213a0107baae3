"""European sovereign compute planner: the importable package.

The public API is what `__all__` lists; the modules behind it are private.
"""

from optimizer.api import (
    assumptions,
    europe_outlines,
    export_file,
    import_file,
    registry,
    registry_table,
    save_table,
)
from optimizer.registry import TABLES
from optimizer.store import default_db_path
from optimizer.validate import ValidationError

__all__ = [
    "TABLES",
    "ValidationError",
    "assumptions",
    "default_db_path",
    "europe_outlines",
    "export_file",
    "import_file",
    "registry",
    "registry_table",
    "save_table",
]
