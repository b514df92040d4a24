import { describe, expect, it } from 'vitest';
import { findAllowEntry, parseAllowEntry, parseAllowList } from '../../src/egress/allow-list.js';
import { parseTarget } from '../../src/egress/target.js';

function allows(entries: string[], url: string): boolean {
  const target = parseTarget(url);
  if (!target.ok) throw new Error(`bad test URL ${url}: ${target.reason}`);
  return findAllowEntry(parseAllowList(entries), target.target) !== undefined;
}

describe('allow-list entries', () => {
  it.each([
    ['api.example.com', { host: 'api.example.com', ip: false, wildcard: false }],
    ['API.Example.COM.', { host: 'api.example.com', ip: false, wildcard: false }],
    ['*.example.org', { host: 'example.org', ip: false, wildcard: true }],
    ['127.0.0.1:8080', { host: '127.0.0.1', ip: true, wildcard: false, port: 8080 }],
    ['[2001:DB8::1]:443', { host: '2001:db8::1', ip: true, wildcard: false, port: 443 }],
    ['[::ffff:127.0.0.1]', { host: '::ffff:7f00:1', ip: true, wildcard: false }],
    ['bücher.example', { host: 'xn--bcher-kva.example', ip: false, wildcard: false }],
  ])('parses %s', (source, expected) => {
    const result = parseAllowEntry(source);
    expect(result.ok && result.entry).toEqual({ source, ...expected });
  });

  it.each([
    ['', 'empty entry'],
    ['2001:db8::1', 'IPv6 literals must be bracketed, e.g. "[2001:db8::1]"'],
    ['host:99999', 'port out of range: 99999'],
    ['host:0', 'port out of range: 0'],
    ['host:', 'invalid port: ""'],
    ['a*.example.org', '"*" is only allowed as a leading "*." label'],
    ['*.10.0.0.1', 'a wildcard cannot apply to an IP literal'],
    ['*.com', 'a wildcard needs a domain with at least two labels, e.g. "*.example.org"'],
    ['user@host', 'invalid character in host "user@host"'],
    ['host/path', 'invalid character in host "host/path"'],
    ['[::1', 'unterminated "[" in IPv6 literal'],
  ])('rejects %j: %s', (source, reason) => {
    expect(parseAllowEntry(source)).toEqual({ ok: false, source, reason });
  });

  it('keeps invalid entries apart; they allow nothing', () => {
    const list = parseAllowList(['ok.example', 'bad host']);
    expect(list.entries.map((e) => e.host)).toEqual(['ok.example']);
    expect(list.invalid).toEqual([{ source: 'bad host', reason: 'invalid character in host "bad host"' }]);
  });
});

describe('allow-list matching', () => {
  it('matches exact names case-insensitively, with or without a trailing dot', () => {
    expect(allows(['api.example.com'], 'https://API.example.com./v1')).toBe(true);
    expect(allows(['api.example.com.'], 'https://api.example.com/v1')).toBe(true);
    expect(allows(['api.example.com'], 'https://example.com/')).toBe(false);
    expect(allows(['api.example.com'], 'https://api.example.com.evil.test/')).toBe(false);
    expect(allows(['example.com'], 'https://notexample.com/')).toBe(false);
  });

  it('wildcards match subdomains at any depth but not the apex or look-alikes', () => {
    expect(allows(['*.example.org'], 'https://a.example.org/')).toBe(true);
    expect(allows(['*.example.org'], 'https://a.b.example.org/')).toBe(true);
    expect(allows(['*.example.org'], 'https://example.org/')).toBe(false);
    expect(allows(['*.example.org'], 'https://badexample.org/')).toBe(false);
    expect(allows(['*.example.org'], 'https://example.org.evil.test/')).toBe(false);
  });

  it('an entry without a port allows only the default port of the scheme', () => {
    expect(allows(['api.example.com'], 'http://api.example.com/')).toBe(true);
    expect(allows(['api.example.com'], 'https://api.example.com/')).toBe(true);
    expect(allows(['api.example.com'], 'https://api.example.com:443/')).toBe(true);
    expect(allows(['api.example.com'], 'http://api.example.com:443/')).toBe(false);
    expect(allows(['api.example.com'], 'https://api.example.com:8443/')).toBe(false);
    expect(allows(['api.example.com'], 'http://api.example.com:22/')).toBe(false);
  });

  it('an entry with a port allows that port under either scheme, and no other', () => {
    expect(allows(['api.example.com:8443'], 'https://api.example.com:8443/')).toBe(true);
    expect(allows(['api.example.com:8443'], 'http://api.example.com:8443/')).toBe(true);
    expect(allows(['api.example.com:8443'], 'https://api.example.com/')).toBe(false);
  });

  it('IP entries match IP targets in canonical form only, never names', () => {
    expect(allows(['10.0.0.1'], 'http://10.0.0.1/')).toBe(true);
    expect(allows(['10.0.0.1'], 'http://167772161/')).toBe(true);
    expect(allows(['[2001:db8::1]'], 'http://[2001:0db8:0:0::1]/')).toBe(true);
    expect(allows(['10.0.0.1'], 'http://10.0.0.2/')).toBe(false);
    expect(allows(['*.0.0.1'], 'http://10.0.0.1/')).toBe(false);
  });
});

describe('targets', () => {
  it('only http and https are targets', () => {
    for (const url of ['ftp://x.example/', 'file:///etc/passwd', 'data:,hi', 'javascript:alert(1)', 'ws://x.example/']) {
      const result = parseTarget(url);
      expect(result.ok).toBe(false);
    }
  });

  it('moves userinfo out of the URL', () => {
    const result = parseTarget('https://u%40x:p@api.example.com/a#frag');
    expect(result.ok && result.target.userinfo).toEqual({ username: 'u@x', password: 'p' });
    expect(result.ok && result.target.url.href).toBe('https://api.example.com/a');
  });
});
