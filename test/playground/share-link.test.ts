// The playground's shared links: what one page encodes, another restores; a hostile fragment restores
// nothing it should not (wrong types, unknown languages, extra fields, broken base64/UTF-8/JSON).
import { describe, expect, it } from 'vitest';
import { decodeShareFragment, encodeShareFragment, type PlaygroundRequest } from '../../src/playground/web/share-link.js';

const DEFAULTS: PlaygroundRequest = { language: 'python', code: 'x', inputs: '{}', packages: '', timeout_ms: 5000, memory_mb: 128, runtime: 'auto' };
const fragmentOf = (value: unknown) => `#r=${Buffer.from(JSON.stringify(value)).toString('base64url')}`;

describe('playground share links', () => {
  it('round-trips a request, Unicode included', () => {
    const request: PlaygroundRequest = { ...DEFAULTS, language: 'typescript', code: 'const s = "héllo 🌍";', inputs: '{"a": [1]}', timeout_ms: 300, runtime: 'wasm' };
    expect(decodeShareFragment(`#${encodeShareFragment(request)}`, DEFAULTS)).toEqual(request);
  });

  it('keeps only known fields with the right types, else the defaults', () => {
    const decoded = decodeShareFragment(fragmentOf({ language: 'ruby', code: 42, timeout_ms: 1.5, runtime: 'host', __proto__: { x: 1 }, extra: '<script>' }), DEFAULTS);
    expect(decoded).toEqual(DEFAULTS);
    expect(Object.keys(decoded ?? {})).not.toContain('extra');
  });

  it('restores nothing from a broken fragment', () => {
    for (const fragment of ['', '#', '#r=', '#r=***', '#x=abc', `#r=${Buffer.from('[1,2]').toString('base64url')}`, `#r=${Buffer.from('{').toString('base64url')}`, `#r=${Buffer.from([0xff, 0xfe]).toString('base64url')}`]) {
      expect(decodeShareFragment(fragment, DEFAULTS), fragment).toBeUndefined();
    }
  });
});
