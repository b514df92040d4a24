// TextEncoder/TextDecoder (UTF-8 only, which is all JSON workloads need) and node:string_decoder.
// QuickJS has neither, and Buffer, fetch and fs all decode through here.
(function (internal) {
  'use strict';

  function encode(input) {
    const str = String(input === undefined ? '' : input);
    const out = new Uint8Array(str.length * 3);
    let n = 0;
    for (let i = 0; i < str.length; i++) {
      let c = str.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
        const d = str.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate, as the WHATWG encoder does
      if (c < 0x80) out[n++] = c;
      else if (c < 0x800) {
        out[n++] = 0xc0 | (c >> 6);
        out[n++] = 0x80 | (c & 63);
      } else if (c < 0x10000) {
        out[n++] = 0xe0 | (c >> 12);
        out[n++] = 0x80 | ((c >> 6) & 63);
        out[n++] = 0x80 | (c & 63);
      } else {
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 63);
        out[n++] = 0x80 | ((c >> 6) & 63);
        out[n++] = 0x80 | (c & 63);
      }
    }
    return out.slice(0, n);
  }

  // Decode UTF-8 following the WHATWG "maximal subpart" rule for replacement characters, so malformed
  // input yields the same string as in Node. Returns [text, bytesConsumed]: with `stream`, an incomplete
  // sequence at the end is left unconsumed for the next call.
  function decodeUtf8(bytes, fatal, stream) {
    let out = '';
    let chunk = [];
    let i = 0;
    const bad = () => {
      if (fatal) {
        const error = new TypeError('The encoded data was not valid for encoding utf-8');
        error.code = 'ERR_ENCODING_INVALID_ENCODED_DATA';
        throw error;
      }
      chunk.push(0xfffd);
    };
    while (i < bytes.length) {
      const b = bytes[i];
      if (b < 0x80 && chunk.length === 0) {
        // ASCII run: one native String.fromCharCode call instead of a push per byte.
        let end = i + 1;
        while (end < bytes.length && bytes[end] < 0x80 && end - i < 8192) end++;
        out += String.fromCharCode.apply(null, bytes.subarray(i, end));
        i = end;
        continue;
      }
      let need = 0;
      let cp = 0;
      let lower = 0x80;
      let upper = 0xbf;
      if (b < 0x80) {
        chunk.push(b);
        i++;
      } else {
        if (b >= 0xc2 && b <= 0xdf) (need = 1), (cp = b & 0x1f);
        else if (b >= 0xe0 && b <= 0xef) {
          need = 2;
          cp = b & 0xf;
          if (b === 0xe0) lower = 0xa0;
          if (b === 0xed) upper = 0x9f;
        } else if (b >= 0xf0 && b <= 0xf4) {
          need = 3;
          cp = b & 0x7;
          if (b === 0xf0) lower = 0x90;
          if (b === 0xf4) upper = 0x8f;
        } else {
          bad();
          i++;
          continue;
        }
        let j = 1;
        for (; j <= need; j++) {
          if (i + j >= bytes.length) break;
          const c = bytes[i + j];
          if (c < lower || c > upper) break;
          lower = 0x80;
          upper = 0xbf;
          cp = (cp << 6) | (c & 0x3f);
        }
        if (j > need) {
          chunk.push(cp);
          i += j;
        } else if (i + j >= bytes.length && stream) {
          break; // incomplete at the end: keep for the next chunk
        } else {
          bad();
          i += j;
        }
      }
      if (chunk.length >= 4096) {
        out += String.fromCodePoint(...chunk);
        chunk = [];
      }
    }
    return [out + String.fromCodePoint(...chunk), i];
  }

  const LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);

  class TextEncoder {
    get encoding() {
      return 'utf-8';
    }
    encode(input = '') {
      return encode(input);
    }
    encodeInto(source, destination) {
      const bytes = encode(source);
      let written = bytes.length;
      if (written > destination.length) {
        written = destination.length;
        // never split a character: back up to a lead byte
        while (written > 0 && (bytes[written] & 0xc0) === 0x80) written--;
      }
      destination.set(bytes.subarray(0, written));
      return { read: decodeUtf8(bytes.subarray(0, written), false, false)[0].length, written };
    }
  }

  class TextDecoder {
    #fatal;
    #ignoreBOM;
    #pending = new Uint8Array(0);
    #seenStart = false;
    constructor(label = 'utf-8', options = {}) {
      const name = String(label).trim().toLowerCase();
      if (!LABELS.has(name)) {
        const error = new RangeError('The "' + label + '" encoding is not supported');
        error.code = 'ERR_ENCODING_NOT_SUPPORTED';
        throw error;
      }
      this.#fatal = !!(options && options.fatal);
      this.#ignoreBOM = !!(options && options.ignoreBOM);
    }
    get encoding() {
      return 'utf-8';
    }
    get fatal() {
      return this.#fatal;
    }
    get ignoreBOM() {
      return this.#ignoreBOM;
    }
    decode(input, options = {}) {
      const stream = !!(options && options.stream);
      let bytes = toBytes(input);
      if (this.#pending.length > 0) {
        const joined = new Uint8Array(this.#pending.length + bytes.length);
        joined.set(this.#pending);
        joined.set(bytes, this.#pending.length);
        bytes = joined;
      }
      const [text, used] = decodeUtf8(bytes, this.#fatal, stream);
      this.#pending = bytes.slice(used);
      let result = text;
      if (!this.#seenStart && !this.#ignoreBOM && result.charCodeAt(0) === 0xfeff) result = result.slice(1);
      this.#seenStart = stream && (this.#seenStart || bytes.length > 0);
      return result;
    }
  }

  function toBytes(input) {
    if (input === undefined) return new Uint8Array(0);
    if (input instanceof Uint8Array) return input;
    if (input instanceof ArrayBuffer) return new Uint8Array(input);
    if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    throw new TypeError('The "input" argument must be an instance of ArrayBuffer or ArrayBufferView');
  }

  // node:string_decoder for utf8 (and the byte-per-char encodings Buffer knows): keeps an incomplete
  // multi-byte character between write() calls.
  class StringDecoder {
    constructor(encoding = 'utf8') {
      this.encoding = String(encoding).toLowerCase().replace('-', '');
      if (this.encoding !== 'utf8') this.buffer = internal.lib('buffer').Buffer;
      this.decoder = new TextDecoder();
    }
    write(chunk) {
      if (typeof chunk === 'string') return chunk;
      if (this.buffer) return this.buffer.from(chunk).toString(this.encoding);
      return this.decoder.decode(chunk, { stream: true });
    }
    end(chunk) {
      let text = chunk === undefined ? '' : this.write(chunk);
      if (!this.buffer) text += this.decoder.decode();
      return text;
    }
  }

  return {
    TextEncoder,
    TextDecoder,
    encode,
    decode: (bytes) => decodeUtf8(toBytes(bytes), false, false)[0],
    string_decoder: { StringDecoder },
  };
});
