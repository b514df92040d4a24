// fetch, Request and Response for the guest. A request is serialized to plain data and handed to the
// host's egress bridge (internal.hostFetch), which applies the execution's allow-list; the answer comes
// back as JSON and becomes a Response. Failures are TypeErrors, as in browsers and Node.
(function (internal) {
  'use strict';
  const { Headers, extractBody, mixBody, initBody, kBytes, kUsed } = internal.lib('fetch_body');
  const { Buffer } = internal.lib('buffer');
  const METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH']);
  const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
  const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

  function parseUrl(input) {
    const { URL } = internal.lib('url');
    try {
      return new URL(String(input));
    } catch (cause) {
      throw new TypeError('Failed to parse URL from ' + String(input), { cause });
    }
  }

  class Request {
    #url;
    #method;
    #headers;
    #signal;
    #redirect;
    constructor(input, init = {}) {
      init = init || {};
      const from = input instanceof Request ? input : null;
      this.#url = from ? from.url : parseUrl(input).href;
      if (/^[^:]+:\/\/[^/]*@/.test(this.#url)) throw new TypeError('Request cannot be constructed from a URL that includes credentials: ' + this.#url);
      let method = init.method !== undefined ? String(init.method) : from ? from.method : 'GET';
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method)) throw new TypeError("'" + method + "' is not a valid HTTP method.");
      if (METHODS.has(method.toUpperCase())) method = method.toUpperCase();
      if (FORBIDDEN_METHODS.has(method.toUpperCase())) throw new TypeError("'" + method + "' HTTP method is unsupported.");
      this.#method = method;
      this.#headers = new Headers(init.headers !== undefined ? init.headers : from ? from.headers : undefined);
      this.#signal = init.signal !== undefined ? init.signal : from ? from.signal : null;
      this.#redirect = init.redirect || (from ? from.redirect : 'follow');
      let bytes = from && init.body === undefined ? from[kBytes] : null;
      if (init.body !== undefined && init.body !== null) {
        if (method === 'GET' || method === 'HEAD') throw new TypeError('Request with GET/HEAD method cannot have body.');
        const [extracted, type] = extractBody(init.body);
        bytes = extracted;
        if (type && !this.#headers.has('content-type')) this.#headers.set('content-type', type);
      }
      initBody(this, bytes);
    }
    get url() {
      return this.#url;
    }
    get method() {
      return this.#method;
    }
    get headers() {
      return this.#headers;
    }
    get signal() {
      return this.#signal;
    }
    get redirect() {
      return this.#redirect;
    }
    clone() {
      if (this[kUsed]) throw new TypeError('Request.clone: Body has already been consumed.');
      return new Request(this);
    }
    get [Symbol.toStringTag]() {
      return 'Request';
    }
  }
  mixBody(Request);

  const kInternal = Symbol('internal');

  class Response {
    #status;
    #statusText;
    #headers;
    #url = '';
    #redirected = false;
    #type = 'default';
    // `meta` is only passed by this file (the key is not reachable from user code): it lets fetch build
    // responses with statuses and fields that user-constructed responses cannot have.
    constructor(body = null, init = {}, meta) {
      init = init || {};
      meta = meta && meta[kInternal] === true ? meta : null;
      const status = init.status === undefined ? 200 : Number(init.status);
      if (meta) {
        this.#url = meta.url || '';
        this.#redirected = !!meta.redirected;
        this.#type = meta.type || 'default';
      }
      if (!meta && (!Number.isInteger(status) || status < 200 || status > 599)) {
        throw new RangeError('init["status"] must be in the range of 200 to 599, inclusive.');
      }
      this.#status = status;
      this.#statusText = init.statusText === undefined ? '' : String(init.statusText);
      this.#headers = new Headers(init.headers);
      let bytes = null;
      if (meta) bytes = body;
      else if (body !== null && body !== undefined) {
        if (NULL_BODY_STATUS.has(status)) throw new TypeError('Response constructor: Invalid response status code ' + status);
        const [extracted, type] = extractBody(body);
        bytes = extracted;
        if (type && !this.#headers.has('content-type')) this.#headers.set('content-type', type);
      }
      initBody(this, bytes);
    }
    static json(data, init = {}) {
      const json = JSON.stringify(data);
      if (json === undefined) throw new TypeError('Value is not JSON serializable');
      const response = new Response(json, init);
      response.headers.set('content-type', 'application/json');
      return response;
    }
    static error() {
      return new Response(null, { status: 0 }, { [kInternal]: true, type: 'error' });
    }
    static redirect(url, status = 302) {
      if (![301, 302, 303, 307, 308].includes(status)) throw new RangeError('Invalid status code ' + status);
      return new Response(null, { status, headers: { location: parseUrl(url).href } });
    }
    get status() {
      return this.#status;
    }
    get statusText() {
      return this.#statusText;
    }
    get ok() {
      return this.#status >= 200 && this.#status <= 299;
    }
    get headers() {
      return this.#headers;
    }
    get url() {
      return this.#url;
    }
    get redirected() {
      return this.#redirected;
    }
    get type() {
      return this.#type;
    }
    clone() {
      if (this[kUsed]) throw new TypeError('Response.clone: Body has already been consumed.');
      const meta = { [kInternal]: true, url: this.#url, redirected: this.#redirected, type: this.#type };
      return new Response(this[kBytes] && new Uint8Array(this[kBytes]), { status: this.#status, statusText: this.#statusText, headers: this.#headers }, meta);
    }
    get [Symbol.toStringTag]() {
      return 'Response';
    }
    [Symbol.for('nodejs.util.inspect.custom')](_depth, options, inspect) {
      const fields = { status: this.status, statusText: this.statusText, headers: this.headers, body: this.body ? 'ReadableStream' : null, bodyUsed: this.bodyUsed, ok: this.ok, redirected: this.redirected, type: this.type, url: this.url };
      return 'Response ' + inspect(fields, options);
    }
  }
  mixBody(Response);

  /** The Response for what the host answered. */
  function fromHost(answer, requestUrl) {
    const bytes = answer.bodyBase64 ? new Uint8Array(Buffer.from(answer.bodyBase64, 'base64')) : new Uint8Array(0);
    const url = answer.url || requestUrl;
    const meta = { [kInternal]: true, url, redirected: url !== requestUrl, type: 'basic' };
    return new Response(NULL_BODY_STATUS.has(answer.status) ? null : bytes, { status: answer.status, statusText: answer.statusText, headers: answer.headers }, meta);
  }

  function failure(answer) {
    const message = String(answer.message || answer.kind);
    if (answer.kind === 'denied') return new TypeError('fetch denied: ' + message);
    const cause = new Error(message);
    cause.code = 'ERR_FETCH_' + String(answer.kind).toUpperCase();
    return new TypeError('fetch failed: ' + message, { cause });
  }

  function fetch(input, init) {
    return new Promise((resolve, reject) => {
      const request = new Request(input, init);
      const scheme = request.url.slice(0, request.url.indexOf(':'));
      if (scheme !== 'http' && scheme !== 'https') {
        throw new TypeError('fetch failed: the sandbox only fetches http and https URLs', { cause: new Error('unknown scheme ' + scheme) });
      }
      const signal = request.signal;
      if (signal?.aborted) throw signal.reason;
      let settled = false;
      const onAbort = () => {
        if (!settled) (settled = true), reject(signal.reason);
      };
      if (signal) signal.addEventListener('abort', onAbort, { once: true });
      const payload = { url: request.url, method: request.method, headers: [...request.headers], redirect: request.redirect };
      // A timeout signal's remaining time goes to the host too, so the bridge stops waiting as well.
      const deadline = signal ? internal.lib('abort').timeoutDeadline(signal) : undefined;
      if (deadline !== undefined) payload.timeoutMs = Math.max(1, deadline - Date.now());
      const body = request[kBytes];
      internal.hostFetch(JSON.stringify(payload), body ? Buffer.from(body).toString('base64') : undefined).then((json) => {
        if (signal) signal.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        let answer;
        try {
          answer = JSON.parse(json);
        } catch (cause) {
          return reject(new TypeError('fetch failed: malformed answer from the host', { cause }));
        }
        if (!answer.ok) return reject(failure(answer));
        resolve(fromHost(answer, request.url));
      });
    });
  }

  const form = () => internal.lib('fetch_form');
  return {
    fetch,
    Headers,
    Request,
    Response,
    get FormData() {
      return form().FormData;
    },
    get Blob() {
      return form().Blob;
    },
    get File() {
      return form().File;
    },
  };
});
