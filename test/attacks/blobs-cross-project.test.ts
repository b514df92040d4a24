// Attack: project B tries to reach project A's blobs through content addressing. It guesses A's id (the
// SHA-256 of bytes it suspects A holds), downloads it, names it as an item's binary, and uploads the same
// bytes to see whether the answer betrays that they were already there. B learns nothing: A's id is
// answered exactly as an id nobody stored, and B's own upload looks the same whether or not A had them.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer, createProject, execute, useProjectsApp } from '../projects/helpers.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('attack: reading another project\u2019s blobs by their content address', () => {
  const get = useProjectsApp();

  async function setUp() {
    const { app } = get();
    const victim = await createProject(app, { name: 'victim' });
    const attacker = await createProject(app, { name: 'attacker' });
    // Unique per run: the engine's store is shared by the test files.
    const secret = `salary,name\n250000,victim ${crypto.randomUUID()}\n`;
    const res = await app.inject({ method: 'POST', url: '/v1/blobs', headers: { ...bearer(victim.api_key), 'content-type': 'text/csv' }, payload: secret });
    expect(res.statusCode).toBe(201);
    return { app, victim, attacker, secret, id: (res.json() as { id: string }).id };
  }

  /** What the attacker sees for an id: status and body, with the id itself blanked out. */
  const seen = async (app: ReturnType<typeof get>['app'], key: string, id: string, range?: string) => {
    const res = await app.inject({ method: 'GET', url: `/v1/blobs/${id}`, headers: { ...bearer(key), ...(range ? { range } : {}) } });
    const body = res.json() as { error: { request_id?: string } };
    return { status: res.statusCode, body: JSON.stringify({ ...body, error: { ...body.error, request_id: undefined } }).replaceAll(id, '<id>') };
  };

  it("the victim's id answers the attacker exactly as an id nobody stored, whole or by range", async () => {
    const { app, victim, attacker, secret, id } = await setUp();
    expect(id).toBe(sha256(secret));
    const nobody = sha256(`never stored ${crypto.randomUUID()}`);
    for (const range of [undefined, 'bytes=0-3', 'bytes=-1']) {
      const guessed = await seen(app, attacker.api_key, id, range);
      expect(guessed.status).toBe(404);
      expect(guessed).toEqual(await seen(app, attacker.api_key, nobody, range));
    }
    // The victim still reads its blob.
    const back = await app.inject({ method: 'GET', url: `/v1/blobs/${id}`, headers: bearer(victim.api_key) });
    expect(back.statusCode).toBe(200);
    expect(back.body).toBe(secret);
  });

  it("naming the victim's id as an item's binary is blob_not_found, as for an id nobody stored", async () => {
    const { app, attacker, id } = await setUp();
    const code = 'function execute(args, ctx) { return { text: new TextDecoder().decode(ctx.binary.get("f")) } }';
    const answer = async (blobId: string) => {
      const res = await execute(app, { language: 'javascript', code, items: [{ json: {}, binary: { f: { id: blobId } } }] }, bearer(attacker.api_key));
      const body = res.json() as { error: { code: string; issues: unknown; message: string } };
      return { status: res.statusCode, code: body.error.code, issues: body.error.issues, message: body.error.message.replaceAll(blobId, '<id>') };
    };
    const guessed = await answer(id);
    expect(guessed).toMatchObject({ status: 404, code: 'blob_not_found' });
    expect(guessed).toEqual(await answer(sha256(`never stored ${crypto.randomUUID()}`)));
  });

  it('uploading the same bytes answers as a first upload would: own mime type, own quota, and the victim is untouched', async () => {
    const { app, victim, attacker, secret, id } = await setUp();
    const fresh = `salary,name\n1,attacker ${crypto.randomUUID()}\n`;
    const upload = (payload: string) => app.inject({ method: 'POST', url: '/v1/blobs', headers: { ...bearer(attacker.api_key), 'content-type': 'text/plain' }, payload });
    const same = await upload(secret);
    const first = await upload(fresh);
    expect(same.statusCode).toBe(first.statusCode);
    // The victim uploaded text/csv: a shared record would have answered that.
    expect(same.json()).toEqual({ id, size: Buffer.byteLength(secret), sha256: id, mime_type: 'text/plain' });
    expect(Object.keys(same.json())).toEqual(Object.keys(first.json()));
    // Now the attacker holds its own copy, and the victim's blob keeps the victim's type.
    expect((await app.inject({ method: 'GET', url: `/v1/blobs/${id}`, headers: bearer(attacker.api_key) })).headers['content-type']).toBe('text/plain');
    const victims = await app.inject({ method: 'GET', url: `/v1/blobs/${id}`, headers: bearer(victim.api_key) });
    expect(victims.headers['content-type']).toBe('text/csv');
    expect(victims.body).toBe(secret);
  });

  it('an attachment a guest makes belongs to the project it ran for', async () => {
    const { app, victim, attacker } = await setUp();
    const body = `made by the victim ${crypto.randomUUID()}`;
    const code = `function execute(args, ctx) { return { json: {}, binary: { out: ctx.binary.attach({ name: "out", body: ${JSON.stringify(body)}, mimeType: "text/plain" }) } } }`;
    const res = await execute(app, { language: 'javascript', code, items: [{ json: {} }] }, bearer(victim.api_key));
    const made = (res.json() as { items: { main: { binary: { out: { id: string } } }[] } }).items.main[0]!.binary.out.id;
    expect(made).toBe(sha256(body));
    expect((await app.inject({ method: 'GET', url: `/v1/blobs/${made}`, headers: bearer(victim.api_key) })).body).toBe(body);
    expect((await app.inject({ method: 'GET', url: `/v1/blobs/${made}`, headers: bearer(attacker.api_key) })).statusCode).toBe(404);
  });
});
