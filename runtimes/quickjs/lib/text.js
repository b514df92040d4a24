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
      if (fatal) throw invalidData('utf-8');
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

  // WHATWG encoding labels for the decoders we have: UTF-8, UTF-16LE and windows-1252 (which the
  // Encoding Standard uses for "latin1"/"ascii" too).
  const LABELS = Object.assign(Object.create(null), {
    'utf-8': 'utf-8', utf8: 'utf-8', 'unicode-1-1-utf-8': 'utf-8',
    'utf-16le': 'utf-16le', 'utf-16': 'utf-16le', ucs2: 'utf-16le', 'ucs-2': 'utf-16le', 'unicode': 'utf-16le', 'csunicode': 'utf-16le',
    'windows-1252': 'windows-1252', latin1: 'windows-1252', 'iso-8859-1': 'windows-1252', 'iso8859-1': 'windows-1252', 'iso_8859-1': 'windows-1252',
    ascii: 'windows-1252', 'us-ascii': 'windows-1252', cp1252: 'windows-1252', l1: 'windows-1252', 'x-cp1252': 'windows-1252', cp819: 'windows-1252',
  });
  // The Encoding Standard's windows-1252, as Node 24 decodes it (Node 22 still read byte = code point):
  // 0x80-0x9F are typographic characters (€ ‚ ƒ „ … “ ” Ÿ ...), except five bytes that stay C1 controls.
  // Every byte maps, so there is nothing for `fatal` to reject.
  const WINDOWS_1252_C1 = [
    0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
    0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
  ];
  function decodeWindows1252(bytes) {
    const units = new Uint16Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      units[i] = b >= 0x80 && b < 0xa0 ? WINDOWS_1252_C1[b - 0x80] : b;
    }
    let out = '';
    for (let i = 0; i < units.length; i += 8192) out += String.fromCharCode.apply(null, units.subarray(i, i + 8192));
    return [out, bytes.length];
  }

  // UTF-16LE: unpaired surrogates become U+FFFD (or throw when fatal); a trailing odd byte waits with `stream`.
  function decodeUtf16le(bytes, fatal, stream) {
    const units = bytes.length >> 1;
    let used = units * 2;
    let end = units;
    const last = units > 0 ? bytes[used - 2] | (bytes[used - 1] << 8) : 0;
    if (stream && last >= 0xd800 && last <= 0xdbff) (end = units - 1), (used -= 2);
    let out = '';
    for (let i = 0; i < end; i++) {
      const c = bytes[i * 2] | (bytes[i * 2 + 1] << 8);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
        const d = bytes[i * 2 + 2] | (bytes[i * 2 + 3] << 8);
        if (d >= 0xdc00 && d <= 0xdfff) {
          out += String.fromCharCode(c, d);
          i++;
          continue;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        if (fatal) throw invalidData('utf-16le');
        out += '\ufffd';
      } else out += String.fromCharCode(c);
    }
    if (!stream && bytes.length % 2 === 1) {
      if (fatal) throw invalidData('utf-16le');
      out += '\ufffd';
      used = bytes.length;
    }
    return [out, used];
  }

  function invalidData(encoding) {
    const error = new TypeError('The encoded data was not valid for encoding ' + encoding);
    error.code = 'ERR_ENCODING_INVALID_ENCODED_DATA';
    return error;
  }

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
    #encoding;
    #fatal;
    #ignoreBOM;
    #pending = new Uint8Array(0);
    #seenStart = false;
    constructor(label = 'utf-8', options = {}) {
      const encoding = LABELS[String(label).trim().toLowerCase()];
      if (encoding === undefined) {
        const error = new RangeError('The "' + label + '" encoding is not supported');
        error.code = 'ERR_ENCODING_NOT_SUPPORTED';
        throw error;
      }
      this.#encoding = encoding;
      this.#fatal = !!(options?.fatal);
      this.#ignoreBOM = !!(options?.ignoreBOM);
    }
    get encoding() {
      return this.#encoding;
    }
    get fatal() {
      return this.#fatal;
    }
    get ignoreBOM() {
      return this.#ignoreBOM;
    }
    decode(input, options = {}) {
      const stream = !!(options?.stream);
      let bytes = toBytes(input);
      if (this.#pending.length > 0) {
        const joined = new Uint8Array(this.#pending.length + bytes.length);
        joined.set(this.#pending);
        joined.set(bytes, this.#pending.length);
        bytes = joined;
      }
      const [text, used] =
        this.#encoding === 'utf-8' ? decodeUtf8(bytes, this.#fatal, stream) : this.#encoding === 'utf-16le' ? decodeUtf16le(bytes, this.#fatal, stream) : decodeWindows1252(bytes);
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
