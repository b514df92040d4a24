// node:crypto's everyday surface: randomness from the host CSPRNG (internal.randomBytesHex), and
// sha256/sha1/md5 hashes and HMACs in pure JS (users hash ids and payloads in code nodes; there is no
// native crypto in QuickJS). No subtle crypto.
(function (internal) {
  'use strict';
  const { Buffer } = internal.lib('buffer');
  const MAX_RANDOM = 65536;

  function randomFill(bytes) {
    for (let offset = 0; offset < bytes.length; offset += MAX_RANDOM) {
      const n = Math.min(MAX_RANDOM, bytes.length - offset);
      const hex = internal.randomBytesHex(n);
      for (let i = 0; i < n; i++) bytes[offset + i] = parseInt(hex.substr(i * 2, 2), 16);
    }
    return bytes;
  }

  function getRandomValues(array) {
    if (!(array instanceof Int8Array || array instanceof Uint8Array || array instanceof Uint8ClampedArray || array instanceof Int16Array || array instanceof Uint16Array || array instanceof Int32Array || array instanceof Uint32Array || array instanceof BigInt64Array || array instanceof BigUint64Array)) {
      throw internal.lib('abort').domException('The data argument must be an integer-type TypedArray', 'TypeMismatchError');
    }
    if (array.byteLength > MAX_RANDOM) {
      throw internal.lib('abort').domException("The ArrayBufferView's byte length (" + array.byteLength + ') exceeds the number of bytes of entropy available via this API (65536)', 'QuotaExceededError');
    }
    randomFill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return array;
  }

  function randomUUID() {
    const b = randomFill(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    const hex = Buffer.from(b).toString('hex');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20);
  }

  function randomBytes(size, callback) {
    if (!Number.isInteger(size) || size < 0 || size > 2 ** 31 - 1) {
      const error = new RangeError('The value of "size" is out of range. It must be >= 0 && <= 2147483647. Received ' + size);
      error.code = 'ERR_OUT_OF_RANGE';
      throw error;
    }
    const buf = randomFill(Buffer.alloc(size));
    if (typeof callback === 'function') return void setTimeout(() => callback(null, buf), 0);
    return buf;
  }

  function randomInt(min, max, callback) {
    if (max === undefined || typeof max === 'function') (callback = max), (max = min), (min = 0);
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max <= min || max - min > 2 ** 48) {
      const error = new RangeError('The value of "max" is out of range. It must be greater than the value of "min" (' + min + ') and the range must be less than 2**48. Received ' + max);
      error.code = 'ERR_OUT_OF_RANGE';
      throw error;
    }
    const range = max - min;
    const limit = 2 ** 48 - (2 ** 48 % range); // rejection sampling keeps the result uniform
    let x;
    do {
      const b = randomFill(new Uint8Array(6));
      x = b.reduce((acc, byte) => acc * 256 + byte, 0);
    } while (x >= limit);
    const result = min + (x % range);
    if (typeof callback === 'function') return void setTimeout(() => callback(null, result), 0);
    return result;
  }

  // ---- hash functions: each takes the padded message's 64-byte blocks and mutates its state ----
  const K256 = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  const rotl = (x, n) => (x << n) | (x >>> (32 - n));

  const sha256 = {
    init: () => new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]),
    littleEndian: false,
    block(h, b, o, w) {
      for (let i = 0; i < 16; i++, o += 4) w[i] = (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
      // Rotations are written out: function calls dominate the cost in an interpreter.
      for (let i = 16; i < 64; i++) {
        const x = w[i - 15];
        const y = w[i - 2];
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let a = h[0], b1 = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (let i = 0; i < 64; i++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K256[i] + w[i]) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const t2 = (S0 + ((a & b1) ^ (a & c) ^ (b1 & c))) | 0;
        hh = g, g = f, f = e, e = (d + t1) | 0, d = c, c = b1, b1 = a, a = (t1 + t2) | 0;
      }
      h[0] += a, h[1] += b1, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
    },
  };

  const sha1 = {
    init: () => new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]),
    littleEndian: false,
    block(h, bytes, o, w) {
      for (let i = 0; i < 16; i++, o += 4) w[i] = (bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3];
      for (let i = 16; i < 80; i++) {
        const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
        w[i] = (x << 1) | (x >>> 31);
      }
      let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
      for (let i = 0; i < 80; i++) {
        const f = i < 20 ? (b & c) | (~b & d) : i < 40 ? b ^ c ^ d : i < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
        const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6;
        const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) | 0;
        e = d, d = c, c = (b << 30) | (b >>> 2), b = a, a = t;
      }
      h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
    },
  };

  const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const MD5_K = new Uint32Array(64).map((_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32));
  const md5 = {
    init: () => new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]),
    littleEndian: true,
    block(h, bytes, o, w) {
      for (let i = 0; i < 16; i++, o += 4) w[i] = bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24);
      let a = h[0], b = h[1], c = h[2], d = h[3];
      for (let i = 0; i < 64; i++) {
        let f, g;
        if (i < 16) (f = (b & c) | (~b & d)), (g = i);
        else if (i < 32) (f = (d & b) | (~d & c)), (g = (5 * i + 1) % 16);
        else if (i < 48) (f = b ^ c ^ d), (g = (3 * i + 5) % 16);
        else (f = c ^ (b | ~d)), (g = (7 * i) % 16);
        const t = d;
        d = c;
        c = b;
        b = (b + rotl((a + f + MD5_K[i] + w[g]) | 0, MD5_S[(i >> 4) * 4 + (i % 4)])) | 0;
        a = t;
      }
      h[0] += a, h[1] += b, h[2] += c, h[3] += d;
    },
  };

  const ALGORITHMS = { sha256, 'sha-256': sha256, sha1, 'sha-1': sha1, md5 };

  function toBytes(data, encoding, name) {
    if (typeof data === 'string') return Buffer.from(data, encoding);
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    const error = new TypeError('The "' + name + '" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ' + (data === null ? 'null' : typeof data));
    error.code = 'ERR_INVALID_ARG_TYPE';
    throw error;
  }

  function output(bytes, encoding) {
    const buf = Buffer.from(bytes);
    return encoding === undefined || encoding === 'buffer' ? buf : buf.toString(encoding);
  }

  class Hash {
    #alg;
    #state;
    #pending = new Uint8Array(64);
    #pendingLength = 0;
    #total = 0;
    #words = new Uint32Array(80);
    #finished = false;
    constructor(algorithm, copyFrom) {
      const alg = ALGORITHMS[String(algorithm).toLowerCase()];
      if (!alg) throw new Error('Digest method not supported');
      this.#alg = alg;
      this.#state = alg.init();
      if (copyFrom) {
        this.#state.set(copyFrom.#state);
        this.#pending.set(copyFrom.#pending);
        this.#pendingLength = copyFrom.#pendingLength;
        this.#total = copyFrom.#total;
      }
    }
    #checkOpen() {
      if (this.#finished) {
        const error = new Error('Digest already called');
        error.code = 'ERR_CRYPTO_HASH_FINALIZED';
        throw error;
      }
    }
    update(data, encoding) {
      this.#checkOpen();
      const bytes = toBytes(data, encoding, 'data');
      this.#total += bytes.length;
      let offset = 0;
      if (this.#pendingLength > 0) {
        const n = Math.min(64 - this.#pendingLength, bytes.length);
        this.#pending.set(bytes.subarray(0, n), this.#pendingLength);
        this.#pendingLength += n;
        offset = n;
        if (this.#pendingLength < 64) return this;
        this.#alg.block(this.#state, this.#pending, 0, this.#words);
        this.#pendingLength = 0;
      }
      // Whole blocks straight from the input; only a partial tail is copied.
      for (; offset + 64 <= bytes.length; offset += 64) this.#alg.block(this.#state, bytes, offset, this.#words);
      this.#pending.set(bytes.subarray(offset), 0);
      this.#pendingLength = bytes.length - offset;
      return this;
    }
    digest(encoding) {
      this.#checkOpen();
      const bitLength = this.#total * 8;
      const padLength = this.#pendingLength < 56 ? 56 - this.#pendingLength : 120 - this.#pendingLength;
      const tail = new Uint8Array(padLength + 8);
      tail[0] = 0x80;
      const view = new DataView(tail.buffer);
      const little = this.#alg.littleEndian;
      const high = Math.floor(bitLength / 2 ** 32);
      const low = bitLength >>> 0;
      view.setUint32(padLength + (little ? 0 : 4), low, little);
      view.setUint32(padLength + (little ? 4 : 0), high, little);
      this.update(tail);
      this.#finished = true;
      const out = new Uint8Array(this.#state.length * 4);
      const outView = new DataView(out.buffer);
      this.#state.forEach((word, i) => {
        outView.setUint32(i * 4, word, little);
      });
      return output(out, encoding);
    }
    copy() {
      this.#checkOpen();
      return new Hash(this.#alg === sha256 ? 'sha256' : this.#alg === sha1 ? 'sha1' : 'md5', this);
    }
  }

  class Hmac {
    #inner;
    #outer;
    #finished = false;
    constructor(algorithm, key) {
      this.#inner = new Hash(algorithm);
      this.#outer = new Hash(algorithm);
      let keyBytes = toBytes(key, 'utf8', 'key');
      if (keyBytes.length > 64) keyBytes = new Hash(algorithm).update(keyBytes).digest();
      const block = new Uint8Array(64);
      block.set(keyBytes);
      this.#inner.update(block.map((b) => b ^ 0x36));
      this.#outer.update(block.map((b) => b ^ 0x5c));
    }
    update(data, encoding) {
      if (this.#finished) {
        const error = new Error('Digest already called');
        error.code = 'ERR_CRYPTO_HASH_FINALIZED';
        throw error;
      }
      this.#inner.update(data, encoding);
      return this;
    }
    digest(encoding) {
      if (this.#finished) return output(new Uint8Array(0), encoding); // Node returns an empty digest
      this.#finished = true;
      return this.#outer.update(this.#inner.digest()).digest(encoding);
    }
  }

  function timingSafeEqual(a, b) {
    const x = toBytes(a, undefined, 'buf1');
    const y = toBytes(b, undefined, 'buf2');
    if (x.length !== y.length) {
      const error = new RangeError('Input buffers must have the same byte length');
      error.code = 'ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH';
      throw error;
    }
    let diff = 0;
    for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
    return diff === 0;
  }

  const webcrypto = { getRandomValues, randomUUID };
  return {
    randomUUID,
    getRandomValues,
    randomBytes,
    randomFillSync: (buf) => (randomFill(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)), buf),
    randomInt,
    createHash: (algorithm) => new Hash(algorithm),
    createHmac: (algorithm, key) => new Hmac(algorithm, key),
    hash: (algorithm, data, encoding = 'hex') => new Hash(algorithm).update(data).digest(encoding),
    getHashes: () => ['md5', 'sha1', 'sha256'],
    timingSafeEqual,
    webcrypto,
  };
});
