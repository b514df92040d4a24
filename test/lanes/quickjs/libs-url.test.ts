// The sandbox's URL and URLSearchParams parse and serialize like Node's (WHATWG) implementation.
import { fileURLToPath, format as urlFormat, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { guestValue } from './lib-harness.js';

const CASES: [string, string?][] = [
  ['https://example.com'], ['HTTP://EXAMPLE.COM:80/a/../b/./c?x=1 2#f g'], ['https://user:p@ss@host:8443/p'], ['http://a/b/c/d;p?q'],
  ['../g', 'http://a/b/c/d;p?q'], ['//g', 'http://a/b/c/d;p?q'], ['?y', 'http://a/b/c/d;p?q'], ['#s', 'http://a/b/c/d;p?q'], ['', 'http://a/b/c/d;p?q'],
  ['../../../../g', 'http://a/b/c/d;p?q'], ['g/', 'http://a/b/c/d;p?q'], ['/./g', 'http://a/b/c/d;p?q'], ['g;x=1/../y', 'http://a/b/c/d;p?q'],
  ['http:g', 'http://a/b/c/d;p?q'], ['file:///home/user/a b.txt'], ['file://localhost/etc/passwd'], ['file:/x/y'],
  ['mailto:someone@example.com?subject=hi'], ['data:text/plain,hello world'], ['javascript:alert(1)'], ['foo://bar/baz/../q'], ['foo:/a/./b'],
  ['urn:isbn:0451450523'], ['http://[::1]:3000/'], ['http://[2001:db8:0:0:1:0:0:1]/'], ['http://[::ffff:1.2.3.4]/'], ['http://0x7f.1/'],
  ['http://2130706433/'], ['http://192.168.0.257/'], ['http://exa mple.com/'], ['not a url'], ['http://'], ['http://host:99999/'],
  ['https://münchen.de/straße?ä=ö#ü'], ['https://example.com/a%2e%2E/b'], ['http://example.com/path with spaces/"quotes"/<>`{}^|'],
  ['https://x.com/?q="a b"&\'c\''], ['http://example.com:443/'], ['https://example.com:443/'], ['ws://x:80/'], ['HTTPS://Ex.COM/%7Efoo'],
  ['http://a\\b\\c'], ['  https://trim.me/ \n'], ['http://a/b?c#d#e'], ['/abs', 'file:///x/y'], ['rel', 'file:///x/y'], ['https://@host/'],
  ['http://host/?a=%zz'], ['sc://ñ/x'], ['sc://host:1/'], ['http://xn--nxasmq6b.com/'], ['https://a.b.c./'], ['blob:https://a.com/uuid'],
  ['https://api.example.com/v1/items?page=2&limit=50'], ['x', 'mailto:a@b'], ['https://a.com', 'not a base'], ['http://a.com:/x'],
  ['http://a.com/%zz%41'], ['HTTP://A.COM/.%2e/x'],
];
const FIELDS = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'] as const;

function nodeParse([input, base]: [string, string?]): unknown {
  try {
    const url = new URL(input, base);
    return FIELDS.map((field) => url[field]);
  } catch (error) {
    return (error as Error).name + ': ' + (error as Error).message;
  }
}

describe('url lib', () => {
  it('parses a table of URLs exactly like Node', async () => {
    const got = await guestValue(`return ${JSON.stringify(CASES)}.map(([input, base]) => {
      try { const url = new URL(input, base); return ${JSON.stringify(FIELDS)}.map((f) => url[f]); }
      catch (e) { return e.name + ': ' + e.message; } });`);
    expect(got).toEqual(CASES.map(nodeParse));
  });

  it('links searchParams both ways and applies setters like Node', async () => {
    const script = `const out = [];
      const u = new URL('https://ex.com/p?a=1&b=2&a=3#h');
      u.searchParams.append('c', 'x y&z'); out.push(u.href, u.search);
      u.searchParams.delete('a'); out.push(u.href);
      u.search = '?q=é+1%20'; out.push(u.searchParams.get('q'), [...u.searchParams].length, u.href);
      u.hash = 'new hash'; u.pathname = '/a b/../c'; u.port = '8080'; u.hostname = 'Other.COM'; out.push(u.href, u.host);
      u.protocol = 'http'; out.push(u.href); u.port = '80'; out.push(u.href);
      u.username = 'us er'; u.password = 'p:w'; out.push(u.href);
      u.host = 'h2.com:99'; u.protocol = 'foo'; out.push(u.href);
      u.href = 'https://z.com/?k=v'; out.push(u.searchParams.get('k'), JSON.stringify(u), String(u), URL.canParse('x'), URL.canParse('x', 'http://a'));
      return out;`;
    const run = new Function(script) as () => unknown;
    expect(await guestValue(script)).toEqual(run());
  });

  it('URLSearchParams: constructors, mutation, sorting and form encoding', async () => {
    const script = `const out = [];
      const p = new URLSearchParams({ b: '2', a: '1', 'sp ace': 'v=w' }); p.sort(); out.push(p.toString(), p.size, p.has('a'), p.has('a', '2'), p.getAll('z'), p.get('zz'));
      const p2 = new URLSearchParams([['x', '1'], ['x', '2'], ['y', "~!*()'"]]); p2.set('x', '9'); out.push(p2.toString(), Array.from(p2.keys()), Array.from(p2.values()));
      out.push(new URLSearchParams('?a=b+c&d=%41%zz&=e&f&&g=%E2%82%AC').toString(), [...new URLSearchParams('a=1&a=2')], new URLSearchParams(new URLSearchParams('q=1')).toString());
      const p3 = new URLSearchParams('z=1&a=2&z=0'); p3.sort(); const seen = []; p3.forEach((v, k) => seen.push(k + v)); out.push(seen, p3.toString());
      p3.delete('z', '0'); out.push(p3.toString());
      let err; try { new URLSearchParams([['only-one']]); } catch (e) { err = e.name; } out.push(err);
      return out;`;
    expect(await guestValue(script)).toEqual((new Function(script) as () => unknown)());
  });

  it('node:url helpers', async () => {
    const got = await guestValue(`const url = lib('url'); const out = [];
      out.push(url.fileURLToPath('file:///tmp/a%20b'), url.pathToFileURL('/tmp/a b#?.txt').href, url.pathToFileURL('rel/x').href);
      out.push(url.format({ protocol: 'https', hostname: 'x.com', pathname: '/a', query: { q: 1 } }), url.format(new URL('https://u:p@x.com/?q#h'), { auth: false, fragment: false }));
      for (const bad of ['http://x', 'file:///a%2Fb']) { try { url.fileURLToPath(bad); } catch (e) { out.push(e.code); } }
      try { new URL('nope'); } catch (e) { out.push(e.code, e.input, e instanceof TypeError); }
      out.push(lib('inspect').inspect(new URL('https://a.com/?x=1')));
      return out;`);
    const out: unknown[] = [fileURLToPath('file:///tmp/a%20b'), pathToFileURL('/tmp/a b#?.txt').href, 'file:///work/rel/x'];
    out.push(urlFormat({ protocol: 'https', hostname: 'x.com', pathname: '/a', query: { q: 1 } }), urlFormat(new URL('https://u:p@x.com/?q#h'), { auth: false, fragment: false }));
    out.push('ERR_INVALID_URL_SCHEME', 'ERR_INVALID_FILE_URL_PATH', 'ERR_INVALID_URL', 'nope', true);
    const { inspect } = await import('node:util');
    out.push(inspect(new URL('https://a.com/?x=1')));
    expect(got).toEqual(out);
  });

  it('pathToFileURL escapes every ASCII character like Node (it used to leave [ ] | ~ bare)', async () => {
    const paths = Array.from({ length: 0x7f - 0x20 }, (_, i) => '/a' + String.fromCharCode(0x20 + i) + 'b');
    paths.push('/é€/x y', '/tmp/dir/', '/a\nb\tc', '/%41');
    const got = await guestValue(`return ${JSON.stringify(paths)}.map((p) => lib('url').pathToFileURL(p).href);`);
    expect(got).toEqual(paths.map((p) => pathToFileURL(p).href));
  });
});
