// fetch in the sandbox: what it sends to the host egress bridge, and how it maps the bridge's answers.
// The host side is a stub here (the egress bridge has its own tests); the guest side is the real lib.
import { describe, expect, it } from 'vitest';
import type { HostFetch, HostFetchRequest } from './lib-harness.js';
import { guestValue } from './lib-harness.js';

const json = (status: number, value: unknown, url: string, extraHeaders: [string, string][] = []) => ({
  ok: true, status, statusText: status === 200 ? 'OK' : 'Created', url,
  headers: [['content-type', 'application/json'], ...extraHeaders], bodyBase64: Buffer.from(JSON.stringify(value)).toString('base64'),
});

describe('fetch lib', () => {
  it('serializes method, headers and body, and builds a Response from the answer', async () => {
    const seen: { request: HostFetchRequest; body: string | null }[] = [];
    const fetch: HostFetch = (request, body) => {
      seen.push({ request, body: body ? Buffer.from(body).toString() : null });
      return json(201, { created: true }, request.url + '#final', [['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
    };
    const got = await guestValue(`
      const res = await fetch('https://api.example.com/items?x=1', { method: 'post', headers: { 'X-Token': 't', 'Content-Type': 'application/json' }, body: JSON.stringify({ a: 1 }) });
      const copy = res.clone();
      const out = [res.status, res.ok, res.statusText, res.headers.get('content-type'), res.headers.getSetCookie(), res.url, res.redirected, res.type, res.bodyUsed];
      out.push(await res.json(), res.bodyUsed, await copy.text());
      try { await res.text(); } catch (e) { out.push(e.name + ': ' + e.message); }
      const form = await fetch(new Request('https://api.example.com/form', { method: 'PUT', body: new URLSearchParams({ q: 'a b' }) }));
      out.push(new Uint8Array(await form.arrayBuffer()).length > 0);
      await fetch('https://api.example.com/bytes', { method: 'POST', body: new Uint8Array([104, 105]) });
      return out;`, { fetch });
    expect(got).toEqual([201, true, 'Created', 'application/json', ['a=1', 'b=2'], 'https://api.example.com/items?x=1#final', true, 'basic', false,
      { created: true }, true, '{"created":true}', 'TypeError: Body is unusable: Body has already been read', true]);
    expect(seen.map((s) => [s.request.url, s.request.method, s.request.headers, s.body])).toEqual([
      ['https://api.example.com/items?x=1', 'POST', [['content-type', 'application/json'], ['x-token', 't']], '{"a":1}'],
      ['https://api.example.com/form', 'PUT', [['content-type', 'application/x-www-form-urlencoded;charset=UTF-8']], 'q=a+b'],
      ['https://api.example.com/bytes', 'POST', [], 'hi'],
    ]);
  });

  it('rejects with TypeError for denied and failed requests, keeping the host message', async () => {
    const fetch: HostFetch = (request) => {
      if (request.url.includes('denied')) return { ok: false, kind: 'denied', message: 'denied.example: not in network.allow' };
      if (request.url.includes('slow')) return { ok: false, kind: 'timeout', message: 'slow.example: no response within 10000 ms' };
      return { ok: false, kind: 'network', message: 'down.example: connection refused' };
    };
    const got = await guestValue(`const out = [];
      for (const url of ['https://denied.example/', 'https://slow.example/', 'https://down.example/', 'not a url', 'file:///etc/passwd', 'ftp://x.example/']) {
        try { await fetch(url); out.push('resolved'); } catch (e) { out.push([e.name, e.message, e.cause ? e.cause.code || e.cause.name : null]); }
      }
      try { await fetch('https://x.example/', { method: 'GET', body: 'x' }); } catch (e) { out.push(e.message); }
      return out;`, { fetch });
    expect(got).toEqual([
      ['TypeError', 'fetch denied: denied.example: not in network.allow', null],
      ['TypeError', 'fetch failed: slow.example: no response within 10000 ms', 'ERR_FETCH_TIMEOUT'],
      ['TypeError', 'fetch failed: down.example: connection refused', 'ERR_FETCH_NETWORK'],
      ['TypeError', 'Failed to parse URL from not a url', 'ERR_INVALID_URL'],
      ['TypeError', 'fetch failed: the sandbox only fetches http and https URLs', 'Error'],
      ['TypeError', 'fetch failed: the sandbox only fetches http and https URLs', 'Error'],
      'Request with GET/HEAD method cannot have body.',
    ]);
  });

  it('aborts with AbortError/TimeoutError while the host request is in flight', async () => {
    const fetch: HostFetch = async (request) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return json(200, {}, request.url);
    };
    const got = await guestValue(`const out = [];
      const controller = new AbortController();
      const pending = fetch('https://slow.example/', { signal: controller.signal });
      controller.abort();
      try { await pending; } catch (e) { out.push([e.name, e.message, e instanceof DOMException, e.code]); }
      try { await fetch('https://slow.example/', { signal: AbortSignal.timeout(5) }); } catch (e) { out.push(e.name); }
      try { await fetch('https://slow.example/', { signal: AbortSignal.abort('why') }); } catch (e) { out.push(e); }
      return out;`, { fetch });
    expect(got).toEqual([['AbortError', 'This operation was aborted', true, 20], 'TimeoutError', 'why']);
  });

  it('hands the remaining time of a timeout signal to the host', async () => {
    const timeouts: (number | undefined)[] = [];
    const fetch: HostFetch = (request) => {
      timeouts.push(request.timeoutMs);
      return json(200, {}, request.url);
    };
    await guestValue(`await fetch('https://a.example/', { signal: AbortSignal.timeout(5000) });
      await fetch('https://a.example/', { signal: AbortSignal.any([new AbortController().signal, AbortSignal.timeout(3000)]) });
      await fetch('https://a.example/');`, { fetch });
    expect(timeouts[0]).toBeGreaterThan(4000);
    expect(timeouts[0]).toBeLessThanOrEqual(5000);
    expect(timeouts[1]).toBeGreaterThan(2000);
    expect(timeouts[1]).toBeLessThanOrEqual(3000);
    expect(timeouts[2]).toBeUndefined();
  });

  it('uploads FormData as multipart/form-data and Blobs with their type', async () => {
    const seen: { headers: [string, string][]; body: string }[] = [];
    const fetch: HostFetch = (request, body) => {
      seen.push({ headers: request.headers, body: body ? Buffer.from(body).toString('latin1') : '' });
      return { ok: true, status: 200, statusText: 'OK', url: request.url, headers: [['content-type', 'application/x-www-form-urlencoded']], bodyBase64: Buffer.from('a=1&b=x+y').toString('base64') };
    };
    const got = await guestValue(`const { FormData, Blob, File } = lib('fetch');
      const form = new FormData(); form.append('name', 'report'); form.append('file', new Blob(['a,b\\n1,2\\n'], { type: 'text/csv' }), 'data.csv');
      form.set('note', 'multi\\nline'); form.append('raw', new Uint8Array([0xff, 0x00]).length);
      const res = await fetch('https://up.example/upload', { method: 'POST', body: form });
      await fetch('https://up.example/blob', { method: 'POST', body: new Blob([new Uint8Array([1, 2]), 'x'], { type: 'application/octet-stream' }) });
      const parsed = await res.formData();
      const blob = await (await fetch('https://up.example/again')).blob();
      return [[...form.keys()], form.get('file').name, form.get('file').size, [...parsed], blob.type, await blob.text(), new File(['x'], 'f.txt').name, await new Blob(['héllo']).slice(1, 3).text()];`, { fetch });
    expect(got).toEqual([['name', 'file', 'note', 'raw'], 'data.csv', 8, [['a', '1'], ['b', 'x y']], 'application/x-www-form-urlencoded', 'a=1&b=x+y', 'f.txt', 'é']);
    const [multipart, blob] = seen;
    const type = multipart!.headers.find(([k]) => k === 'content-type')![1];
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(type)![1]!;
    // The body must parse as multipart with a standard parser: use undici's (via Node's Response).
    const parsedByNode = await new Response(Buffer.from(multipart!.body, 'latin1'), { headers: { 'content-type': type } }).formData();
    expect(parsedByNode.get('name')).toBe('report');
    expect(parsedByNode.get('note')).toBe('multi\r\nline');
    const file = parsedByNode.get('file') as File;
    expect([file.name, file.type, await file.text()]).toEqual(['data.csv', 'text/csv', 'a,b\n1,2\n']);
    expect(multipart!.body.endsWith('--' + boundary + '--\r\n')).toBe(true);
    expect(blob!.headers).toEqual([['content-type', 'application/octet-stream']]);
    expect(Buffer.from(blob!.body, 'latin1')).toEqual(Buffer.from([1, 2, 0x78]));
  });

  it('lets users build Response and Headers themselves', async () => {
    const got = await guestValue(`const out = [];
      const r = new Response('hi', { status: 201, headers: { a: 'b' } });
      out.push(r.status, r.ok, await r.text(), r.headers.get('content-type'), r.headers.get('A'));
      const j = Response.json({ z: 1 }, { status: 202 }); out.push(await j.json(), j.headers.get('content-type'), j.status);
      out.push(Response.redirect('https://a.example/x', 301).headers.get('location'), Response.error().type, new Response(null).body);
      for (const f of [() => new Response('x', { status: 99 }), () => new Headers({ 'bad name': 'x' }), () => new Response('x', { status: 204 })]) {
        try { f(); out.push('no error'); } catch (e) { out.push(e.name); }
      }
      const h = new Headers([['B', 'x'], ['a', 'y'], ['A', 'z']]); h.append('c', '1'); h.delete('b');
      out.push([...h], h.has('C'), lib('inspect').inspect(h));
      const chunks = []; for await (const chunk of new Response('stream me').body) chunks.push(chunk.length);
      out.push(chunks);
      return out;`);
    expect(got).toEqual([201, true, 'hi', 'text/plain;charset=UTF-8', 'b', { z: 1 }, 'application/json', 202, 'https://a.example/x', 'error', null,
      'RangeError', 'TypeError', 'TypeError', [['a', 'y, z'], ['c', '1']], true, "Headers { a: 'y, z', c: '1' }", [9]]);
  });
});
