"""Fixtures for tests against a real Isola server.

test/client/python-client.test.ts starts the servers and runs pytest with ISOLA_URL (a working server,
JavaScript and Python lanes) and ISOLA_OVERLOADED_URL (one whose queue holds nothing, so every execution
is refused with 503 overloaded and Retry-After: 1).
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

ADD_JS = "function main({ a, b }) { return { sum: a + b }; }"
ADD_PY = 'def main(a, b):\n    return {"sum": a + b}\n'


def busy_js(ms: int) -> str:
    """Busy in the sandbox for ``ms``: long enough for a client deadline to strike first."""
    return f"function main() {{ const end = Date.now() + {ms}; while (Date.now() < end) {{}} return 1; }}"


def _url(name: str) -> str:
    url = os.environ.get(name)
    if not url:
        pytest.skip(f"{name} is not set: run these tests through test/client/python-client.test.ts, which starts a real server")
    return url


@pytest.fixture(scope="session")
def isola_url() -> str:
    return _url("ISOLA_URL")


@pytest.fixture(scope="session")
def overloaded_url() -> str:
    return _url("ISOLA_OVERLOADED_URL")


@pytest.fixture
def unreachable_url() -> str:
    """A port nobody listens on: taken from the OS, then closed again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass
class Scripted:
    status: int
    body: str
    #: A callable is called when the answer is sent (for an HTTP date relative to that moment).
    headers: dict[str, str] | Callable[[], dict[str, str]] = field(default_factory=dict)


@dataclass
class Front:
    url: str
    requests: list[str]


@pytest.fixture
def front(isola_url: str) -> Iterator[Callable[[list[Scripted]], Front]]:
    """A real HTTP server that gives the scripted answers first, then proxies to the real Isola server."""
    servers: list[ThreadingHTTPServer] = []

    def start(script: list[Scripted]) -> Front:
        pending = list(script)
        requests: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                requests.append(f"{self.command} {self.path}")
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                if pending:
                    answer = pending.pop(0)
                    payload = answer.body.encode()
                    self.send_response(answer.status)
                    extra = answer.headers() if callable(answer.headers) else answer.headers
                    for name, value in {"content-type": "application/json", **extra}.items():
                        self.send_header(name, value)
                else:
                    headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept", "x-request-id")}
                    proxied = httpx.request(self.command, f"{isola_url}{self.path}", content=body, headers=headers, timeout=60)
                    payload = proxied.content
                    self.send_response(proxied.status_code)
                    self.send_header("content-type", proxied.headers.get("content-type", "application/json"))
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass  # pytest shows failures; request lines would only be noise

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return Front(f"http://127.0.0.1:{server.server_address[1]}", requests)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
