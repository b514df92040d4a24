"""HTTP for guest code in the Wasm Python lanes: `requests` (a shim, or the user's own pinned one via
isola_http_libs.py), `urllib.request.urlopen` and, where
Pyodide is there, `pyodide.http` (`pyfetch`, `open_url`), all going through the host's egress bridge,
which applies the execution's allow-list and the operator's policy.

The lane gives `install()` its transport: `exchange(JSON head + b"\\n" + body) -> JSON head + b"\\n" +
body` (the CPython lane's door, Pyodide's /dev/isola device). Calls are synchronous; the async
`pyfetch` simply returns when the response is there.
"""

import http.client
import importlib.abc
import importlib.machinery
import io
import json as _json
import sys
import types
import urllib.error
import urllib.parse
import urllib.request
import urllib.response

_exchange = None  # set by install()
_dumps = _json.dumps
_loads = _json.loads


class EgressError(OSError):
    """The bridge refused or could not complete the request (kind: denied, network, timeout, too_large)."""

    def __init__(self, kind, message):
        super().__init__("%s: %s" % (kind, message))
        self.kind = kind
        self.message = message


class EgressDenied(PermissionError):
    """The egress policy refused the request (host not allow-listed, private address...): "<host>: <reason>"."""


def _denied_or(error, other):
    """The exception guest code sees for a failed exchange: a PermissionError subclass for a denial."""
    return EgressDenied(error.message) if error.kind == "denied" else other(error.message)


class _URLDenied(urllib.error.URLError, PermissionError):
    """urlopen's error for a denial: catchable as URLError, as Python code expects, and as PermissionError."""


class Reply:
    def __init__(self, status, reason, url, headers, body):
        self.status = status
        self.reason = reason
        self.url = url
        self.headers = headers
        self.body = body


def fetch(method, url, headers=(), body=b"", timeout=None, redirect=None):
    """One HTTP exchange through the bridge. Returns a Reply; raises EgressError.

    redirect: None or "follow" (the bridge follows, re-checking each hop), "manual" (a 3xx comes back
    as is, for libraries that follow redirects themselves) or "error".
    """
    if isinstance(body, str):
        body = body.encode("utf-8")
    head = {"method": method.upper(), "url": url, "headers": [[str(k), str(v)] for k, v in headers]}
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):  # not urllib's "default" sentinel
        head["timeoutMs"] = max(1, int(timeout * 1000))
    if redirect in ("manual", "error"):
        head["redirect"] = redirect
    answer, _, payload = _exchange(_dumps(head).encode("utf-8") + b"\n" + bytes(body or b"")).partition(b"\n")
    meta = _loads(answer)
    if not meta.get("ok"):
        raise EgressError(meta.get("kind", "network"), meta.get("message", "request failed"))
    return Reply(meta["status"], meta.get("statusText") or http.client.responses.get(meta["status"], ""),
                 meta.get("url") or url, [tuple(pair) for pair in meta.get("headers", [])], payload)


# ---- urllib.request

class IsolaHandler(urllib.request.BaseHandler):
    handler_order = 100  # before urllib's own HTTP handlers, which would try a socket

    def http_open(self, request):
        return self._open(request)

    https_open = http_open

    def _open(self, request):
        data = request.data
        if data is not None and not isinstance(data, (bytes, bytearray, memoryview, str)):
            data = b"".join(data) if not hasattr(data, "read") else data.read()
        try:
            reply = fetch(request.get_method(), request.full_url, request.header_items(), data or b"", request.timeout)
        except EgressError as error:
            if error.kind == "denied":
                raise _URLDenied(error.message) from None
            raise urllib.error.URLError(error.message) from None
        message = http.client.HTTPMessage()
        for name, value in reply.headers:
            message[name] = value
        response = urllib.response.addinfourl(io.BytesIO(reply.body), message, reply.url, reply.status)
        response.msg = reply.reason
        response.reason = reply.reason
        return response


# ---- requests (used only when no real `requests` is installed)

def _requests_module():
    module = types.ModuleType("requests")
    module.__doc__ = "Isola's requests: the common API over the egress bridge."

    class RequestException(IOError):
        def __init__(self, *args, response=None, request=None):
            super().__init__(*args)
            self.response = response
            self.request = request

    class ConnectionError(RequestException):
        pass

    class Timeout(RequestException):
        pass

    class HTTPError(RequestException):
        pass

    class TooManyRedirects(RequestException):
        pass

    class JSONDecodeError(RequestException, ValueError):
        pass

    class EgressDenied(ConnectionError, PermissionError):
        """The egress policy refused the request: a RequestException and a PermissionError at once."""

    class CaseInsensitiveDict(dict):
        def __init__(self, pairs=()):
            super().__init__()
            self._keys = {}
            for key, value in (pairs.items() if isinstance(pairs, dict) else pairs):
                self[key] = value

        def __setitem__(self, key, value):
            lower = key.lower()
            if lower in self._keys and self._keys[lower] != key:
                super().__delitem__(self._keys[lower])
            self._keys[lower] = key
            super().__setitem__(key, value)

        def __getitem__(self, key):
            return super().__getitem__(self._keys[key.lower()])

        def __contains__(self, key):
            return isinstance(key, str) and key.lower() in self._keys

        def get(self, key, default=None):
            return self[key] if key in self else default

    class _Closable:
        """`with requests.get(...) as r:` and `with Session() as s:`: nothing to release in the bridge."""

        def close(self):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    class Response(_Closable):
        def __init__(self, reply, method):
            self.status_code = reply.status
            self.reason = reply.reason
            self.url = reply.url
            self.content = reply.body
            self.headers = CaseInsensitiveDict()
            for name, value in reply.headers:
                self.headers[name] = value if name not in self.headers else self.headers[name] + ", " + value
            self.request = types.SimpleNamespace(method=method, url=reply.url)
            self.encoding = None
            content_type = self.headers.get("content-type", "")
            for part in content_type.split(";")[1:]:
                key, _, value = part.strip().partition("=")
                if key.lower() == "charset":
                    self.encoding = value.strip('"') or None

        @property
        def ok(self):
            return self.status_code < 400

        @property
        def text(self):
            return self.content.decode(self.encoding or "utf-8", errors="replace")

        def json(self, **kwargs):
            try:
                return _loads(self.content, **kwargs)
            except ValueError as error:
                raise JSONDecodeError(str(error), response=self) from None

        def raise_for_status(self):
            if self.status_code >= 400:
                kind = "Client" if self.status_code < 500 else "Server"
                raise HTTPError("%d %s Error: %s for url: %s" % (self.status_code, kind, self.reason, self.url), response=self)

        def iter_content(self, chunk_size=1, decode_unicode=False):
            size = chunk_size or len(self.content) or 1
            for start in range(0, len(self.content), size):
                chunk = self.content[start:start + size]
                yield chunk.decode(self.encoding or "utf-8", errors="replace") if decode_unicode else chunk

        def iter_lines(self, chunk_size=512, decode_unicode=False, delimiter=None):
            text = self.text if decode_unicode else self.content
            yield from (text.split(delimiter) if delimiter else text.splitlines())


        def __repr__(self):
            return "<Response [%d]>" % self.status_code

    def request(method, url, params=None, data=None, json=None, headers=None, timeout=None, auth=None, **_ignored):
        headers = CaseInsensitiveDict(headers or {})
        if params:
            query = urllib.parse.urlencode(params, doseq=True)
            url += ("&" if urllib.parse.urlsplit(url).query else "?") + query
        body = b""
        if json is not None:
            body = _dumps(json).encode("utf-8")
            if "content-type" not in headers:
                headers["Content-Type"] = "application/json"
        elif isinstance(data, dict) or (isinstance(data, (list, tuple)) and data and isinstance(data[0], tuple)):
            body = urllib.parse.urlencode(data, doseq=True).encode("ascii")
            if "content-type" not in headers:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif data is not None:
            body = data.read() if hasattr(data, "read") else data
        if auth is not None:
            import base64
            token = base64.b64encode(("%s:%s" % tuple(auth)).encode("utf-8")).decode("ascii")
            headers["Authorization"] = "Basic " + token
        if isinstance(timeout, tuple):
            timeout = sum(t for t in timeout if t)
        try:
            reply = fetch(method, url, headers.items(), body, timeout)
        except EgressError as error:
            if error.kind == "timeout":
                raise Timeout(error.message) from None
            if error.kind == "denied":
                raise EgressDenied(error.message) from None
            raise ConnectionError(error.message) from None
        return Response(reply, method.upper())

    class Session(_Closable):
        def __init__(self):
            self.headers = CaseInsensitiveDict({"User-Agent": "isola-requests", "Accept": "*/*"})
            self.params = {}

        def request(self, method, url, **kwargs):
            merged = CaseInsensitiveDict(self.headers)
            for key, value in (kwargs.pop("headers", None) or {}).items():
                merged[key] = value
            params = dict(self.params)
            params.update(kwargs.pop("params", None) or {})
            return request(method, url, headers=merged, params=params or None, **kwargs)


    def verb(method):
        def call(url, **kwargs):
            return request(method, url, **kwargs)
        call.__name__ = method.lower()
        return call

    def session_verb(method):
        def call(self, url, **kwargs):
            return self.request(method, url, **kwargs)
        call.__name__ = method.lower()
        return call

    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
        setattr(module, method.lower(), verb(method))
        setattr(Session, method.lower(), session_verb(method))

    exceptions = types.ModuleType("requests.exceptions")
    for cls in (RequestException, ConnectionError, Timeout, HTTPError, TooManyRedirects, JSONDecodeError, EgressDenied):
        cls.__module__ = "requests.exceptions"
        cls.__qualname__ = cls.__name__  # "requests.exceptions.ConnectionError", not "..._requests_module.<locals>..."
        setattr(exceptions, cls.__name__, cls)
        setattr(module, cls.__name__, cls)
    module.exceptions = exceptions
    module.request = request
    module.Session = Session
    module.session = Session
    module.Response = Response
    module.structures = types.SimpleNamespace(CaseInsensitiveDict=CaseInsensitiveDict)
    module.codes = types.SimpleNamespace(ok=200, created=201, no_content=204, not_found=404)
    module.__version__ = "isola"
    return module, exceptions


class _ShimFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the shim modules, last on sys.meta_path: an installed package of the same name wins."""

    def __init__(self, modules):
        self.modules = modules

    def find_spec(self, name, path=None, target=None):
        if name in self.modules:
            return importlib.machinery.ModuleSpec(name, self, is_package=(name == "requests"))
        return None

    def create_module(self, spec):
        return self.modules[spec.name]

    def exec_module(self, module):
        pass


# ---- pyodide.http

class FetchResponse:
    """What pyodide.http.pyfetch returns, over a completed Reply."""

    def __init__(self, reply):
        self._reply = reply
        self.status = reply.status
        self.status_text = reply.reason
        self.url = reply.url
        self.ok = 200 <= reply.status < 300
        self.redirected = False
        self.type = "basic"
        self.headers = {}
        for name, value in reply.headers:
            self.headers[name.lower()] = value
        self.body_used = False

    async def bytes(self):
        self.body_used = True
        return self._reply.body

    async def memoryview(self):
        return memoryview(await self.bytes())

    async def string(self):
        return (await self.bytes()).decode("utf-8", errors="replace")

    text = string

    async def json(self, **kwargs):
        return _loads(await self.string(), **kwargs)

    def raise_for_status(self):
        if not self.ok:
            raise OSError("Request for %s failed with status %d: %s" % (self.url, self.status, self.status_text))

    def clone(self):
        return FetchResponse(self._reply)


async def pyfetch(url, **kwargs):
    method = kwargs.get("method", "GET")
    headers = kwargs.get("headers") or {}
    body = kwargs.get("body") or b""
    try:
        reply = fetch(method, url, headers.items() if hasattr(headers, "items") else headers, body)
    except EgressError as error:
        raise _denied_or(error, OSError) from None
    return FetchResponse(reply)


def open_url(url):
    try:
        reply = fetch("GET", url)
    except EgressError as error:
        raise _denied_or(error, OSError) from None
    return io.StringIO(reply.body.decode("utf-8", errors="replace"))


def install(exchange):
    global _exchange
    _exchange = exchange
    urllib.request.install_opener(urllib.request.build_opener(IsolaHandler))
    requests, exceptions = _requests_module()
    sys.meta_path.append(_ShimFinder({"requests": requests, "requests.exceptions": exceptions}))
    # A user's own requests/urllib3/httpx/aiohttp (packages: [...]) replaces the shim above; these adapters
    # send it through the same bridge.
    importlib.import_module("isola_http_libs").install(fetch, EgressError)
    try:
        import pyodide.http as pyodide_http
    except ImportError:
        return
    pyodide_http.pyfetch = pyfetch
    pyodide_http.open_url = open_url
    pyodide_http.FetchResponse = FetchResponse
