"""Storage room: the SQLite project file, its schema, migrations and transactions.

Nothing outside this package writes SQL against the file's structure except the domain API in
`casecoder.project`, which uses the helpers here.
"""

from casecoder.store.db import (
    building_project,
    check_file,
    describe_sqlite_error,
    is_read_only,
    is_storage_error,
    open_database,
    open_read_only,
    transaction,
)
from casecoder.store.schema import APPLICATION_ID, SCHEMA_VERSION

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "building_project",
    "check_file",
    "describe_sqlite_error",
    "is_read_only",
    "is_storage_error",
    "open_database",
    "open_read_only",
    "transaction",
]
