"""Project files, databases and KV state for guest Python: ``import isola`` (``isola.library``,
``isola.db``, ``isola.kv``); ``intellectible_execution`` gives Intellectible's signatures over the same clients.

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


def _send(method: str, path: str, data: bytes | None, content_type: str) -> Any:
    headers = {} if data is None else {"content-type": content_type}
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        raise ProjectDataError(error.code, body) from None


def _call(method: str, path: str, body: Any = None) -> Any:
    return _send(method, path, None if body is None else json.dumps(body).encode(), "application/json")


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


ROOT = "root"
_MIME = {
    "txt": "text/plain", "csv": "text/csv", "json": "application/json", "md": "text/markdown",
    "html": "text/html", "xml": "application/xml", "pdf": "application/pdf", "png": "image/png",
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "svg": "image/svg+xml", "zip": "application/zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _dir_of(path: str | None) -> str:
    clean = "" if path is None else str(path).strip().strip("/")
    return "" if clean == ROOT else clean


def _split(full: str) -> tuple[str, str]:
    directory, _, name = full.rpartition("/")
    return directory, name


def _metadata(file: dict[str, Any]) -> dict[str, Any]:
    directory, name = _split(file["name"])
    return {
        "id": file["id"], "name": name, "path": file["name"], "dir": directory or ROOT,
        "mimeType": file["content_type"], "size": file["size"], "createdDate": file["created_at"], "sha256": file["sha256"],
    }


def _mime_of(file_type: str | None) -> str:
    value = "" if file_type is None else str(file_type).strip()
    if "/" in value:
        return value
    return _MIME.get(value.lstrip(".").lower(), "application/octet-stream")


class LibraryClient:
    """The project's files library. It is flat: a name may hold '/', read as its directory
    (``reports/q1.csv`` is ``q1.csv`` in ``reports``), which is what ``path`` and ``list_dirs`` work on."""

    def list_files(self, path: str | None = None) -> list[dict[str, Any]]:
        """Files in one directory (default: root): id, name, path, dir, mimeType, size, createdDate, sha256."""
        directory = _dir_of(path)
        files = _call("GET", "/v1/library/files")["files"]
        return [_metadata(f) for f in files if _split(f["name"])[0] == directory]

    def list_dirs(self, path: str | None = None) -> list[dict[str, Any]]:
        """The directories directly under ``path`` (default: root): name, path."""
        directory = _dir_of(path)
        prefix = directory + "/" if directory else ""
        names = set()
        for file in _call("GET", "/v1/library/files")["files"]:
            if file["name"].startswith(prefix):
                head, sep, _ = file["name"][len(prefix):].partition("/")
                if sep and head:
                    names.add(head)
        return [{"name": name, "path": prefix + name} for name in sorted(names)]

    def get_file(self, file_id: str) -> dict[str, Any]:
        """One file's metadata; ProjectDataError (status 404) when the project has no such file."""
        return _metadata(_call("GET", f"/v1/library/files/{_seg(file_id)}"))

    def create_download_url(self, file_id: str, expires_in: int | None = None) -> str:
        """A signed URL on the Isola service that reads the file with no key until it expires (default 1 h)."""
        query = "" if expires_in is None else f"?expires_in={_seg(expires_in)}"
        return _call("POST", f"/v1/library/files/{_seg(file_id)}/download-url{query}")["url"]

    def upload_file(self, name: str, file_type: str | None, content: Any, path: str | None = None) -> str:
        """Stores ``content`` (str, bytes, or JSON) as ``path/name``, replacing a file of that name; returns its id."""
        directory = _dir_of(path)
        full = f"{directory}/{name}" if directory else str(name)
        if isinstance(content, str):
            data = content.encode()
        elif isinstance(content, (bytes, bytearray, memoryview)):
            data = bytes(content)
        else:
            data = json.dumps(content).encode()
        return _send("POST", f"/v1/library/files?name={_seg(full)}", data, _mime_of(file_type))["id"]

    def delete_file(self, file_id: str) -> None:
        _call("DELETE", f"/v1/library/files/{_seg(file_id)}")


db = DatabaseClient()
kv = KvClient()
library = LibraryClient()

__all__ = ["DatabaseClient", "KvClient", "LibraryClient", "ProjectDataError", "db", "kv", "library"]
