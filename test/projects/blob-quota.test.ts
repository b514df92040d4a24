// The blob_bytes quota over real HTTP: an upload past it is 413 blob_quota_exceeded naming the quota and
// keeps nothing; an attachment a guest makes past it is that item's output_limit; another project is not
// charged for it; raising the quota lets the upload in.
import { describe, expect, it } from 'vitest';
import { admin, bearer, createProject, execute, useProjectsApp } from './helpers.js';

describe('project blob quota', () => {
  const get = useProjectsApp();
  const upload = (key: string, payload: string) => get().app.inject({ method: 'POST', url: '/v1/blobs', headers: { ...bearer(key), 'content-type': 'text/plain' }, payload });

  it('an upload past blob_bytes is 413 blob_quota_exceeded and is not kept; another project is unaffected; a larger quota lets it in', async () => {
    const { app } = get();
    const limited = await createProject(app, { name: 'small', quotas: { blob_bytes: 100 } });
    const other = await createProject(app, { name: 'other' });
    const tag = crypto.randomUUID();
    expect((await upload(limited.api_key, `${tag}:${'a'.repeat(60 - tag.length - 1)}`)).statusCode).toBe(201);
    const second = `${tag}:${'b'.repeat(60 - tag.length - 1)}`;
    const refused = await upload(limited.api_key, second);
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error).toMatchObject({ code: 'blob_quota_exceeded', issues: [{ field: 'quotas.blob_bytes' }] });
    const id = (await upload(other.api_key, second)).json().id as string;
    expect((await app.inject({ method: 'GET', url: `/v1/blobs/${id}`, headers: bearer(limited.api_key) })).statusCode).toBe(404);
    const raised = await app.inject({ method: 'PATCH', url: `/v1/admin/projects/${limited.id}`, headers: admin, payload: { quotas: { blob_bytes: 1000 } } });
    expect(raised.statusCode).toBe(200);
    expect((await upload(limited.api_key, second)).statusCode).toBe(201);
  });

  it('a multipart file part past the quota is 413 blob_quota_exceeded, and the project holds the parts that fit', async () => {
    const { app } = get();
    const limited = await createProject(app, { name: 'multipart', quotas: { blob_bytes: 100 } });
    const form = new FormData();
    form.append('small', new Blob([`${crypto.randomUUID()}`]), 'small.txt');
    form.append('large', new Blob(['x'.repeat(200)]), 'large.txt');
    form.append('request', JSON.stringify({ language: 'javascript', code: 'function execute() { return {} }', items: [{ json: {}, binary: { a: { part: 'small' }, b: { part: 'large' } } }] }));
    const encoded = new Response(form);
    const res = await app.inject({ method: 'POST', url: '/v1/execute', headers: { ...bearer(limited.api_key), 'content-type': encoded.headers.get('content-type')! }, payload: Buffer.from(await encoded.arrayBuffer()) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({ code: 'blob_quota_exceeded', issues: [{ field: 'quotas.blob_bytes' }] });
  });

  it("an attachment past the quota is that item's output_limit, and the other items still run with continue_on_fail", async () => {
    const { app } = get();
    const limited = await createProject(app, { name: 'attach', quotas: { blob_bytes: 64 } });
    const code = 'function execute(args, ctx) { const body = String(args.itemIndex).repeat(args.input.size) + Math.random(); return { json: {}, binary: { out: ctx.binary.attach({ name: "out", body }) } } }';
    const res = await execute(app, { language: 'javascript', code, items: [{ json: { size: 10 } }, { json: { size: 500 } }], continue_on_fail: true }, bearer(limited.api_key));
    expect(res.statusCode).toBe(200);
    const answer = res.json() as { items: { main: { paired: { item: number } }[] }; errors: { index: number; type: string; message: string }[] };
    expect(answer.items.main.map((item) => item.paired.item)).toEqual([0]);
    expect(answer.errors).toEqual([{ index: 1, type: 'output_limit', message: expect.stringContaining('blob quota') }]);
  });
});
