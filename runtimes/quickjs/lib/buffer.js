// node:buffer: Buffer as a Uint8Array subclass with Node's encodings and the commonly used methods,
// plus atob/btoa. Decoding is lenient where Node's is (base64 ignores whitespace and missing padding).
(function (internal) {
  'use strict';
  const text = internal.lib('text');
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const B64_LOOKUP = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) B64_LOOKUP[B64.charCodeAt(i)] = i;
  const HEX = Array.from({ length: 256 }, (_, b) => (b < 16 ? '0' : '') + b.toString(16));
  B64_LOOKUP[45] = 62; // '-' (base64url)
  B64_LOOKUP[95] = 63; // '_'
  const ENCODINGS = { utf8: 'utf8', 'utf-8': 'utf8', hex: 'hex', base64: 'base64', base64url: 'base64url', latin1: 'latin1', binary: 'latin1', ascii: 'ascii', ucs2: 'utf16le', 'ucs-2': 'utf16le', utf16le: 'utf16le', 'utf-16le': 'utf16le' };

  function normalizeEncoding(encoding) {
    if (encoding === undefined || encoding === null) return 'utf8';
    const found = ENCODINGS[String(encoding).toLowerCase()];
    if (!found) {
      const error = new TypeError('Unknown encoding: ' + encoding);
      error.code = 'ERR_UNKNOWN_ENCODING';
      throw error;
    }
    return found;
  }

  // Four characters at a time while the input is clean base64; anything else (whitespace, padding, junk)
  // goes through the lenient per-character loop, as Node is lenient.
  function base64Decode(str) {
    const out = new Uint8Array(Math.ceil(str.length * 0.75));
    let n = 0;
    let i = 0;
    const len = str.length;
    for (; i + 4 <= len; i += 4) {
      const a = str.charCodeAt(i);
      const b = str.charCodeAt(i + 1);
      const c = str.charCodeAt(i + 2);
      const d = str.charCodeAt(i + 3);
      if ((a | b | c | d) >= 128) break;
      const v = (B64_LOOKUP[a] << 18) | (B64_LOOKUP[b] << 12) | (B64_LOOKUP[c] << 6) | B64_LOOKUP[d];
      if (v < 0) break; // a -1 in the lookup: not plain base64
      out[n++] = v >> 16;
      out[n++] = (v >> 8) & 255;
      out[n++] = v & 255;
    }
    let acc = 0;
    let bits = 0;
    for (; i < len; i++) {
      const code = str.charCodeAt(i);
      if (code === 61) break; // '=' ends the data
      const v = code < 128 ? B64_LOOKUP[code] : -1;
      if (v < 0) continue;
      acc = ((acc << 6) | v) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[n++] = (acc >> bits) & 0xff;
      }
    }
    return out.subarray(0, n);
  }

  let pairs = null; // 4096 two-character strings, built on first encode
  function base64Encode(bytes, url) {
    const alphabet = url ? B64.slice(0, 62) + '-_' : B64;
    if (pairs === null || pairs.url !== url) {
      pairs = new Array(4096);
      for (let v = 0; v < 4096; v++) pairs[v] = alphabet[v >> 6] + alphabet[v & 63];
      pairs.url = url;
    }
    let out = '';
    let i = 0;
    const end = bytes.length - 2;
    for (; i < end; i += 3) {
      const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      out += pairs[v >> 12] + pairs[v & 4095];
    }
    const rest = bytes.length - i;
    if (rest > 0) {
      const v = (bytes[i] << 16) | (rest === 2 ? bytes[i + 1] << 8 : 0);
      out += alphabet[v >> 18] + alphabet[(v >> 12) & 63];
      out += rest === 2 ? alphabet[(v >> 6) & 63] : url ? '' : '=';
      if (!url) out += '=';
    }
    return out;
  }

  function stringToBytes(str, encoding) {
    switch (normalizeEncoding(encoding)) {
      case 'utf8':
        return text.encode(str);
      case 'hex': {
        const n = str.length >>> 1;
        const out = new Uint8Array(n);
        let i = 0;
        for (; i < n; i++) {
          const v = parseInt(str.substr(i * 2, 2), 16);
          if (Number.isNaN(v) || !/^[0-9a-fA-F]{2}$/.test(str.substr(i * 2, 2))) break; // Node stops at the first bad pair
          out[i] = v;
        }
        return out.subarray(0, i);
      }
      case 'base64':
      case 'base64url':
        return base64Decode(str);
      case 'latin1':
      case 'ascii': {
        const out = new Uint8Array(str.length);
        for (let i = 0; i < str.length; i++) out[i] = str.charCodeAt(i) & 0xff;
        return out;
      }
      case 'utf16le': {
        const out = new Uint8Array(str.length * 2);
        for (let i = 0; i < str.length; i++) {
          const c = str.charCodeAt(i);
          out[i * 2] = c & 0xff;
          out[i * 2 + 1] = c >> 8;
        }
        return out;
      }
    }
  }

  function bytesToString(bytes, encoding) {
    switch (normalizeEncoding(encoding)) {
      case 'utf8':
        return text.decode(bytes);
      case 'hex': {
        let out = '';
        for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
        return out;
      }
      case 'base64':
        return base64Encode(bytes, false);
      case 'base64url':
        return base64Encode(bytes, true);
      case 'latin1':
      case 'ascii': {
        const mask = normalizeEncoding(encoding) === 'ascii' ? 0x7f : 0xff;
        let out = '';
        for (let i = 0; i < bytes.length; i += 8192) {
          const chunk = bytes.subarray(i, i + 8192);
          out += String.fromCharCode.apply(null, mask === 0xff ? chunk : chunk.map((b) => b & mask));
        }
        return out;
      }
      case 'utf16le': {
        let out = '';
        for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8));
        return out;
      }
    }
  }

  function invalidArg(name, value) {
    const error = new TypeError('The "' + name + '" argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received ' + (value === null ? 'null' : typeof value));
    error.code = 'ERR_INVALID_ARG_TYPE';
    return error;
  }

  function outOfRange(name, value, range) {
    const error = new RangeError('The value of "' + name + '" is out of range. It must be ' + range + '. Received ' + value);
    error.code = 'ERR_OUT_OF_RANGE';
    return error;
  }

  class Buffer extends Uint8Array {
    static from(value, encodingOrOffset, length) {
      if (typeof value === 'string') return fromBytes(stringToBytes(value, encodingOrOffset));
      if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer)) {
        // Shares memory with the ArrayBuffer, as in Node.
        const offset = encodingOrOffset === undefined ? 0 : Number(encodingOrOffset);
        return new Buffer(value, offset, length === undefined ? value.byteLength - offset : Number(length));
      }
      if (ArrayBuffer.isView(value)) return fromBytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice());
      if (value && typeof value === 'object') {
        if (value.type === 'Buffer' && Array.isArray(value.data)) return fromBytes(Uint8Array.from(value.data));
        if (typeof value.length === 'number' || Array.isArray(value)) return fromBytes(Uint8Array.from(value));
        const primitive = typeof value.valueOf === 'function' ? value.valueOf() : undefined;
        if (primitive !== undefined && primitive !== value) return Buffer.from(primitive, encodingOrOffset, length);
      }
      throw invalidArg('first', value);
    }
    static alloc(size, fill, encoding) {
      checkSize(size);
      const buf = new Buffer(size);
      if (fill !== undefined && fill !== 0) buf.fill(fill, 0, size, encoding);
      return buf;
    }
    static allocUnsafe(size) {
      checkSize(size);
      return new Buffer(size);
    }
    static allocUnsafeSlow(size) {
      return Buffer.allocUnsafe(size);
    }
    static isBuffer(value) {
      return value instanceof Buffer;
    }
    static isEncoding(encoding) {
      return typeof encoding === 'string' && ENCODINGS[encoding.toLowerCase()] !== undefined;
    }
    static byteLength(value, encoding) {
      if (typeof value !== 'string') {
        if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength;
        throw invalidArg('string', value);
      }
      // Like Node, hex and base64 lengths come from the string length, not from decoding it.
      switch (normalizeEncoding(encoding)) {
        case 'hex':
          return value.length >>> 1;
        case 'base64':
        case 'base64url': {
          let n = value.length;
          if (n > 0 && value[n - 1] === '=') n--;
          if (n > 1 && value[n - 1] === '=') n--;
          return (n * 3) >>> 2;
        }
        case 'latin1':
        case 'ascii':
          return value.length;
        case 'utf16le':
          return value.length * 2;
        default:
          return text.encode(value).length;
      }
    }
    static concat(list, totalLength) {
      if (!Array.isArray(list)) throw invalidArg('list', list);
      const total = totalLength === undefined ? list.reduce((sum, item) => sum + item.length, 0) : totalLength;
      const out = Buffer.alloc(total);
      let offset = 0;
      for (const item of list) {
        if (!(item instanceof Uint8Array)) throw invalidArg('list[' + list.indexOf(item) + ']', item);
        if (offset >= total) break;
        out.set(item.subarray(0, total - offset), offset);
        offset += Math.min(item.length, total - offset);
      }
      return out;
    }
    static compare(a, b) {
      const n = Math.min(a.length, b.length);
      for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
      return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
    }
    get parent() {
      return this.buffer;
    }
    toString(encoding, start = 0, end = this.length) {
      start = Math.max(0, start | 0);
      end = Math.min(this.length, end === undefined ? this.length : end | 0);
      if (end <= start) return '';
      return bytesToString(this.subarray(start, end), encoding);
    }
    toJSON() {
      return { type: 'Buffer', data: Array.from(this) };
    }
    toLocaleString(encoding, start, end) {
      return this.toString(encoding, start, end);
    }
    equals(other) {
      if (!(other instanceof Uint8Array)) throw invalidArg('otherBuffer', other);
      return Buffer.compare(this, other) === 0;
    }
    compare(target, targetStart = 0, targetEnd = target.length, sourceStart = 0, sourceEnd = this.length) {
      return Buffer.compare(this.subarray(sourceStart, sourceEnd), target.subarray(targetStart, targetEnd));
    }
    copy(target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
      const chunk = this.subarray(sourceStart, Math.min(sourceEnd, sourceStart + target.length - targetStart));
      target.set(chunk, targetStart);
      return chunk.length;
    }
    // Node's slice shares memory (unlike Uint8Array#slice).
    slice(start, end) {
      return this.subarray(start, end);
    }
    subarray(start, end) {
      const view = Uint8Array.prototype.subarray.call(this, start, end);
      return new Buffer(view.buffer, view.byteOffset, view.length);
    }
    write(string, offset, length, encoding) {
      if (typeof offset === 'string') (encoding = offset), (offset = 0), (length = undefined);
      else if (typeof length === 'string') (encoding = length), (length = undefined);
      offset = offset === undefined ? 0 : offset >>> 0;
      const bytes = stringToBytes(String(string), encoding);
      const n = Math.min(bytes.length, this.length - offset, length === undefined ? Infinity : length);
      this.set(bytes.subarray(0, n), offset);
      return n;
    }
    fill(value, offset = 0, end = this.length, encoding) {
      if (typeof offset === 'string') (encoding = offset), (offset = 0), (end = this.length);
      if (typeof value === 'number' || typeof value === 'boolean') return Uint8Array.prototype.fill.call(this, Number(value) & 255, offset, end), this;
      const pattern = typeof value === 'string' ? stringToBytes(value, encoding) : Uint8Array.from(value);
      if (pattern.length === 0) return Uint8Array.prototype.fill.call(this, 0, offset, end), this;
      for (let i = offset, j = 0; i < end; i++, j = (j + 1) % pattern.length) this[i] = pattern[j];
      return this;
    }
    indexOf(value, byteOffset = 0, encoding) {
      return search(this, value, byteOffset, encoding, false);
    }
    lastIndexOf(value, byteOffset = this.length, encoding) {
      return search(this, value, byteOffset, encoding, true);
    }
    includes(value, byteOffset, encoding) {
      return this.indexOf(value, byteOffset, encoding) !== -1;
    }
    swap16() {
      for (let i = 0; i + 1 < this.length; i += 2) [this[i], this[i + 1]] = [this[i + 1], this[i]];
      return this;
    }
    [Symbol.for('nodejs.util.inspect.custom')]() {
      const shown = Array.from(this.subarray(0, 50), (b) => (b < 16 ? '0' : '') + b.toString(16)).join(' ');
      const more = this.length > 50 ? ' ... ' + (this.length - 50) + ' more byte' + (this.length > 51 ? 's' : '') : '';
      return '<Buffer' + (shown ? ' ' + shown : '') + more + '>';
    }
  }

  function fromBytes(bytes) {
    return new Buffer(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  function checkSize(size) {
    if (typeof size !== 'number' || !(size >= 0) || size > 2 ** 31) throw outOfRange('size', size, '>= 0 && <= ' + 2 ** 31);
  }

  function search(buf, value, byteOffset, encoding, last) {
    if (typeof byteOffset === 'string') (encoding = byteOffset), (byteOffset = last ? buf.length : 0);
    if (byteOffset < 0) byteOffset += buf.length;
    let needle;
    if (typeof value === 'number') needle = [value & 255];
    else if (typeof value === 'string') needle = stringToBytes(value, encoding);
    else if (value instanceof Uint8Array) needle = value;
    else throw invalidArg('value', value);
    if (needle.length === 0) return last ? Math.min(byteOffset, buf.length) : Math.min(byteOffset, buf.length);
    const matches = (at) => {
      for (let j = 0; j < needle.length; j++) if (buf[at + j] !== needle[j]) return false;
      return true;
    };
    if (last) {
      for (let i = Math.min(byteOffset, buf.length - needle.length); i >= 0; i--) if (matches(i)) return i;
    } else {
      for (let i = Math.max(0, byteOffset); i <= buf.length - needle.length; i++) if (matches(i)) return i;
    }
    return -1;
  }

  // Fixed-width integer and float accessors, through a DataView over the same memory.
  const view = (buf) => new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  function checkOffset(buf, offset, size) {
    if (offset === undefined) offset = 0;
    if (!Number.isInteger(offset)) throw outOfRange('offset', offset, 'an integer');
    if (offset < 0 || offset + size > buf.length) {
      const error = new RangeError('The value of "offset" is out of range. It must be >= 0 and <= ' + (buf.length - size) + '. Received ' + offset);
      error.code = buf.length - size < 0 ? 'ERR_BUFFER_OUT_OF_BOUNDS' : 'ERR_OUT_OF_RANGE';
      throw error;
    }
    return offset;
  }
  const accessors = [
    ['UInt8', 1, 'Uint8'], ['Int8', 1, 'Int8'],
    ['UInt16', 2, 'Uint16'], ['Int16', 2, 'Int16'],
    ['UInt32', 4, 'Uint32'], ['Int32', 4, 'Int32'],
    ['Float', 4, 'Float32'], ['Double', 8, 'Float64'],
    ['BigUInt64', 8, 'BigUint64'], ['BigInt64', 8, 'BigInt64'],
  ];
  for (const [name, size, dv] of accessors) {
    const endians = size === 1 ? [['', true]] : [['LE', true], ['BE', false]];
    for (const [suffix, little] of endians) {
      const read = function (offset) {
        return view(this)['get' + dv](checkOffset(this, offset, size), little);
      };
      const write = function (value, offset) {
        offset = checkOffset(this, offset, size);
        view(this)['set' + dv](offset, value, little);
        return offset + size;
      };
      for (const alias of new Set([name, name.replace('UInt', 'Uint')])) {
        Buffer.prototype['read' + alias + suffix] = read;
        Buffer.prototype['write' + alias + suffix] = write;
      }
    }
  }

  // Variable-width (1..6 byte) integers: readUIntBE(offset, byteLength) and friends.
  for (const little of [true, false]) {
    const suffix = little ? 'LE' : 'BE';
    const readU = function (offset, byteLength) {
      offset = checkOffset(this, offset, byteLength);
      let value = 0;
      for (let i = 0; i < byteLength; i++) value = value * 256 + this[offset + (little ? byteLength - 1 - i : i)];
      return value;
    };
    const readS = function (offset, byteLength) {
      const value = readU.call(this, offset, byteLength);
      const limit = 2 ** (8 * byteLength - 1);
      return value >= limit ? value - limit * 2 : value;
    };
    const write = function (value, offset, byteLength) {
      offset = checkOffset(this, offset, byteLength);
      let v = value < 0 ? value + 2 ** (8 * byteLength) : value;
      for (let i = 0; i < byteLength; i++) {
        this[offset + (little ? i : byteLength - 1 - i)] = v % 256;
        v = Math.floor(v / 256);
      }
      return offset + byteLength;
    };
    for (const [name, fn] of [['readUInt', readU], ['readUint', readU], ['readInt', readS], ['writeUInt', write], ['writeUint', write], ['writeInt', write]]) {
      Buffer.prototype[name + suffix] = fn;
    }
  }

  function btoa(input) {
    if (arguments.length === 0) throw new TypeError('The "data" argument must be specified');
    const str = String(input);
    const bytes = new Uint8Array(str.length);
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      if (c > 255) throw internal.lib('abort').domException('Invalid character', 'InvalidCharacterError');
      bytes[i] = c;
    }
    return base64Encode(bytes, false);
  }

  function atob(input) {
    if (arguments.length === 0) throw new TypeError('The "data" argument must be specified');
    const str = String(input).replace(/[\t\n\f\r ]/g, '');
    // The forgiving-base64 decode of the HTML spec: padding must be right and only the base64 alphabet.
    const stripped = str.length % 4 === 0 ? str.replace(/==?$/, '') : str;
    if (stripped.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(stripped)) {
      throw internal.lib('abort').domException('The string to be decoded is not correctly encoded.', 'InvalidCharacterError');
    }
    return bytesToString(base64Decode(stripped), 'latin1');
  }

  const kMaxLength = 2 ** 31;
  return {
    get Blob() {
      return internal.lib('fetch_form').Blob;
    },
    get File() {
      return internal.lib('fetch_form').File;
    },
    isAscii: (bytes) => Array.prototype.every.call(new Uint8Array(bytes.buffer || bytes, bytes.byteOffset || 0, bytes.byteLength), (b) => b < 0x80),
    Buffer,
    atob,
    btoa,
    constants: { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: 2 ** 29 - 24 },
    kMaxLength,
    isUtf8: (bytes) => {
      try {
        new (text.TextDecoder)('utf-8', { fatal: true }).decode(bytes);
        return true;
      } catch {
        return false;
      }
    },
  };
});
