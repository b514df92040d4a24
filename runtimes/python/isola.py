"""Project databases and KV state for guest Python: ``import isola`` (``isola.db``, ``isola.kv``).

Calls go to http://isola.internal/ through the sandbox's urllib; the host bridge serves that host as the
execution's project, so no key is ever in the guest.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

BASE = "http://isola.internal"


class ProjectDataError(Exception):
    """A refused project-data call: ``status`` (HTTP), ``code`` (catalog code) and ``issues``."""

    def __init__(self, status: int, body: Any) -> None:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        super().__init__(error.get("message") or f"project data request failed with HTTP {status}")
        self.status = status
        self.code = error.get("code")
        self.issues = error.get("issues", [])


def _call(method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    headers = {} if body is None else {"content-type": "application/json"}
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        raise ProjectDataError(error.code, json.loads(raw) if raw else None) from None


def _seg(value: object) -> str:
    return urllib.parse.quote(str(value), safe="")


def _table(database: str, table: str) -> str:
    return f"/v1/databases/{_seg(database)}/tables/{_seg(table)}"


class DatabaseClient:
    """The project's databases: one read-only SQL statement per ``query``, structured writes."""

    def list_databases(self) -> list[dict[str, Any]]:
        return _call("GET", "/v1/databases")["databases"]

    def create_database(self, name: str) -> dict[str, Any]:
        return _call("POST", "/v1/databases", {"name": name})

    def drop_database(self, name: str) -> None:
        _call("DELETE", f"/v1/databases/{_seg(name)}")

    def list_tables(self, database: str) -> list[dict[str, Any]]:
        return _call("GET", f"/v1/databases/{_seg(database)}/tables")["tables"]

    def create_table(self, database: str, name: str, columns: list[dict[str, Any]]) -> dict[str, Any]:
        return _call("POST", f"/v1/databases/{_seg(database)}/tables", {"name": name, "columns": columns})

    def create_column(self, database: str, table: str, column: dict[str, Any]) -> dict[str, Any]:
        return _call("POST", _table(database, table) + "/columns", column)

    def insert_rows(self, database: str, table: str, rows: list[dict[str, Any]] | dict[str, Any]) -> dict[str, Any]:
        return _call("POST", _table(database, table) + "/rows", {"rows": rows if isinstance(rows, list) else [rows]})

    def update_rows(self, database: str, table: str, set: dict[str, Any], where: dict[str, Any]) -> dict[str, Any]:
        return _call("PATCH", _table(database, table) + "/rows", {"set": set, "where": where})

    def delete_rows(self, database: str, table: str, where: dict[str, Any]) -> dict[str, Any]:
        return _call("DELETE", _table(database, table) + "/rows", {"where": where})

    def query(self, database: str, sql: str, params: list[Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"sql": sql}
        if params is not None:
            body["params"] = params
        return _call("POST", f"/v1/databases/{_seg(database)}/query", body)


class KvClient:
    """Per-project state across executions: get, set (with ttl_ms), incr, delete."""

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return _call("GET", f"/v1/kv/{_seg(key)}")["value"]
        except ProjectDataError as error:
            if error.status == 404:
                return default
            raise

    def set(self, key: str, value: Any, ttl_ms: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"value": value}
        if ttl_ms is not None:
            body["ttl_ms"] = ttl_ms
        return _call("PUT", f"/v1/kv/{_seg(key)}", body)

    def incr(self, key: str, by: int = 1, ttl_ms: int | None = None) -> int:
        body: dict[str, Any] = {"by": by}
        if ttl_ms is not None:
            body["ttl_ms"] = ttl_ms
        return _call("POST", f"/v1/kv/{_seg(key)}/incr", body)["value"]

    def delete(self, key: str) -> bool:
        try:
            _call("DELETE", f"/v1/kv/{_seg(key)}")
            return True
        except ProjectDataError as error:
            if error.status == 404:
                return False
            raise


db = DatabaseClient()
kv = KvClient()

__all__ = ["DatabaseClient", "KvClient", "ProjectDataError", "db", "kv"]
