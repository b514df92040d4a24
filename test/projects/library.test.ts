// The files library over real HTTP: upload (raw body, streamed, capped per file and by the project's
// library_bytes quota), list, metadata, download, replace, delete; files on disk under the store dir and
// nothing left behind by a refused upload.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { admin, bearer, createProject, useProjectsApp } from './helpers.js';

const MAX = 64 * 1024;

function upload(app: ReturnType<ReturnType<typeof useProjectsApp>>['app'], key: string, name: string | undefined, payload: Buffer | Readable | string, contentType = 'application/octet-stream') {
  const url = name === undefined ? '/v1/library/files' : `/v1/library/files?name=${encodeURIComponent(name)}`;
  return app.inject({ method: 'POST', url, headers: { ...bearer(key), 'content-type': contentType }, payload });
}

/** Every file under a project's directory in the store (temp files included). */
function onDisk(dir: string, project: string): string[] {
  const path = join(dir, 'library', 'files', project);
  return existsSync(path) ? readdirSync(path) : [];
}

describe('files library', () => {
  const get = useProjectsApp({ maxFileBytes: MAX });

  it('needs a project key', async () => {
    const { app } = get();
    expect((await app.inject({ method: 'GET', url: '/v1/library/files' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/v1/library/files?name=a', payload: 'x', headers: { 'content-type': 'text/plain' } })).statusCode).toBe(401);
  });

  it('uploads, lists, describes, downloads and deletes a file, byte for byte', async () => {
    const { app, dir } = get();
    const project = await createProject(app);
    const csv = Buffer.from('name,score\nada,3\n  grace , 5 \n');
    const created = await upload(app, project.api_key, 'reports/scores é.csv', csv, 'text/csv; charset=utf-8');
    expect(created.statusCode).toBe(201);
    const file = created.json();
    expect(file).toMatchObject({ name: 'reports/scores é.csv', size: csv.length, content_type: 'text/csv; charset=utf-8', sha256: createHash('sha256').update(csv).digest('hex') });
    expect(file.id).toMatch(/^file_[0-9a-f]{32}$/);
    // On disk under the store dir, named by id only.
    expect(onDisk(dir, project.id)).toEqual([file.id]);

    const listed = (await app.inject({ method: 'GET', url: '/v1/library/files', headers: bearer(project.api_key) })).json();
    expect(listed).toEqual({ files: [file], used_bytes: csv.length });
    expect((await app.inject({ method: 'GET', url: `/v1/library/files/${file.id}`, headers: bearer(project.api_key) })).json()).toEqual(file);

    const download = await app.inject({ method: 'GET', url: `/v1/library/files/${file.id}/content`, headers: bearer(project.api_key) });
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(csv)).toBe(true);
    expect(download.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['content-disposition']).toBe(`attachment; filename="reports/scores _.csv"; filename*=UTF-8''${encodeURIComponent('reports/scores é.csv')}`);

    expect((await app.inject({ method: 'DELETE', url: `/v1/library/files/${file.id}`, headers: bearer(project.api_key) })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/v1/library/files/${file.id}`, headers: bearer(project.api_key) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/v1/library/files/${file.id}`, headers: bearer(project.api_key) })).statusCode).toBe(404);
    expect(onDisk(dir, project.id)).toEqual([]);
  });

  it('keeps a JSON upload as its bytes (never parsed), and an unknown content type as octet-stream', async () => {
    const { app } = get();
    const project = await createProject(app);
    const json = '{ "a" : 1,\n  "__proto__": {"x": 1} }';
    const stored = (await upload(app, project.api_key, 'raw.json', json, 'application/json')).json();
    const back = await app.inject({ method: 'GET', url: `/v1/library/files/${stored.id}/content`, headers: bearer(project.api_key) });
    expect(back.body).toBe(json);
    const odd = (await upload(app, project.api_key, 'odd.bin', 'x', 'not a type; <script>')).json();
    expect(odd.content_type).toBe('application/octet-stream');
    const none = await app.inject({ method: 'POST', url: '/v1/library/files?name=none.bin', headers: bearer(project.api_key), payload: 'x' });
    expect(none.statusCode).toBe(201);
    expect(none.json().content_type).toBe('application/octet-stream');
  });

  it('replaces a file of the same name: one file, the new bytes, the old object gone from disk', async () => {
    const { app, dir } = get();
    const project = await createProject(app);
    const first = (await upload(app, project.api_key, 'same.txt', 'one')).json();
    const second = await upload(app, project.api_key, 'same.txt', 'second');
    expect(second.statusCode).toBe(200);
    const listed = (await app.inject({ method: 'GET', url: '/v1/library/files', headers: bearer(project.api_key) })).json();
    expect(listed.files.map((f: { name: string; size: number }) => [f.name, f.size])).toEqual([['same.txt', 6]]);
    expect(listed.used_bytes).toBe(6);
    expect(onDisk(dir, project.id)).toEqual([second.json().id]);
    expect((await app.inject({ method: 'GET', url: `/v1/library/files/${first.id}`, headers: bearer(project.api_key) })).statusCode).toBe(404);
  });

  it('refuses a bad name with 400 naming the field', async () => {
    const { app } = get();
    const project = await createProject(app);
    for (const name of [undefined, '', 'a\u0000b', 'line\nbreak', 'x'.repeat(256)]) {
      const res = await upload(app, project.api_key, name, 'x');
      expect(res.statusCode, JSON.stringify(name)).toBe(400);
      expect(res.json().error.issues[0].field).toBe('name');
    }
    const twice = await app.inject({ method: 'POST', url: '/v1/library/files?name=a&name=b', headers: bearer(project.api_key), payload: 'x' });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().error.issues[0]).toEqual({ field: 'name', message: 'expected one ?name=<file name>' });
  });

  it('cuts off a file over the per-file cap, announced or streamed, and leaves nothing on disk', async () => {
    const { app, dir } = get();
    const project = await createProject(app);
    const announced = await upload(app, project.api_key, 'big.bin', Buffer.alloc(MAX + 1));
    expect(announced.statusCode).toBe(413);
    expect(announced.json().error.issues[0].field).toBe('(body)');
    // No Content-Length: the cap is met while the bytes arrive.
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(MAX / 4, 7));
    const streamed = await upload(app, project.api_key, 'streamed.bin', Readable.from(chunks));
    expect(streamed.statusCode).toBe(413);
    expect(onDisk(dir, project.id)).toEqual([]);
    expect((await upload(app, project.api_key, 'fits.bin', Buffer.alloc(MAX))).statusCode).toBe(201);
  });

  it('holds the project to library_bytes, counting a replaced file as freed', async () => {
    const { app, dir } = get();
    const project = await createProject(app, { name: 'quota', quotas: { library_bytes: 1500 } });
    expect((await upload(app, project.api_key, 'a', Buffer.alloc(1000))).statusCode).toBe(201);
    const over = await upload(app, project.api_key, 'b', Readable.from([Buffer.alloc(400), Buffer.alloc(400)]));
    expect(over.statusCode).toBe(413);
    expect(over.json().error).toMatchObject({ code: 'payload_too_large', issues: [{ field: 'quotas.library_bytes' }] });
    // Replacing "a" frees its 1000 bytes first.
    expect((await upload(app, project.api_key, 'a', Buffer.alloc(1400))).statusCode).toBe(200);
    expect(onDisk(dir, project.id)).toHaveLength(1);
    // Raising the quota lets the next upload in.
    await app.inject({ method: 'PATCH', url: `/v1/admin/projects/${project.id}`, headers: admin, payload: { quotas: { library_bytes: 4000 } } });
    expect((await upload(app, project.api_key, 'b', Buffer.alloc(800))).statusCode).toBe(201);
  });

  it('two uploads at once cannot both fill the quota', async () => {
    const { app } = get();
    const project = await createProject(app, { name: 'race', quotas: { library_bytes: 1000 } });
    // Slow streams, so both are arriving at the same time.
    const slow = () =>
      Readable.from(
        (async function* () {
          for (let i = 0; i < 6; i++) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            yield Buffer.alloc(100);
          }
        })(),
      );
    const results = await Promise.all([upload(app, project.api_key, 'x', slow()), upload(app, project.api_key, 'y', slow())]);
    // At most one fits (both may be refused: bytes still arriving count against the quota).
    expect(results.filter((r) => r.statusCode === 201).length).toBeLessThanOrEqual(1);
    expect(results.filter((r) => r.statusCode === 413).length).toBeGreaterThanOrEqual(1);
    expect((await app.inject({ method: 'GET', url: '/v1/library/files', headers: bearer(project.api_key) })).json().used_bytes).toBeLessThanOrEqual(1000);
  });

  it('deleting the project deletes its files', async () => {
    const { app, dir } = get();
    const project = await createProject(app);
    await upload(app, project.api_key, 'doomed.txt', 'bye');
    expect(onDisk(dir, project.id)).toHaveLength(1);
    await app.inject({ method: 'DELETE', url: `/v1/admin/projects/${project.id}`, headers: admin });
    expect(existsSync(join(dir, 'library', 'files', project.id))).toBe(false);
  });

  it('over a real socket, an over-cap upload is answered 413 before the client finished sending', async () => {
    const { app } = get();
    const project = await createProject(app);
    // The key verified once beforehand, so the KDF's first run is not part of the race below.
    expect((await app.inject({ method: 'GET', url: '/v1/library/files', headers: bearer(project.api_key) })).statusCode).toBe(200);
    const { port } = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
    // A raw socket: the answer is read whatever happens to the writes once the server closes its side.
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    let answer = '';
    socket.on('data', (chunk) => (answer += String(chunk)));
    await once(socket, 'connect');
    socket.write(`POST /v1/library/files?name=huge HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${project.api_key}\r\ncontent-type: application/octet-stream\r\ntransfer-encoding: chunked\r\n\r\n`);
    const chunk = Buffer.alloc(MAX / 2);
    let sent = 0;
    // Far more than the cap, a little at a time, until the answer comes (or 50 times the cap).
    while (!answer.includes('\r\n\r\n') && sent < MAX * 50 && !socket.destroyed) {
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      socket.write('\r\n');
      sent += chunk.length;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    expect(sent).toBeLessThan(MAX * 50);
  });

  it('shows its routes in /openapi.json, and each exists', async () => {
    const { app } = get();
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const [method, path] of [['post', '/v1/library/files'], ['get', '/v1/library/files'], ['get', '/v1/library/files/{id}'], ['delete', '/v1/library/files/{id}'], ['get', '/v1/library/files/{id}/content']]) {
      expect(doc.paths[path as string]?.[method as string]?.security, `${method} ${path}`).toEqual([{ projectKey: [] }]);
      const res = await app.inject({ method: (method as string).toUpperCase() as 'GET', url: (path as string).replace('{id}', 'file_x') });
      expect(res.statusCode, `${method} ${path}`).toBe(401);
    }
    expect(Object.keys(doc.components.schemas.LibraryFile.properties).sort()).toEqual(['content_type', 'created_at', 'id', 'name', 'sha256', 'size']);
  });
});
