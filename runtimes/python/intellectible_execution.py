"""Intellectible's SDK names and signatures over the ``isola`` clients:
``from intellectible_execution import LibraryClient, DatabaseClient``.

A thin layer: where Intellectible's shape differs from ``isola``'s (list_tables gives names, create_table
takes no columns, create_column takes positional arguments) it converts; the rest is the same client.
"""

from __future__ import annotations

from typing import Any

import isola
from isola import KvClient, LibraryClient, ProjectDataError

# Intellectible's column types, and ours, onto the backend's six.
_TYPES = {
    "text": "text", "string": "text", "varchar": "text", "number": "real", "float": "real", "real": "real",
    "double": "real", "decimal": "real", "integer": "integer", "int": "integer", "bigint": "integer",
    "boolean": "boolean", "bool": "boolean", "date": "timestamp", "datetime": "timestamp",
    "timestamp": "timestamp", "json": "json", "object": "json", "jsonb": "json",
}


def _unsupported(what: str) -> ProjectDataError:
    return ProjectDataError(422, {"error": {"code": "unsupported", "message": f"{what} is not offered by this Isola backend"}})


class DatabaseClient(isola.DatabaseClient):
    """The project's databases with Intellectible's signatures; a database's id is its name."""

    def list_databases(self) -> list[dict[str, Any]]:
        return [{"id": d["name"], "name": d["name"], "createdDate": d.get("created_at"), "bytes": d.get("bytes")} for d in super().list_databases()]

    def list_tables(self, database_id: str) -> list[str]:  # type: ignore[override]  # Intellectible: names
        return [t["name"] for t in super().list_tables(database_id)]

    def create_table(self, database_id: str, table_id: str, columns: list[dict[str, Any]] | None = None) -> str:  # type: ignore[override]
        """Creates the table; one made without columns starts with a nullable text ``id`` (SQL needs one)."""
        super().create_table(database_id, table_id, columns or [{"name": "id", "type": "text"}])
        return table_id

    def create_column(self, database_id: str, table_id: str, col_id: Any, col_type: str = "text", opts: dict[str, Any] | None = None) -> Any:  # type: ignore[override]
        if isinstance(col_id, dict):
            return super().create_column(database_id, table_id, col_id)
        column: dict[str, Any] = {"name": str(col_id), "type": _TYPES.get(str(col_type).lower(), str(col_type).lower())}
        if opts and isinstance(opts.get("nullable"), bool):
            column["nullable"] = opts["nullable"]
        super().create_column(database_id, table_id, column)
        return column["name"]

    def delete_table(self, database_id: str, table_id: str) -> None:
        raise _unsupported("delete_table")

    def delete_column(self, database_id: str, table_id: str, col_id: str) -> None:
        raise _unsupported("delete_column")


__all__ = ["DatabaseClient", "KvClient", "LibraryClient", "ProjectDataError"]
