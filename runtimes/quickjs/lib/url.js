// node:url and the WHATWG URL class. The parser follows the URL Standard's structure (scheme, authority,
// path, query, fragment; special schemes; relative resolution against a base) without its state machine,
// which is long; url-host.js handles hosts and url-encode.js the percent-encode sets.
(function (internal) {
  'use strict';
  const { parseHost } = internal.lib('url_host');
  const { encode, decode } = internal.lib('url_encode');
  const params = internal.lib('url_search_params');
  const DEFAULT_PORTS = { ftp: 21, file: null, http: 80, https: 443, ws: 80, wss: 443 };
  const isSpecial = (scheme) => Object.hasOwn(DEFAULT_PORTS, scheme);
  const SINGLE_DOT = /^(\.|%2e)$/i;
  const DOUBLE_DOT = /^(\.|%2e)(\.|%2e)$/i;

  function emptyRecord(scheme) {
    return { scheme, username: '', password: '', host: null, port: null, path: [], opaque: null, query: null, fragment: null };
  }

  /** Parse `input` (already a string) against an optional base record; null means invalid. */
  function parse(input, base) {
    input = input.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
    const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(input);
    if (match) {
      const scheme = match[1].toLowerCase();
      const rest = input.slice(match[0].length);
      if (scheme === 'file') return parseFile(rest, base && base.scheme === 'file' ? base : null);
      if (isSpecial(scheme)) {
        if (base && base.scheme === scheme && !/^[/\\]{2}/.test(rest)) return parseRelative(rest, base);
        return parseAuthority(emptyRecord(scheme), rest.replace(/^[/\\]*/, ''));
      }
      if (rest.startsWith('//')) return parseAuthority(emptyRecord(scheme), rest.slice(2));
      if (rest.startsWith('/')) return parsePathEtc(emptyRecord(scheme), rest);
      const url = emptyRecord(scheme);
      const [opaque, tail] = splitPath(rest);
      url.opaque = encode(opaque, 'c0');
      return parseQueryFragment(url, tail);
    }
    if (!base) return null;
    if (base.opaque !== null) {
      if (!input.startsWith('#')) return null;
      return parseQueryFragment(Object.assign({}, base, { fragment: null }), input);
    }
    if (base.scheme === 'file') return parseFile(input, base);
    return parseRelative(input, base);
  }

  // Split off the path part: up to the first '?' or '#'.
  function splitPath(str) {
    const end = str.search(/[?#]/);
    return end < 0 ? [str, ''] : [str.slice(0, end), str.slice(end)];
  }

  function parseQueryFragment(url, tail) {
    const special = isSpecial(url.scheme);
    if (tail.startsWith('?')) {
      const hash = tail.indexOf('#');
      const query = hash < 0 ? tail.slice(1) : tail.slice(1, hash);
      url.query = encode(query, special ? 'specialQuery' : 'query');
      tail = hash < 0 ? '' : tail.slice(hash);
    }
    if (tail.startsWith('#')) url.fragment = encode(tail.slice(1), 'fragment');
    return url;
  }

  /** Append the segments of a relative path string to url.path, resolving dot segments. */
  function appendSegments(url, pathString) {
    const special = isSpecial(url.scheme);
    const segments = pathString.split(special ? /[/\\]/ : '/');
    segments.forEach((segment, i) => {
      const last = i === segments.length - 1;
      if (DOUBLE_DOT.test(segment)) {
        if (url.path.length > 0 && !(url.scheme === 'file' && url.path.length === 1 && /^[a-zA-Z]:$/.test(url.path[0]))) url.path.pop();
        if (last) url.path.push('');
      } else if (SINGLE_DOT.test(segment)) {
        if (last) url.path.push('');
      } else url.path.push(encode(segment, 'path'));
    });
  }

  function parsePathEtc(url, rest) {
    const [pathString, tail] = splitPath(rest);
    const special = isSpecial(url.scheme);
    url.path = [];
    if (pathString !== '' || special) {
      // Absolute path: drop the leading slash the path-start state consumes.
      appendSegments(url, /^[/\\]/.test(pathString) && (special || pathString[0] === '/') ? pathString.slice(1) : pathString);
    }
    return parseQueryFragment(url, tail);
  }

  function parseAuthority(url, rest) {
    const special = isSpecial(url.scheme);
    const end = rest.search(special ? /[/\\?#]/ : /[/?#]/);
    const authority = end < 0 ? rest : rest.slice(0, end);
    const remainder = end < 0 ? '' : rest.slice(end);
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      const colon = userinfo.indexOf(':');
      url.username = encode(colon < 0 ? userinfo : userinfo.slice(0, colon), 'userinfo');
      url.password = colon < 0 ? '' : encode(userinfo.slice(colon + 1), 'userinfo');
    }
    const hostPort = authority.slice(at + 1);
    const close = hostPort.startsWith('[') ? hostPort.indexOf(']') : -1;
    const colon = hostPort.indexOf(':', Math.max(close, 0));
    const hostString = colon < 0 ? hostPort : hostPort.slice(0, colon);
    if (colon >= 0) {
      const port = hostPort.slice(colon + 1);
      if (!/^[0-9]*$/.test(port)) return null;
      if (port !== '') {
        const n = parseInt(port, 10);
        if (n > 65535) return null;
        url.port = n === DEFAULT_PORTS[url.scheme] ? null : n;
      }
    }
    if (hostString === '') {
      if (special || at >= 0 || colon >= 0) return null;
      url.host = '';
    } else {
      url.host = parseHost(hostString, special);
      if (url.host === null) return null;
    }
    return parsePathEtc(url, remainder);
  }

  function parseRelative(input, base) {
    const special = isSpecial(base.scheme);
    const slash = special ? /^[/\\]/ : /^\//;
    if (slash.test(input) && slash.test(input.slice(1))) {
      return parseAuthority(emptyRecord(base.scheme), special ? input.replace(/^[/\\]*/, '') : input.slice(2));
    }
    const url = Object.assign({}, base, { path: base.path.slice(), fragment: null });
    if (slash.test(input)) return parsePathEtc(Object.assign(url, { query: null }), input);
    if (input === '') return url;
    if (input.startsWith('?')) return parseQueryFragment(Object.assign(url, { query: null }), input);
    if (input.startsWith('#')) return parseQueryFragment(url, input);
    url.query = null;
    url.path.pop();
    const [pathString, tail] = splitPath(input);
    appendSegments(url, pathString);
    return parseQueryFragment(url, tail);
  }

  function parseFile(rest, base) {
    const url = emptyRecord('file');
    url.host = '';
    if (/^[/\\]{2}/.test(rest)) {
      const after = rest.slice(2);
      const end = after.search(/[/\\?#]/);
      const hostString = end < 0 ? after : after.slice(0, end);
      if (hostString !== '') {
        const host = parseHost(hostString, true);
        if (host === null) return null;
        url.host = host === 'localhost' ? '' : host;
      }
      return parsePathEtc(url, end < 0 ? '' : after.slice(end));
    }
    if (base) {
      url.host = base.host;
      if (!/^[/\\]/.test(rest)) return parseRelative(rest, base);
    }
    return parsePathEtc(url, /^[/\\]/.test(rest) ? rest : '/' + rest);
  }

  function serialize(url, excludeFragment) {
    let out = url.scheme + ':';
    if (url.host !== null) {
      out += '//';
      if (url.username !== '' || url.password !== '') out += url.username + (url.password !== '' ? ':' + url.password : '') + '@';
      out += url.host + (url.port !== null ? ':' + url.port : '');
    }
    if (url.opaque !== null) out += url.opaque;
    else {
      if (url.host === null && url.path.length > 1 && url.path[0] === '') out += '/.';
      out += pathname(url);
    }
    if (url.query !== null) out += '?' + url.query;
    if (!excludeFragment && url.fragment !== null) out += '#' + url.fragment;
    return out;
  }
  const pathname = (url) => (url.opaque !== null ? url.opaque : url.path.map((s) => '/' + s).join(''));

  function invalid(input) {
    const error = new TypeError('Invalid URL');
    error.code = 'ERR_INVALID_URL';
    error.input = input;
    return error;
  }

  class URL {
    #url;
    #params;
    constructor(input, base) {
      if (arguments.length === 0) throw new TypeError('The "url" argument must be specified');
      let baseRecord = null;
      if (base !== undefined) {
        baseRecord = parse(String(base), null);
        if (baseRecord === null) throw invalid(String(input));
      }
      const record = parse(String(input), baseRecord);
      if (record === null) throw invalid(String(input));
      this.#url = record;
    }
    static canParse(input, base) {
      try {
        new URL(input, base);
        return true;
      } catch {
        return false;
      }
    }
    static parse(input, base) {
      try {
        return new URL(input, base);
      } catch {
        return null;
      }
    }
    #sync() {
      if (this.#params) params.reset(this.#params, this.#url.query);
    }
    get href() {
      return serialize(this.#url, false);
    }
    set href(value) {
      const record = parse(String(value), null);
      if (record === null) throw invalid(String(value));
      this.#url = record;
      this.#sync();
    }
    get origin() {
      const url = this.#url;
      if (url.scheme === 'blob') return URL.canParse(pathname(url)) ? new URL(pathname(url)).origin : 'null';
      if (!isSpecial(url.scheme) || url.scheme === 'file') return 'null';
      return url.scheme + '://' + url.host + (url.port !== null ? ':' + url.port : '');
    }
    get protocol() {
      return this.#url.scheme + ':';
    }
    set protocol(value) {
      const match = /^([a-zA-Z][a-zA-Z0-9+.-]*)(:|$)/.exec(String(value));
      if (!match) return;
      const scheme = match[1].toLowerCase();
      const url = this.#url;
      if (isSpecial(scheme) !== isSpecial(url.scheme)) return;
      if (scheme === 'file' && (url.username || url.password || url.port !== null)) return;
      if (url.scheme === 'file' && url.host === '') return;
      url.scheme = scheme;
      if (url.port === DEFAULT_PORTS[scheme]) url.port = null;
    }
    get username() {
      return this.#url.username;
    }
    set username(value) {
      if (this.#cannotHaveCredentials()) return;
      this.#url.username = encode(String(value), 'userinfo');
    }
    get password() {
      return this.#url.password;
    }
    set password(value) {
      if (this.#cannotHaveCredentials()) return;
      this.#url.password = encode(String(value), 'userinfo');
    }
    #cannotHaveCredentials() {
      return this.#url.host === null || this.#url.host === '' || this.#url.scheme === 'file';
    }
    get host() {
      const url = this.#url;
      return url.host === null ? '' : url.host + (url.port !== null ? ':' + url.port : '');
    }
    set host(value) {
      this.#setHost(String(value), true);
    }
    get hostname() {
      return this.#url.host === null ? '' : this.#url.host;
    }
    set hostname(value) {
      this.#setHost(String(value), false);
    }
    #setHost(value, withPort) {
      const url = this.#url;
      if (url.opaque !== null) return;
      const probe = parse(url.scheme + '://' + value.replace(withPort ? /[/?#\\].*$/s : /[:/?#\\].*$/s, ''), null);
      if (probe === null || (probe.host === '' && isSpecial(url.scheme) && url.scheme !== 'file')) return;
      url.host = probe.host;
      if (withPort && probe.port !== null) url.port = probe.port;
    }
    get port() {
      return this.#url.port === null ? '' : String(this.#url.port);
    }
    set port(value) {
      const url = this.#url;
      if (this.#cannotHaveCredentials()) return;
      const str = String(value);
      if (str === '') {
        url.port = null;
        return;
      }
      const digits = /^[0-9]+/.exec(str);
      if (!digits) return;
      const n = parseInt(digits[0], 10);
      if (n > 65535) return;
      url.port = n === DEFAULT_PORTS[url.scheme] ? null : n;
    }
    get pathname() {
      return pathname(this.#url);
    }
    set pathname(value) {
      const url = this.#url;
      if (url.opaque !== null) return;
      const str = String(value).replace(/[?#]/g, (c) => (c === '?' ? '%3F' : '%23'));
      url.path = [];
      appendSegments(url, /^[/\\]/.test(str) && (isSpecial(url.scheme) || str[0] === '/') ? str.slice(1) : str);
    }
    get search() {
      const query = this.#url.query;
      return query === null || query === '' ? '' : '?' + query;
    }
    set search(value) {
      const str = String(value);
      this.#url.query = str === '' ? null : encode(str.replace(/^\?/, ''), isSpecial(this.#url.scheme) ? 'specialQuery' : 'query');
      this.#sync();
    }
    get searchParams() {
      if (!this.#params) {
        this.#params = new params.URLSearchParams(this.#url.query || '');
        params.link(this.#params, (query) => {
          this.#url.query = query === '' ? null : query;
        });
      }
      return this.#params;
    }
    get hash() {
      const fragment = this.#url.fragment;
      return fragment === null || fragment === '' ? '' : '#' + fragment;
    }
    set hash(value) {
      const str = String(value);
      this.#url.fragment = str === '' ? null : encode(str.replace(/^#/, ''), 'fragment');
    }
    toString() {
      return this.href;
    }
    toJSON() {
      return this.href;
    }
    get [Symbol.toStringTag]() {
      return 'URL';
    }
    [Symbol.for('nodejs.util.inspect.custom')](_depth, options, inspect) {
      const fields = {};
      for (const key of ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'searchParams', 'hash']) fields[key] = this[key];
      return 'URL ' + inspect(fields, options);
    }
  }

  function fileURLToPath(value) {
    const url = typeof value === 'string' ? new URL(value) : value;
    if (!(url instanceof URL)) {
      const error = new TypeError('The "path" argument must be of type string or an instance of URL');
      error.code = 'ERR_INVALID_ARG_TYPE';
      throw error;
    }
    if (url.protocol !== 'file:') {
      const error = new TypeError('The URL must be of scheme file');
      error.code = 'ERR_INVALID_URL_SCHEME';
      throw error;
    }
    if (url.hostname !== '') {
      const error = new TypeError('File URL host must be "localhost" or empty on linux');
      error.code = 'ERR_INVALID_FILE_URL_HOST';
      throw error;
    }
    if (/%2f/i.test(url.pathname)) {
      const error = new TypeError('File URL path must not include encoded / characters');
      error.code = 'ERR_INVALID_FILE_URL_PATH';
      throw error;
    }
    return decode(url.pathname, false);
  }

  function pathToFileURL(filepath) {
    let resolved = internal.lib('path').resolve(String(filepath));
    if (String(filepath).endsWith('/') && !resolved.endsWith('/')) resolved += '/';
    // Node escapes these before parsing, beyond what the URL path set would: '[', ']', '|' and '~' too.
    const escaped = resolved.replace(/[%\\\n\r\t#?[\]|~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
    return new URL('file://' + escaped);
  }

  // The legacy url.format(urlObject) / url.parse(), enough for code written against them.
  function format(value, options) {
    if (typeof value === 'string') value = new URL(value);
    if (value instanceof URL) {
      const opts = options || {};
      const url = new URL(value.href);
      if (opts.auth === false) (url.username = ''), (url.password = '');
      if (opts.search === false) url.search = '';
      if (opts.fragment === false) url.hash = '';
      return url.href;
    }
    const protocol = value.protocol ? (value.protocol.endsWith(':') ? value.protocol : value.protocol + ':') : '';
    const slashes = value.slashes || /^(https?|ftp|file|wss?):$/.test(protocol) ? '//' : '';
    const host = value.host || (value.hostname ? value.hostname + (value.port ? ':' + value.port : '') : '');
    let search = value.search || '';
    if (!search && value.query && typeof value.query === 'object') {
      const query = new params.URLSearchParams(value.query).toString();
      search = query ? '?' + query : '';
    } else if (!search && typeof value.query === 'string' && value.query) search = '?' + value.query;
    const hash = value.hash ? (value.hash.startsWith('#') ? value.hash : '#' + value.hash) : '';
    return protocol + (host || protocol === 'file:' ? slashes : '') + (value.auth ? value.auth + '@' : '') + host + (value.pathname || '') + search + hash;
  }

  function legacyParse(str, parseQuery) {
    const url = new URL(str);
    const query = url.search.slice(1);
    return {
      protocol: url.protocol,
      slashes: true,
      auth: url.username ? url.username + (url.password ? ':' + url.password : '') : null,
      host: url.host,
      port: url.port || null,
      hostname: url.hostname,
      hash: url.hash || null,
      search: url.search || null,
      query: parseQuery ? Object.fromEntries(url.searchParams) : query || null,
      pathname: url.pathname,
      path: url.pathname + url.search,
      href: url.href,
    };
  }

  return { URL, URLSearchParams: params.URLSearchParams, fileURLToPath, pathToFileURL, format, parse: legacyParse };
});
