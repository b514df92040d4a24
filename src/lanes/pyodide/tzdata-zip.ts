/**
 * A `tzdata` package as a zip (stored, not compressed), built from TZif files: what Python's zoneinfo
 * falls back to when no system time-zone database is on TZPATH, imported from sys.path with zipimport.
 * One file in the realm instead of six hundred.
 *
 * Layout follows the tzdata wheel: tzdata/__init__.py, tzdata/zones (the key list), and
 * tzdata/zoneinfo/<Area>/<Zone> with an __init__.py in every directory (zoneinfo imports
 * "tzdata.zoneinfo.<Area>" as a package to read a zone).
 */
const encoder = new TextEncoder();

export function tzdataZip(zones: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const entries: [string, Uint8Array][] = [];
  const empty = new Uint8Array(0);
  const dirs = new Set<string>(['tzdata', 'tzdata/zoneinfo']);
  const keys = [...zones.keys()].sort();
  for (const key of keys) {
    const parts = key.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`tzdata/zoneinfo/${parts.slice(0, i).join('/')}`);
  }
  for (const dir of [...dirs].sort()) entries.push([`${dir}/__init__.py`, empty]);
  entries.push(['tzdata/zones', encoder.encode(keys.join('\n') + '\n')]);
  for (const key of keys) entries.push([`tzdata/zoneinfo/${key}`, zones.get(key)!]);
  return storedZip(entries);
}

/** A zip of stored (uncompressed) entries, with fixed timestamps so the bytes depend on content only. */
export function storedZip(entries: readonly [string, Uint8Array][]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = encoder.encode(name);
    const crc = crc32(data);
    const local = new Uint8Array(30 + nameBytes.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, 20, true); // version needed
    l.setUint16(8, 0, true); // stored
    l.setUint16(10, 0, true); // time 00:00
    l.setUint16(12, 0x21, true); // date 1980-01-01
    l.setUint32(14, crc, true);
    l.setUint32(18, data.length, true);
    l.setUint32(22, data.length, true);
    l.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const central = new Uint8Array(46 + nameBytes.length);
    const c = new DataView(central.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(12, 0, true);
    c.setUint16(14, 0x21, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, data.length, true);
    c.setUint32(24, data.length, true);
    c.setUint16(28, nameBytes.length, true);
    c.setUint32(42, offset, true);
    central.set(nameBytes, 46);
    locals.push(local, data);
    centrals.push(central);
    offset += local.length + data.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, entries.length, true);
  e.setUint16(10, entries.length, true);
  e.setUint32(12, centralSize, true);
  e.setUint32(16, offset, true);
  const zip = new Uint8Array(offset + centralSize + end.length);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    zip.set(part, at);
    at += part.length;
  }
  return zip;
}

let table: Uint32Array | undefined;

export function crc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
