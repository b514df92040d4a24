/** The tzdata package zip the Pyodide lane builds from the system's zones (zoneinfo itself is exercised in conventions.test.ts). */
import { describe, expect, it } from 'vitest';
import { crc32, storedZip, tzdataZip } from '../../../src/lanes/pyodide/tzdata-zip.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('tzdata zip', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('lays out a package with an __init__.py per directory and the zone list', () => {
    const zip = tzdataZip(new Map([['Europe/Paris', text('TZif-paris')], ['UTC', text('TZif-utc')]]));
    const names = new TextDecoder().decode(zip);
    for (const name of ['tzdata/__init__.py', 'tzdata/zoneinfo/__init__.py', 'tzdata/zoneinfo/Europe/__init__.py', 'tzdata/zones', 'tzdata/zoneinfo/Europe/Paris', 'tzdata/zoneinfo/UTC']) {
      expect(names).toContain(name);
    }
    expect(names).toContain('Europe/Paris\nUTC\n');
  });

  it('is byte-for-byte the same for the same content (the snapshot key depends on it)', () => {
    const entries: [string, Uint8Array][] = [['a', text('x')], ['b/c', text('yz')]];
    expect(storedZip(entries)).toEqual(storedZip(entries));
    const zip = storedZip(entries);
    const view = new DataView(zip.buffer);
    expect(view.getUint32(zip.length - 22, true)).toBe(0x06054b50);
    expect(view.getUint16(zip.length - 22 + 10, true)).toBe(2);
  });
});
