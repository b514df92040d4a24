// Blob, File and FormData, enough to upload generated data from a code node: fetch sends a FormData as
// multipart/form-data and a Blob with its type. Bytes are held in memory, like everything in the sandbox.
(function (internal) {
  'use strict';
  const text = internal.lib('text');

  function partBytes(part) {
    if (part instanceof Blob) return blobBytes(part);
    if (part instanceof ArrayBuffer) return new Uint8Array(part.slice(0));
    if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength));
    return text.encode(String(part));
  }

  const kBytes = Symbol('bytes');
  const blobBytes = (blob) => blob[kBytes];

  class Blob {
    #type;
    constructor(parts = [], options = {}) {
      if (parts === null || typeof parts !== 'object' || typeof parts[Symbol.iterator] !== 'function') {
        throw new TypeError("Failed to construct 'Blob': The provided value cannot be converted to a sequence.");
      }
      const chunks = Array.from(parts, partBytes);
      const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let offset = 0;
      for (const chunk of chunks) (bytes.set(chunk, offset), (offset += chunk.length));
      Object.defineProperty(this, kBytes, { value: bytes });
      const type = options && options.type !== undefined ? String(options.type) : '';
      this.#type = /^[\x20-\x7e]*$/.test(type) ? type.toLowerCase() : '';
    }
    get size() {
      return this[kBytes].length;
    }
    get type() {
      return this.#type;
    }
    async text() {
      return text.decode(this[kBytes]);
    }
    async arrayBuffer() {
      return this[kBytes].slice().buffer;
    }
    async bytes() {
      return this[kBytes].slice();
    }
    slice(start = 0, end = this.size, type = '') {
      return new Blob([this[kBytes].slice(start, end)], { type });
    }
    stream() {
      const bytes = this[kBytes];
      let done = false;
      return {
        getReader: () => ({ read: async () => (done ? { done: true, value: undefined } : ((done = true), { done: false, value: bytes.slice() })), releaseLock() {} }),
        async *[Symbol.asyncIterator]() {
          yield bytes.slice();
        },
      };
    }
    get [Symbol.toStringTag]() {
      return 'Blob';
    }
  }

  class File extends Blob {
    #name;
    #lastModified;
    constructor(parts, name, options = {}) {
      if (arguments.length < 2) throw new TypeError("Failed to construct 'File': 2 arguments required, but only " + arguments.length + ' present.');
      super(parts, options);
      this.#name = String(name);
      this.#lastModified = options && options.lastModified !== undefined ? Number(options.lastModified) : Date.now();
    }
    get name() {
      return this.#name;
    }
    get lastModified() {
      return this.#lastModified;
    }
    get [Symbol.toStringTag]() {
      return 'File';
    }
  }

  class FormData {
    #entries = [];
    constructor(form) {
      if (form !== undefined) throw new TypeError("Failed to construct 'FormData': parameter 1 is not of type 'HTMLFormElement'.");
    }
    static #entry(name, value, filename) {
      if (value instanceof Blob) {
        const file = value instanceof File && filename === undefined ? value : new File([value], filename !== undefined ? filename : value instanceof File ? value.name : 'blob', { type: value.type });
        return [String(name), file];
      }
      return [String(name), String(value)];
    }
    append(name, value, filename) {
      this.#entries.push(FormData.#entry(name, value, filename));
    }
    set(name, value, filename) {
      const entry = FormData.#entry(name, value, filename);
      const index = this.#entries.findIndex(([k]) => k === entry[0]);
      if (index < 0) return void this.#entries.push(entry);
      this.#entries[index] = entry;
      this.#entries = this.#entries.filter(([k], i) => k !== entry[0] || i <= index);
    }
    get(name) {
      const found = this.#entries.find(([k]) => k === String(name));
      return found ? found[1] : null;
    }
    getAll(name) {
      return this.#entries.filter(([k]) => k === String(name)).map(([, v]) => v);
    }
    has(name) {
      return this.#entries.some(([k]) => k === String(name));
    }
    delete(name) {
      this.#entries = this.#entries.filter(([k]) => k !== String(name));
    }
    *entries() {
      for (const [k, v] of this.#entries.slice()) yield [k, v];
    }
  }

  internal.lib('fetch_body').mixEntries(FormData, 'FormData');

  /** multipart/form-data encoding (RFC 7578): [bytes, content type with boundary]. */
  function encodeMultipart(form) {
    const hex = internal.randomBytesHex(12);
    const boundary = '----formdata-isola-' + hex;
    const escape = (s) => s.replace(/\r?\n|\r/g, '\r\n').replace(/"/g, '%22').replace(/\r\n/g, '%0D%0A');
    const chunks = [];
    for (const [name, value] of form) {
      let head = '--' + boundary + '\r\nContent-Disposition: form-data; name="' + escape(name) + '"';
      if (value instanceof File) {
        head += '; filename="' + escape(value.name) + '"\r\nContent-Type: ' + (value.type || 'application/octet-stream') + '\r\n\r\n';
        chunks.push(text.encode(head), blobBytes(value), text.encode('\r\n'));
      } else chunks.push(text.encode(head + '\r\n\r\n' + value.replace(/\r(?!\n)|(?<!\r)\n/g, '\r\n') + '\r\n'));
    }
    chunks.push(text.encode('--' + boundary + '--\r\n'));
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const chunk of chunks) (bytes.set(chunk, offset), (offset += chunk.length));
    return [bytes, 'multipart/form-data; boundary=' + boundary];
  }

  return { Blob, File, FormData, blobBytes, encodeMultipart };
});
