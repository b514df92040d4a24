"""The HTTP libraries a user pins (`packages: ["requests==2.31.0"]`, urllib3, httpx, aiohttp), sent
through the host's egress bridge instead of their own sockets, which a Wasm lane does not have.

Each library is adapted at the one place where it hands a finished request to its I/O layer, so
everything above stays the library's own code: requests' sessions, cookies, auth and redirects,
urllib3's Retry, httpx's clients and event hooks. The adapters are applied when the library's module is
imported (isola_import_hooks.py), so an environment that never imports them pays nothing.

Redirects are returned to the library (the bridge's "manual" mode) wherever the library follows them
itself; each hop comes back through here, and the bridge checks every hop against the policy. The
adapters are a convenience, not a boundary: the bridge applies the policy whatever the guest sends.
"""

import io

_fetch = None  # isola_egress.fetch, set by install()
_EgressError = None


def _exchange(method, url, headers, body, timeout, redirect):
    return _fetch(method, url, headers, body, timeout, redirect=redirect)


def _seconds(*values):
    """One total timeout for the bridge out of a library's per-phase timeouts (None: the job's deadline)."""
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0]
    return sum(numbers) if numbers else None


# ---- urllib3 (1.26 and 2.x) and therefore requests, whatever its version


def _patch_urllib3_connectionpool(module):
    from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError
    from urllib3.response import HTTPResponse
    from urllib3.util.retry import Retry

    from urllib3.util.timeout import Timeout

    from urllib3._version import __version__

    user_agent = "python-urllib3/" + __version__

    # urlopen's "no timeout given" sentinel: _DEFAULT_TIMEOUT in urllib3 2.x, _Default in 1.26.
    default_timeout = getattr(module, "_DEFAULT_TIMEOUT", getattr(module, "_Default", None))

    def timeout_of(pool, timeout):
        value = pool.timeout if timeout is default_timeout else timeout
        if isinstance(value, Timeout):
            return _seconds(value.connect_timeout, value.read_timeout)
        return _seconds(value)

    def absolute(pool, url):
        if not url.startswith("/"):
            return url
        default_port = {"http": 80, "https": 443}.get(pool.scheme)
        port = "" if pool.port in (None, default_port) else ":%d" % pool.port
        host = "[%s]" % pool.host if ":" in pool.host and not pool.host.startswith("[") else pool.host
        return "%s://%s%s%s" % (pool.scheme, host, port, url)

    def read_body(body):
        if body is None:
            return b""
        if hasattr(body, "read"):
            return body.read()
        if isinstance(body, (bytes, bytearray, memoryview, str)):
            return body
        return b"".join(part.encode("utf-8") if isinstance(part, str) else part for part in body)

    def urlopen(self, method, url, body=None, headers=None, retries=None, redirect=True,
                assert_same_host=True, timeout=default_timeout, pool_timeout=None,
                release_conn=None, chunked=False, body_pos=None, **response_kw):
        if not isinstance(retries, Retry):
            retries = Retry.from_int(retries, redirect=redirect, default=self.retries)
        target = absolute(self, url)
        pairs = list((headers if headers is not None else self.headers).items())
        if not any(name.lower() == "user-agent" for name, _ in pairs):
            pairs.append(("User-Agent", user_agent))  # what urllib3's HTTPConnection adds on its own
        payload = read_body(body)
        while True:
            try:
                reply = _exchange(method, target, pairs, payload, timeout_of(self, timeout),
                                  "follow" if redirect else "manual")
            except _EgressError as error:
                if error.kind == "denied":
                    raise MaxRetryError(self, target, NewConnectionError(self, "denied: " + error.message)) from None
                if error.kind == "too_large":
                    raise ProtocolError("Response too large", error) from None
                failure = (ReadTimeoutError(self, target, error.message) if error.kind == "timeout"
                           else NewConnectionError(self, error.message))
                # Retry.increment raises (MaxRetryError, or the error itself where urllib3 would) when the
                # user's retry budget is spent, exactly as urllib3's own urlopen does.
                retries = retries.increment(method, target, error=failure, _pool=self)
                retries.sleep()
                continue
            response = _response(HTTPResponse, reply, method, target, retries, response_kw)
            has_retry_after = bool(response.headers.get("Retry-After"))
            if retries.is_retry(method, reply.status, has_retry_after):
                try:
                    retries = retries.increment(method, target, response=response, _pool=self)
                except MaxRetryError:
                    if retries.raise_on_status:
                        raise
                    return response
                retries.sleep(response)
                continue
            return response

    module.HTTPConnectionPool.urlopen = urlopen


class _OriginalResponse:
    """What requests reads cookies from (`raw._original_response.msg`), standing in for http.client's."""

    def __init__(self, message):
        self.msg = message

    def isclosed(self):
        return True

    def close(self):
        pass


def _response(cls, reply, method, url, retries, response_kw):
    import http.client

    from urllib3._collections import HTTPHeaderDict

    headers = HTTPHeaderDict()
    message = http.client.HTTPMessage()
    for name, value in reply.headers:
        headers.add(name, value)
        message[name] = value
    options = {key: response_kw[key] for key in ("preload_content", "decode_content") if key in response_kw}
    return cls(body=io.BytesIO(reply.body), headers=headers, status=reply.status, reason=reply.reason,
               original_response=_OriginalResponse(message), request_method=method, request_url=url,
               retries=retries, **options)


# ---- httpx (sync and async clients)


def _patch_httpx_transports(module):
    # httpx/__init__ is still importing this module: take the names from the submodules that define them.
    from httpx._exceptions import ConnectError, ReadTimeout, RemoteProtocolError
    from httpx._models import Response

    class EgressDenied(ConnectError, PermissionError):
        """The egress policy refused the request: an httpx.ConnectError and a PermissionError at once."""

    EgressDenied.__module__ = "httpx"

    def send(request):
        timeouts = request.extensions.get("timeout") or {}
        body = request.read()
        pairs = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw]
        try:
            reply = _exchange(request.method, str(request.url), pairs, body,
                              _seconds(timeouts.get("connect"), timeouts.get("read")), "manual")
        except _EgressError as error:
            if error.kind == "denied":
                raise EgressDenied(error.message, request=request) from None
            if error.kind == "timeout":
                raise ReadTimeout(error.message, request=request) from None
            if error.kind == "too_large":
                raise RemoteProtocolError(error.message, request=request) from None
            raise ConnectError(error.message, request=request) from None
        return Response(reply.status, headers=reply.headers, content=reply.body, request=request,
                        extensions={"reason_phrase": reply.reason.encode("latin-1", "replace")})

    # The transports' own __init__ builds an httpcore pool and an ssl context; a Wasm lane has no ssl
    # module, and the bridge does TLS on the host. So a transport here keeps only what it was given.
    def init(self, *args, **kwargs):
        self._isola_options = kwargs

    def handle_request(self, request):
        return send(request)

    async def handle_async_request(self, request):
        await request.aread()
        return send(request)

    def nothing(self, *args):
        return None

    async def nothing_async(self, *args):
        return None

    def enter(self):
        return self

    async def enter_async(self):
        return self

    sync, asynchronous = module.HTTPTransport, module.AsyncHTTPTransport
    sync.__init__ = asynchronous.__init__ = init
    sync.handle_request = handle_request
    sync.__enter__ = enter
    sync.close = sync.__exit__ = nothing
    asynchronous.handle_async_request = handle_async_request
    asynchronous.aclose = asynchronous.__aexit__ = nothing_async
    asynchronous.__aenter__ = enter_async
    module.EgressDenied = EgressDenied


# ---- aiohttp


def _patch_aiohttp_client(module):
    from isola_aiohttp import adapt

    adapt(module, _exchange, _EgressError)


# ---- the import hook

_PATCHES = {
    "urllib3.connectionpool": _patch_urllib3_connectionpool,
    "httpx._transports.default": _patch_httpx_transports,
    "aiohttp.client": _patch_aiohttp_client,
}


def install(fetch, egress_error):
    global _fetch, _EgressError
    _fetch = fetch
    _EgressError = egress_error
    from isola_import_hooks import after_import

    after_import(_PATCHES)
