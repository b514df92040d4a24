// DownloadUrls: what a token grants, when it stops granting it, and which URLs count as the service's own
// signed downloads (the only ones the egress bridge serves in-process on the service's origin).
import { describe, expect, it } from 'vitest';
import { IsolaError } from '../../src/contract/errors.js';
import { DOWNLOAD_PATH_PREFIX, DownloadUrls, MAX_URL_TTL_S } from '../../src/library/download-urls.js';

const KEY = 'k'.repeat(32);
const FILE = `file_${'a'.repeat(32)}`;
const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'granted';
  } catch (error) {
    return error instanceof IsolaError ? error.code : String(error);
  }
};
const tokenIn = (url: string) => url.slice(url.indexOf(DOWNLOAD_PATH_PREFIX) + DOWNLOAD_PATH_PREFIX.length);

describe('DownloadUrls', () => {
  it('signs a URL under the public base that grants one file of one project until it expires', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const urls = new DownloadUrls({ key: KEY, baseUrl: 'https://isola.example.com/sandbox/', ttlSeconds: 60, now: () => now });
    const signed = urls.sign('prj_1', FILE);
    expect(signed.url.startsWith(`https://isola.example.com/sandbox${DOWNLOAD_PATH_PREFIX}`)).toBe(true);
    expect(signed.expires_at).toBe('2026-01-01T00:01:00.000Z');
    expect(urls.verify(tokenIn(signed.url))).toEqual({ project: 'prj_1', file: FILE });
    now += 59_999;
    expect(codeOf(() => urls.verify(tokenIn(signed.url)))).toBe('granted');
    now += 1;
    expect(codeOf(() => urls.verify(tokenIn(signed.url)))).toBe('download_url_expired');
  });

  it('a token is good only under the key that signed it', () => {
    const one = new DownloadUrls({ key: KEY, baseUrl: 'http://127.0.0.1:8080' });
    const token = tokenIn(one.sign('prj_1', FILE).url);
    expect(codeOf(() => new DownloadUrls({ key: KEY }).verify(token))).toBe('granted');
    expect(codeOf(() => new DownloadUrls({ key: 'x'.repeat(32) }).verify(token))).toBe('download_url_invalid');
    // Two random per-process keys never agree: a URL dies with the process that made it.
    expect(codeOf(() => new DownloadUrls().verify(token))).toBe('download_url_invalid');
  });

  it('refuses a short key, a base URL with credentials, a query or another scheme', () => {
    expect(() => new DownloadUrls({ key: 'short' })).toThrow(/at least 32/);
    for (const base of ['http://user:pw@host', 'http://host/?a=1', 'ftp://host', 'file:///tmp']) expect(() => new DownloadUrls({ baseUrl: base }), base).toThrow(RangeError);
  });

  it('clamps the lifetime to 1 s .. 7 days', () => {
    const now = 1_000_000_000_000;
    const urls = new DownloadUrls({ key: KEY, baseUrl: 'http://h', now: () => now });
    expect(Date.parse(urls.sign('p', FILE, 10 ** 9).expires_at)).toBe(Math.floor(now / 1000) * 1000 + MAX_URL_TTL_S * 1000);
    expect(Date.parse(urls.sign('p', FILE, 0).expires_at)).toBe(Math.floor(now / 1000) * 1000 + 1000);
  });

  it('recognises exactly its own download URLs, nothing near them', () => {
    const urls = new DownloadUrls({ key: KEY, baseUrl: 'http://127.0.0.1:8080' });
    const url = urls.sign('prj_1', FILE).url;
    const token = tokenIn(url);
    expect(urls.tokenOf(new URL(url))).toBe(token);
    expect(urls.origin).toBe('http://127.0.0.1:8080');
    for (const near of [
      `${url}?x=1`,
      `${url}#frag`,
      `${url}/`,
      `${url}/../../admin`,
      url.replace('http://', 'https://'),
      url.replace('127.0.0.1:8080', '127.0.0.1:8081'),
      url.replace('127.0.0.1', 'localhost'),
      url.replace('http://', 'http://user:pw@'),
      `http://127.0.0.1:8080${DOWNLOAD_PATH_PREFIX}..%2f..%2fadmin`,
      `http://127.0.0.1:8080/v1/library/files`,
      `http://127.0.0.1:8080${DOWNLOAD_PATH_PREFIX}`,
    ]) {
      expect(urls.tokenOf(new URL(near)), near).toBeUndefined();
    }
    expect(new DownloadUrls({ key: KEY }).tokenOf(new URL(url))).toBeUndefined(); // no base yet: nothing is ours
  });
});
