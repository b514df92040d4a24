// The WHATWG URL host parser: domains (lower-cased, percent-decoded, punycoded), IPv4 in all the
// legacy notations (0x7f.1, 2130706433) and IPv6 with compression. Returns the serialized host or
// null on failure. Kept separate from url.js so each file stays readable against the spec.
(function (internal) {
  'use strict';
  const text = internal.lib('text');
  const FORBIDDEN_HOST = /[\u0000\t\n\r #/:<>?@[\\\]^|]/;
  const FORBIDDEN_DOMAIN = /[\u0000-\u001f\t\n\r #/:<>?@[\\\]^|%\u007f]/;

  function percentDecode(str) {
    if (!str.includes('%')) return str;
    const bytes = [];
    for (let i = 0; i < str.length; i++) {
      const c = str[i];
      if (c === '%' && /^[0-9a-fA-F]{2}$/.test(str.slice(i + 1, i + 3))) {
        bytes.push(parseInt(str.slice(i + 1, i + 3), 16));
        i += 2;
      } else for (const b of text.encode(c)) bytes.push(b);
    }
    return text.decode(new Uint8Array(bytes));
  }

  // RFC 3492 punycode encoding of one label (the IDNA mapping is approximated by NFC + lower-case).
  function punycode(label) {
    const input = Array.from(label, (c) => c.codePointAt(0));
    const base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700;
    let n = 128, delta = 0, bias = 72;
    let output = input.filter((c) => c < 128).map((c) => String.fromCharCode(c)).join('');
    const basic = output.length;
    let handled = basic;
    if (basic > 0) output += '-';
    const digit = (d) => String.fromCharCode(d + 22 + 75 * (d < 26));
    const adapt = (d, numPoints, first) => {
      d = first ? Math.floor(d / damp) : d >> 1;
      d += Math.floor(d / numPoints);
      let k = 0;
      for (; d > ((base - tMin) * tMax) >> 1; k += base) d = Math.floor(d / (base - tMin));
      return k + Math.floor(((base - tMin + 1) * d) / (d + skew));
    };
    while (handled < input.length) {
      const m = Math.min(...input.filter((c) => c >= n));
      delta += (m - n) * (handled + 1);
      n = m;
      for (const c of input) {
        if (c < n) delta++;
        if (c !== n) continue;
        let q = delta;
        for (let k = base; ; k += base) {
          const t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
          if (q < t) break;
          output += digit(t + ((q - t) % (base - t)));
          q = Math.floor((q - t) / (base - t));
        }
        output += digit(q);
        bias = adapt(delta, handled + 1, handled === basic);
        delta = 0;
        handled++;
      }
      delta++;
      n++;
    }
    return 'xn--' + output;
  }

  function parseIPv4Number(part) {
    if (part === '') return NaN;
    let radix = 10;
    if (/^0[xX]/.test(part)) (radix = 16), (part = part.slice(2));
    else if (part.length > 1 && part[0] === '0') (radix = 8), (part = part.slice(1));
    if (part === '') return 0;
    const valid = radix === 16 ? /^[0-9a-fA-F]+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
    return valid.test(part) ? parseInt(part, radix) : NaN;
  }

  function endsInNumber(host) {
    const parts = host.split('.');
    if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
    const last = parts[parts.length - 1];
    return /^[0-9]+$/.test(last) || /^0[xX][0-9a-fA-F]*$/.test(last);
  }

  function parseIPv4(host) {
    const parts = host.split('.');
    if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
    if (parts.length > 4) return null;
    const numbers = parts.map(parseIPv4Number);
    if (numbers.some((n) => Number.isNaN(n))) return null;
    for (let i = 0; i < numbers.length - 1; i++) if (numbers[i] > 255) return null;
    const last = numbers[numbers.length - 1];
    if (last >= 256 ** (5 - numbers.length)) return null;
    let address = last;
    for (let i = 0; i < numbers.length - 1; i++) address += numbers[i] * 256 ** (3 - i);
    const out = [];
    for (let i = 0; i < 4; i++) {
      out.unshift(String(address % 256));
      address = Math.floor(address / 256);
    }
    return out.join('.');
  }

  function parseIPv6(input) {
    const pieces = [0, 0, 0, 0, 0, 0, 0, 0];
    let piece = 0;
    let compress = null;
    let i = 0;
    if (input[0] === ':') {
      if (input[1] !== ':') return null;
      i = 2;
      compress = ++piece;
    }
    while (i < input.length) {
      if (piece === 8) return null;
      if (input[i] === ':') {
        if (compress !== null) return null;
        i++;
        compress = ++piece;
        continue;
      }
      let value = 0;
      let length = 0;
      while (length < 4 && i < input.length && /[0-9a-fA-F]/.test(input[i])) {
        value = value * 16 + parseInt(input[i], 16);
        i++;
        length++;
      }
      if (input[i] === '.') {
        // Trailing dotted IPv4, e.g. ::ffff:1.2.3.4
        if (length === 0 || piece > 6) return null;
        const v4 = input.slice(i - length);
        if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(v4)) return null;
        const octets = v4.split('.').map(Number);
        if (octets.some((o, k) => o > 255 || (v4.split('.')[k].length > 1 && v4.split('.')[k][0] === '0'))) return null;
        pieces[piece++] = octets[0] * 256 + octets[1];
        pieces[piece++] = octets[2] * 256 + octets[3];
        i = input.length;
        break;
      }
      if (input[i] === ':') {
        i++;
        if (i === input.length) return null;
      } else if (i < input.length) return null;
      if (length === 0) return null;
      pieces[piece++] = value;
    }
    if (compress !== null) {
      let swaps = piece - compress;
      piece = 7;
      while (piece !== 0 && swaps > 0) {
        const target = compress + swaps - 1;
        [pieces[piece], pieces[target]] = [pieces[target], pieces[piece]];
        piece--;
        swaps--;
      }
    } else if (piece !== 8) return null;
    // Serialize: compress the first longest run of two or more zero pieces.
    let bestStart = -1;
    let bestLength = 1;
    for (let k = 0; k < 8; ) {
      if (pieces[k] !== 0) {
        k++;
        continue;
      }
      let end = k;
      while (end < 8 && pieces[end] === 0) end++;
      if (end - k > bestLength) (bestStart = k), (bestLength = end - k);
      k = end;
    }
    let out = '';
    for (let k = 0; k < 8; k++) {
      if (k === bestStart) {
        out += k === 0 ? '::' : ':';
        k += bestLength - 1;
        continue;
      }
      out += pieces[k].toString(16) + (k < 7 ? ':' : '');
    }
    return '[' + out + ']';
  }

  /** Parse `input` as a host for a special (http-like) or opaque (other schemes) URL; null = invalid. */
  function parseHost(input, special) {
    if (input.startsWith('[')) {
      if (!input.endsWith(']')) return null;
      return parseIPv6(input.slice(1, -1));
    }
    if (!special) {
      if (FORBIDDEN_HOST.test(input)) return null;
      return internal.lib('url_encode').encode(input, 'c0');
    }
    let domain = percentDecode(input);
    domain = domain.normalize('NFC').toLowerCase();
    if (domain === '' || FORBIDDEN_DOMAIN.test(domain)) return null;
    if (/[^\u0000-\u007f]/.test(domain)) {
      domain = domain
        .replace(/[\u3002\uff0e\uff61]/g, '.')
        .split('.')
        .map((label) => (/[^\u0000-\u007f]/.test(label) ? punycode(label) : label))
        .join('.');
    }
    if (endsInNumber(domain)) return parseIPv4(domain);
    return domain;
  }

  return { parseHost, percentDecode };
});
