// Headers and the Body mixin shared by Request and Response (Fetch Standard). Bodies are held as bytes:
// the sandbox's fetch buffers whole responses, so streams are only simulated for code that reads `.body`.
(function (internal) {
  'use strict';
  const text = internal.lib('text');
  const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

  function checkName(name) {
    const str = String(name);
    if (!TOKEN.test(str)) throw new TypeError('Headers.append: "' + str + '" is an invalid header name.');
    return str.toLowerCase();
  }
  function checkValue(value) {
    const str = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');
    if (/[\0\r\n]/.test(str)) throw new TypeError('Headers.append: "' + str + '" is an invalid header value.');
    return str;
  }

  /**
   * keys/values/forEach/@@iterator/@@toStringTag derived from a class's entries(): the iteration protocol
   * Headers and FormData share, defined like class methods (non-enumerable).
   */
  function mixEntries(Class, tag) {
    const method = (value) => ({ value, writable: true, configurable: true });
    Object.defineProperties(Class.prototype, {
      keys: method(function* keys() {
        for (const [k] of this.entries()) yield k;
      }),
      values: method(function* values() {
        for (const [, v] of this.entries()) yield v;
      }),
      forEach: method(function forEach(callback, thisArg) {
        for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
      }),
      [Symbol.iterator]: method(function entries() {
        return this.entries();
      }),
      [Symbol.toStringTag]: { get: () => tag, configurable: true },
    });
  }

  class Headers {
    #map = new Map(); // lower-case name -> array of values
    constructor(init) {
      if (init === undefined || init === null) return;
      if (init instanceof Headers) for (const [k, vs] of init.#map) this.#map.set(k, vs.slice());
      else if (typeof init[Symbol.iterator] === 'function') {
        for (const pair of init) {
          const entry = Array.from(pair);
          if (entry.length !== 2) throw new TypeError('Headers constructor: expected name/value pair to be length 2, found ' + entry.length + '.');
          this.append(entry[0], entry[1]);
        }
      } else if (typeof init === 'object') for (const key of Object.keys(init)) this.append(key, init[key]);
      else throw new TypeError("Failed to construct 'Headers': The provided value is not of type '(record<ByteString, ByteString> or sequence<sequence<ByteString>>)'.");
    }
    append(name, value) {
      const key = checkName(name);
      const list = this.#map.get(key) || [];
      list.push(checkValue(value));
      this.#map.set(key, list);
    }
    set(name, value) {
      this.#map.set(checkName(name), [checkValue(value)]);
    }
    delete(name) {
      this.#map.delete(checkName(name));
    }
    get(name) {
      const list = this.#map.get(checkName(name));
      return list ? list.join(', ') : null;
    }
    has(name) {
      return this.#map.has(checkName(name));
    }
    getSetCookie() {
      return (this.#map.get('set-cookie') || []).slice();
    }
    *entries() {
      const names = [...this.#map.keys()].sort();
      for (const name of names) {
        if (name === 'set-cookie') for (const value of this.#map.get(name)) yield [name, value];
        else yield [name, this.#map.get(name).join(', ')];
      }
    }
    [Symbol.for('nodejs.util.inspect.custom')](_depth, options, inspect) {
      return 'Headers ' + inspect(Object.fromEntries(this.entries()), options);
    }
  }
  mixEntries(Headers, 'Headers');

  /** Body init -> [bytes or null, default content-type or null] (the Fetch "extract a body" step). */
  function extractBody(body) {
    if (body === undefined || body === null) return [null, null];
    if (typeof body === 'string') return [text.encode(body), 'text/plain;charset=UTF-8'];
    if (body instanceof ArrayBuffer) return [new Uint8Array(body.slice(0)), null];
    if (ArrayBuffer.isView(body)) return [new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)), null];
    const url = internal.lib('url');
    if (body instanceof url.URLSearchParams) return [text.encode(body.toString()), 'application/x-www-form-urlencoded;charset=UTF-8'];
    if (typeof body === 'object') {
      const form = internal.lib('fetch_form');
      if (body instanceof form.FormData) return form.encodeMultipart(body);
      if (body instanceof form.Blob) return [form.blobBytes(body).slice(), body.type || null];
    }
    if (typeof body === 'object' && typeof body[Symbol.asyncIterator] === 'function') throw new TypeError('Streaming request bodies are not supported in the sandbox; pass a string or bytes');
    return [text.encode(String(body)), 'text/plain;charset=UTF-8'];
  }

  // A minimal ReadableStream look-alike over the buffered bytes: getReader().read() and `for await`.
  function bodyStream(take) {
    let done = false;
    const read = async () => {
      if (done) return { done: true, value: undefined };
      done = true;
      const bytes = take();
      return bytes.length === 0 ? { done: true, value: undefined } : { done: false, value: bytes };
    };
    return {
      locked: false,
      getReader() {
        this.locked = true;
        return { read, releaseLock() {}, cancel: async () => void (done = true), closed: Promise.resolve() };
      },
      async *[Symbol.asyncIterator]() {
        for (let chunk = await read(); !chunk.done; chunk = await read()) yield chunk.value;
      },
      cancel: async () => void (done = true),
      get [Symbol.toStringTag]() {
        return 'ReadableStream';
      },
    };
  }

  /** Give a class the Body mixin; instances keep their bytes in `this[kBytes]` and flag in `this[kUsed]`. */
  const kBytes = Symbol('bytes');
  const kUsed = Symbol('used');
  const kStream = Symbol('stream');
  function mixBody(Class) {
    const consume = (self) => {
      if (self[kUsed]) return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
      self[kUsed] = true;
      return Promise.resolve(self[kBytes] || new Uint8Array(0));
    };
    Object.defineProperties(Class.prototype, {
      bodyUsed: { get() { return this[kUsed]; }, configurable: true },
      body: {
        get() {
          if (this[kBytes] === null) return null;
          if (!this[kStream]) this[kStream] = bodyStream(() => ((this[kUsed] = true), this[kBytes]));
          return this[kStream];
        },
        configurable: true,
      },
      arrayBuffer: { value() { return consume(this).then((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); }, configurable: true, writable: true },
      bytes: { value() { return consume(this).then((b) => new Uint8Array(b)); }, configurable: true, writable: true },
      text: { value() { return consume(this).then((b) => new (text.TextDecoder)().decode(b)); }, configurable: true, writable: true },
      json: { value() { return this.text().then((t) => JSON.parse(t)); }, configurable: true, writable: true },
      blob: {
        value() {
          const type = this.headers.get('content-type') || '';
          return consume(this).then((b) => new (internal.lib('fetch_form').Blob)([b], { type }));
        },
        configurable: true,
        writable: true,
      },
      formData: {
        value() {
          const type = this.headers.get('content-type') || '';
          if (!/^application\/x-www-form-urlencoded/i.test(type)) return Promise.reject(new TypeError('formData() supports application/x-www-form-urlencoded bodies in the sandbox; got "' + type + '"'));
          return this.text().then((body) => {
            const form = new (internal.lib('fetch_form').FormData)();
            for (const [k, v] of new (internal.lib('url').URLSearchParams)(body)) form.append(k, v);
            return form;
          });
        },
        configurable: true,
        writable: true,
      },
    });
  }
  function initBody(self, bytes) {
    for (const [key, value] of [[kBytes, bytes], [kUsed, false], [kStream, null]]) Object.defineProperty(self, key, { value, writable: true });
  }

  return { Headers, extractBody, mixBody, mixEntries, initBody, kBytes, kUsed };
});
