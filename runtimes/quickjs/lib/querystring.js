// node:querystring: the legacy form-encoding helpers (arrays for repeated keys, '+' as space).
(function (internal) {
  'use strict';
  const { decode } = internal.lib('url_encode');
  // querystring.escape leaves A-Z a-z 0-9 - . _ ~ ! ' ( ) * as they are, like encodeURIComponent.
  const escape = (value) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => c);
  const unescape = (value) => {
    try {
      return decodeURIComponent(value);
    } catch {
      return decode(value, false);
    }
  };
  const primitive = (v) => (typeof v === 'string' ? v : (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : '');

  function parse(str, sep = '&', eq = '=', options = {}) {
    const result = Object.create(null);
    if (typeof str !== 'string' || str.length === 0) return result;
    const max = options.maxKeys === undefined ? 1000 : options.maxKeys;
    const decodeComponent = options.decodeURIComponent || unescape;
    let pairs = str.split(sep);
    if (max > 0) pairs = pairs.slice(0, max);
    for (const pair of pairs) {
      if (pair === '') continue;
      const index = pair.indexOf(eq);
      const rawKey = index < 0 ? pair : pair.slice(0, index);
      const rawValue = index < 0 ? '' : pair.slice(index + eq.length);
      const key = decodeComponent(rawKey.replace(/\+/g, ' '));
      const value = decodeComponent(rawValue.replace(/\+/g, ' '));
      if (!(key in result)) result[key] = value;
      else if (Array.isArray(result[key])) result[key].push(value);
      else result[key] = [result[key], value];
    }
    return result;
  }

  function stringify(obj, sep = '&', eq = '=', options = {}) {
    if (obj === null || typeof obj !== 'object') return '';
    const encodeComponent = options.encodeURIComponent || escape;
    const parts = [];
    for (const key of Object.keys(obj)) {
      const k = encodeComponent(primitive(key)) + eq;
      const value = obj[key];
      if (Array.isArray(value)) for (const item of value) parts.push(k + encodeComponent(primitive(item)));
      else parts.push(k + encodeComponent(primitive(value)));
    }
    return parts.join(sep);
  }

  return { parse, stringify, decode: parse, encode: stringify, escape, unescape };
});
