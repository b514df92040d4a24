"""aiohttp's ClientSession over the host's egress bridge (see isola_http_libs.py for the other libraries).

aiohttp has no transport seam that a request crosses whole: its connector hands out sockets and its
response parses bytes off them. So the adapter replaces `ClientSession._request`, the one coroutine
behind `get`/`post`/`request` and `aiohttp.request`, and answers with a response object that has
ClientResponse's public surface (status, headers, read/text/json, content, raise_for_status, the
context manager). Session defaults (base_url, headers, auth, timeout, raise_for_status) apply as in
aiohttp; redirects are followed by the bridge, which re-checks the policy at every hop. The exchange
is synchronous, like every guest call into the host; the coroutine returns when the answer is there.
"""

import json as _json
import sys
import urllib.parse

_exchange = None
_EgressError = None


async def _payload_bytes(payload):
    if hasattr(payload, "as_bytes"):  # aiohttp >= 3.12
        return await payload.as_bytes()
    chunks = []

    class Collector:
        async def write(self, chunk):
            chunks.append(bytes(chunk))

    await payload.write(Collector())
    return b"".join(chunks)


async def _encode_body(data, json):
    """The request body and its default Content-Type, as aiohttp would build them."""
    if json is not None:
        return _json.dumps(json).encode("utf-8"), "application/json"
    if data is None:
        return b"", None
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data), "application/octet-stream"
    if isinstance(data, str):
        return data.encode("utf-8"), "text/plain; charset=utf-8"
    if isinstance(data, dict) or (isinstance(data, (list, tuple)) and all(isinstance(p, tuple) for p in data)):
        return urllib.parse.urlencode(data, doseq=True).encode("utf-8"), "application/x-www-form-urlencoded"
    from aiohttp import formdata, payload

    if isinstance(data, formdata.FormData):
        data = data()
    body = data if isinstance(data, payload.Payload) else payload.get_payload(data)
    return await _payload_bytes(body), body.content_type


def _total_seconds(aiohttp, session, timeout):
    chosen = getattr(session, "_timeout", None) if timeout is None or not isinstance(timeout, (aiohttp.ClientTimeout, int, float)) else timeout
    if isinstance(chosen, (int, float)) and not isinstance(chosen, bool):
        return chosen if chosen > 0 else None
    if isinstance(chosen, aiohttp.ClientTimeout):
        if chosen.total:
            return chosen.total
        parts = [p for p in (chosen.connect, chosen.sock_connect, chosen.sock_read) if p]
        return max(parts) if parts else None
    return None


def adapt(module, exchange, egress_error):
    """Patch aiohttp.client (the module object, just executed) to send through `exchange`."""
    global _exchange, _EgressError
    _exchange = exchange
    _EgressError = egress_error

    # aiohttp/__init__ is still importing this module: take its names from aiohttp.client itself.
    aiohttp = module
    from multidict import CIMultiDict, CIMultiDictProxy
    from yarl import URL

    class EgressDenied(aiohttp.ClientConnectionError, PermissionError):
        """The egress policy refused the request: a ClientConnectionError and a PermissionError at once."""

    EgressDenied.__module__ = "aiohttp"
    user_agent = getattr(sys.modules["aiohttp"], "__version__", None)
    user_agent = "Python/%d.%d aiohttp/%s" % (sys.version_info[0], sys.version_info[1], user_agent or "?")

    class StreamContent:
        """`response.content`: the parts of aiohttp's StreamReader that read a body already received."""

        def __init__(self, body):
            self._body = body
            self._at = 0

        async def read(self, n=-1):
            end = len(self._body) if n is None or n < 0 else self._at + n
            chunk = self._body[self._at:end]
            self._at += len(chunk)
            return chunk

        readany = read

        async def readline(self):
            end = self._body.find(b"\n", self._at)
            return await self.read(-1 if end < 0 else end + 1 - self._at)

        async def iter_chunked(self, n):
            while True:
                chunk = await self.read(n)
                if not chunk:
                    return
                yield chunk

        async def iter_any(self):
            chunk = await self.read()
            if chunk:
                yield chunk

        def at_eof(self):
            return self._at >= len(self._body)

        def __aiter__(self):
            return self._lines()

        async def _lines(self):
            while not self.at_eof():
                yield await self.readline()

    class BridgeResponse:
        def __init__(self, reply, method, request_info):
            self.status = reply.status
            self.reason = reply.reason
            self.method = method
            self.url = URL(reply.url)
            self.real_url = self.url
            self.request_info = request_info
            self.history = ()
            headers = CIMultiDict()
            for name, value in reply.headers:
                headers.add(name, value)
            self.headers = CIMultiDictProxy(headers)
            self.raw_headers = tuple((n.encode("latin-1"), v.encode("latin-1")) for n, v in reply.headers)
            self._body = reply.body
            self.content = StreamContent(reply.body)
            content_type, _, params = self.headers.get("Content-Type", "application/octet-stream").partition(";")
            self.content_type = content_type.strip().lower()
            self.charset = None
            for part in params.split(";"):
                key, _, value = part.strip().partition("=")
                if key.lower() == "charset":
                    self.charset = value.strip('"') or None
            self.cookies = {}
            self.closed = False

        @property
        def ok(self):
            return self.status < 400

        async def read(self):
            return self._body

        async def text(self, encoding=None, errors="strict"):
            return self._body.decode(encoding or self.charset or "utf-8", errors)

        async def json(self, *, encoding=None, loads=_json.loads, content_type="application/json"):
            if content_type and content_type not in self.content_type:
                raise aiohttp.ContentTypeError(self.request_info, self.history, status=self.status,
                                               message="Attempt to decode JSON with unexpected mimetype: %s" % self.content_type,
                                               headers=self.headers)
            text = (await self.text(encoding)).strip()
            return loads(text) if text else None

        def raise_for_status(self):
            if self.status >= 400:
                raise aiohttp.ClientResponseError(self.request_info, self.history, status=self.status,
                                                  message=self.reason, headers=self.headers)

        def release(self):
            self.closed = True

        def close(self):
            self.closed = True

        async def wait_for_close(self):
            self.closed = True

        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc):
            self.release()
            return False

        def __repr__(self):
            return "<ClientResponse(%s) [%d %s]>" % (self.url, self.status, self.reason)

    async def _request(self, method, str_or_url, *, params=None, data=None, json=None, headers=None,
                       auth=None, allow_redirects=True, raise_for_status=None, timeout=None, **_unsupported):
        if self.closed:
            raise RuntimeError("Session is closed")
        if data is not None and json is not None:
            raise ValueError("data and json parameters can not be used at the same time")
        method = method.upper()
        url = self._build_url(str_or_url) if hasattr(self, "_build_url") else URL(str_or_url)
        if params:
            url = url.extend_query(params) if hasattr(url, "extend_query") else url.update_query(params)
        merged = self._prepare_headers(headers) if hasattr(self, "_prepare_headers") else CIMultiDict(headers or {})
        if "User-Agent" not in merged:
            merged["User-Agent"] = user_agent  # what aiohttp's ClientRequest adds on its own
        auth = auth or getattr(self, "_default_auth", None)
        if auth is not None and "Authorization" not in merged:
            merged["Authorization"] = auth.encode()
        body, content_type = await _encode_body(data, json)
        if content_type and body and "Content-Type" not in merged:
            merged["Content-Type"] = content_type
        request_info = aiohttp.RequestInfo(url, method, CIMultiDictProxy(merged), url)
        try:
            reply = _exchange(method, str(url), list(merged.items()), body,
                              _total_seconds(aiohttp, self, timeout), "follow" if allow_redirects else "manual")
        except _EgressError as error:
            if error.kind == "denied":
                raise EgressDenied(error.message) from None
            if error.kind == "timeout":
                raise aiohttp.ServerTimeoutError(error.message) from None
            if error.kind == "too_large":
                raise aiohttp.ClientPayloadError(error.message) from None
            raise aiohttp.ClientConnectionError(error.message) from None
        response = BridgeResponse(reply, method, request_info)
        check = self._raise_for_status if raise_for_status is None else raise_for_status
        if check is True:
            response.raise_for_status()
        elif callable(check):
            await check(response)
        return response

    module.ClientSession._request = _request
    module.EgressDenied = EgressDenied
