// The WHATWG URL percent-encode sets, shared by URL (per component) and URLSearchParams (form encoding).
(function (internal) {
  'use strict';
  const text = internal.lib('text');
  const EXTRA = {
    c0: '',
    fragment: ' "<>`',
    query: ' "#<>',
    specialQuery: ' "#<>\'',
    // '^' joined the WHATWG path set in 2024: Node 24's URL parser encodes it, Node 22's did not.
    path: ' "#<>?^`{}',
    userinfo: ' "#<>?`{}/:;=@[\\]^|',
    form: ' "#<>?`{}/:;=@[\\]^|$%&+,!\'()~',
  };
  const SETS = {};
  for (const [name, chars] of Object.entries(EXTRA)) {
    const set = new Uint8Array(128);
    for (let c = 0; c < 0x20; c++) set[c] = 1;
    set[0x7f] = 1;
    for (const ch of chars) set[ch.charCodeAt(0)] = 1;
    SETS[name] = set;
  }
  const hex = (b) => '%' + (b < 16 ? '0' : '') + b.toString(16).toUpperCase();

  /** Percent-encode the code points of `str` that are in the named set (and every non-ASCII one). */
  function encode(str, setName) {
    const set = SETS[setName];
    let out = '';
    let start = 0;
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      if (c < 128 && !set[c]) continue;
      out += str.slice(start, i);
      if (setName === 'form' && c === 0x20) out += '+';
      else if (c < 128) out += hex(c);
      else {
        const high = c >= 0xd800 && c <= 0xdbff && i + 1 < str.length;
        const ch = high ? str.slice(i, i + 2) : str[i];
        if (high) i++;
        for (const b of text.encode(ch)) out += hex(b);
      }
      start = i + 1;
    }
    return start === 0 ? str : out + str.slice(start);
  }

  /** Percent-decode to a string (UTF-8, invalid sequences become U+FFFD); `plus` maps '+' to space. */
  function decode(str, plus) {
    if (plus) str = str.replace(/\+/g, ' ');
    if (!str.includes('%')) return str;
    const bytes = text.encode(str);
    const out = new Uint8Array(bytes.length);
    let n = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0x25 && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
        out[n++] = parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16);
        i += 2;
      } else out[n++] = b;
    }
    return text.decode(out.subarray(0, n));
  }
  function isHex(b) {
    return (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102);
  }

  return { encode, decode };
});
