/**
 * POST /v1/execute as multipart/form-data over a listening server: the request in its `request` part,
 * files in file parts that become blobs, named by items as `{ part }`. Every refusal is a 4xx naming the
 * part or field, answered on the connection (never a reset), and keeps the service working.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/types.js';
import { buildApp } from '../../src/server/app.js';
import { JS_ONLY } from './helpers.js';

const MAX_BLOB = 256 * 1024;

interface Answer {
  error: { code: string; message: string; issues?: { field: string; message: string }[] } | null;
  items: { main: { json: Record<string, unknown>; binary: Record<string, { mime_type: string }> }[] };
  output?: unknown;
}
const READ_FILES = [
  'function execute(args, ctx) {',
  '  const text = (name) => new TextDecoder().decode(ctx.binary.get(name));',
  '  return { json: { photo: text("photo"), notes: ctx.binary.get("notes") ? text("notes") : null }, binary: args.item.binary };',
  '}',
].join('\n');

describe('multipart /v1/execute', () => {
  let storeDir: string;
  let engine: Engine;
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    storeDir = await mkdtemp(join(tmpdir(), 'isola-multipart-'));
    engine = await createEngine({ workers: JS_ONLY, storeDir, maxBlobBytes: MAX_BLOB });
    app = buildApp({ engine, docs: false });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await engine?.close({ graceMs: 0 });
    await rm(storeDir, { recursive: true, force: true });
  });

  const send = async (form: FormData, url = '/v1/execute') => {
    const res = await fetch(`${base}${url}`, { method: 'POST', body: form });
    return { status: res.status, body: (await res.json()) as Answer };
  };
  const fieldsOf = (body: Answer) => (body.error?.issues ?? []).map((issue) => issue.field);
  const requestOf = (items: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ language: 'javascript', code: READ_FILES, items, ...extra });

  it('file parts become blobs the items name by part; the guest reads them; the output carries blob references', async () => {
    const form = new FormData();
    form.append('photo', new Blob(['fake png bytes'], { type: 'image/png' }), 'cat.png');
    form.append('request', requestOf([{ json: {}, binary: { photo: { part: 'photo' } } }, { json: {}, binary: { photo: { part: 'photo' }, notes: { part: 'notes', filename: 'renamed.txt' } } }]));
    // A part after the request part works as well as one before it.
    form.append('notes', new Blob(['some notes'], { type: 'text/plain' }), 'notes.txt');
    const { status, body } = await send(form);
    expect(status).toBe(200);
    expect(body.error).toBeNull();
    const photoId = createHash('sha256').update('fake png bytes').digest('hex');
    const notesId = createHash('sha256').update('some notes').digest('hex');
    expect(body.items.main).toEqual([
      { json: { photo: 'fake png bytes', notes: null }, binary: { photo: { id: photoId, size: 14, mime_type: 'image/png', filename: 'cat.png' } }, paired: { item: 0 } },
      {
        json: { photo: 'fake png bytes', notes: 'some notes' },
        binary: { photo: { id: photoId, size: 14, mime_type: 'image/png', filename: 'cat.png' }, notes: { id: notesId, size: 10, mime_type: 'text/plain', filename: 'renamed.txt' } },
        paired: { item: 1 },
      },
    ]);
    const stored = await fetch(`${base}/v1/blobs/${photoId}`);
    expect(stored.headers.get('content-type')).toBe('image/png');
    expect(await stored.text()).toBe('fake png bytes');
  });

  it('takes the request part as a JSON file too (curl -F request=@request.json)', async () => {
    const form = new FormData();
    form.append('request', new Blob([requestOf([{ json: {}, binary: { photo: { part: 'photo' } } }])], { type: 'application/json' }), 'request.json');
    form.append('photo', new Blob(['from a file']), 'a.bin');
    const { status, body } = await send(form);
    expect(status).toBe(200);
    expect(body.items.main[0]?.json['photo']).toBe('from a file');
    expect(body.items.main[0]?.binary['photo']?.mime_type).toBe('application/octet-stream');
  });

  it('refuses a missing request part, a request that is not JSON, one given twice, and a request that fails the contract, naming the field', async () => {
    const missing = new FormData();
    missing.append('photo', new Blob(['x']), 'x.bin');
    expect(await send(missing)).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    expect(fieldsOf((await send(missing)).body)).toEqual(['request']);

    const notJson = new FormData();
    notJson.append('request', '{"language": "javascript",');
    const refused = await send(notJson);
    expect(refused.status).toBe(400);
    expect(fieldsOf(refused.body)).toEqual(['request']);

    const twice = new FormData();
    twice.append('request', requestOf([]));
    twice.append('request', requestOf([]));
    expect(fieldsOf((await send(twice)).body)).toEqual(['request']);

    const bad = new FormData();
    bad.append('request', JSON.stringify({ language: 'javascript', code: READ_FILES, timeout_ms: -1 }));
    const contract = await send(bad);
    expect(contract.status).toBe(400);
    expect(fieldsOf(contract.body)).toEqual(['timeout_ms']);
  });

  it('refuses a reference to no part, and a reference with both part and id, naming the item field', async () => {
    const form = new FormData();
    form.append('photo', new Blob(['x']), 'x.bin');
    form.append('request', requestOf([{ json: {}, binary: { photo: { part: 'photo' } } }, { json: {}, binary: { scan: { part: 'scan' } } }]));
    const unknown = await send(form);
    expect(unknown.status).toBe(400);
    expect(fieldsOf(unknown.body)).toEqual(['items.1.binary.scan.part']);
    expect(unknown.body.error?.issues?.[0]?.message).toContain('photo');

    const both = new FormData();
    both.append('photo', new Blob(['x']), 'x.bin');
    both.append('request', requestOf([{ json: {}, binary: { photo: { part: 'photo', id: 'f'.repeat(64) } } }]));
    expect(fieldsOf((await send(both)).body)).toEqual(['items.0.binary.photo.part']);
  });

  it('a file part over the blob limit is 413 naming the part, answered on the connection; the service keeps working', async () => {
    const form = new FormData();
    form.append('request', requestOf([{ json: {}, binary: { photo: { part: 'photo' } } }]));
    form.append('photo', new Blob([new Uint8Array(MAX_BLOB * 4)]), 'big.bin');
    const { status, body } = await send(form);
    expect(status).toBe(413);
    expect(body.error?.code).toBe('payload_too_large');
    expect(fieldsOf(body)).toEqual(['photo']);
    // Nothing of it was kept.
    const id = createHash('sha256').update(new Uint8Array(MAX_BLOB * 4)).digest('hex');
    expect((await fetch(`${base}/v1/blobs/${id}`)).status).toBe(404);
    const ok = new FormData();
    ok.append('request', JSON.stringify({ language: 'javascript', code: 'function main() { return 1 }' }));
    expect((await send(ok)).body.output).toBe(1);
  });

  it('a field part other than request is refused naming it; malformed multipart is 400 on (body)', async () => {
    const stray = new FormData();
    stray.append('request', requestOf([]));
    stray.append('note', 'plain text field');
    const res = await send(stray);
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['note']);

    // A body cut off in the middle of a part: busboy's "Unexpected end of form".
    const truncated = await rawPost('multipart/form-data; boundary=XyZ', '--XyZ\r\nContent-Disposition: form-data; name="request"\r\n\r\n{"language":');
    expect(truncated.status).toBe(400);
    expect(JSON.parse(truncated.body).error).toMatchObject({ code: 'invalid_request', issues: [{ field: '(body)' }] });
    // No boundary at all.
    const noBoundary = await rawPost('multipart/form-data', 'anything');
    expect(noBoundary.status).toBe(400);
    expect(JSON.parse(noBoundary.body).error.issues[0].field).toBe('(body)');
  });

  it('only /v1/execute takes multipart: /v1/jobs answers 415', async () => {
    const form = new FormData();
    form.append('request', requestOf([]));
    const res = await fetch(`${base}/v1/jobs`, { method: 'POST', body: form });
    expect(res.status).toBe(415);
  });

  it('is in /openapi.json', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { required: string[] } }> } } }> };
    expect(doc.paths['/v1/execute']?.post.requestBody.content['multipart/form-data']?.schema.required).toEqual(['request']);
  });

  function rawPost(contentType: string, payload: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${base}/v1/execute`, { method: 'POST', headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
});
