// Attack: one project tries to list, read, download, overwrite and delete another project's library files:
// with the victim's file ids, with path tricks in ids and names, and by uploading under the victim's file
// names. Every attempt fails, and the victim's file stays byte for byte what it uploaded.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { admin, bearer, createProject, useProjectsApp } from '../projects/helpers.js';

describe('attack: reaching another project through the files library', () => {
  const get = useProjectsApp();

  async function setUp() {
    const { app } = get();
    const victim = await createProject(app, { name: 'victim' });
    const attacker = await createProject(app, { name: 'attacker' });
    const secret = 'account,balance\nvictim,1000000\n';
    const res = await app.inject({ method: 'POST', url: '/v1/library/files?name=secret.csv', headers: { ...bearer(victim.api_key), 'content-type': 'text/csv' }, payload: secret });
    expect(res.statusCode).toBe(201);
    return { app, victim, attacker, secret, file: res.json() as { id: string } };
  }

  const victimStillHas = async (app: Awaited<ReturnType<typeof setUp>>['app'], key: string, id: string, bytes: string) => {
    const back = await app.inject({ method: 'GET', url: `/v1/library/files/${id}/content`, headers: bearer(key) });
    expect(back.statusCode).toBe(200);
    expect(back.body).toBe(bytes);
  };

  it("the victim's file id answers 404 to the attacker for metadata, download and delete; the listing shows nothing", async () => {
    const { app, victim, attacker, secret, file } = await setUp();
    const listing = (await app.inject({ method: 'GET', url: '/v1/library/files', headers: bearer(attacker.api_key) })).json();
    expect(listing).toEqual({ files: [], used_bytes: 0 });
    for (const [method, url] of [
      ['GET', `/v1/library/files/${file.id}`],
      ['GET', `/v1/library/files/${file.id}/content`],
      ['DELETE', `/v1/library/files/${file.id}`],
    ] as const) {
      const res = await app.inject({ method, url, headers: bearer(attacker.api_key) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.body).not.toContain('victim,1000000');
    }
    await victimStillHas(app, victim.api_key, file.id, secret);
  });

  it('path tricks in ids reach nothing: traversal, encoded slashes, the project directory, absolute paths', async () => {
    const { app, victim, attacker, secret, file } = await setUp();
    const tricks = [
      `../${victim.id}/${file.id}`,
      `..%2F${victim.id}%2F${file.id}`,
      `%2e%2e%2f%2e%2e%2f${victim.id}%2f${file.id}`,
      `${file.id}%00`,
      `${file.id}.part`,
      victim.id,
      '..',
      '%2Fetc%2Fpasswd',
      `${file.id}/../${file.id}`,
    ];
    for (const id of tricks) {
      for (const suffix of ['', '/content']) {
        const res = await app.inject({ method: 'GET', url: `/v1/library/files/${id}${suffix}`, headers: bearer(attacker.api_key) });
        expect(res.statusCode, id + suffix).toBe(404);
        expect(res.body).not.toContain('victim,1000000');
      }
      expect((await app.inject({ method: 'DELETE', url: `/v1/library/files/${id}`, headers: bearer(attacker.api_key) })).statusCode, id).toBe(404);
    }
    await victimStillHas(app, victim.api_key, file.id, secret);
  });

  it("uploading under the victim's file name, or a path-like name, makes a file of the attacker's own", async () => {
    const { app, victim, attacker, secret, file } = await setUp();
    const { dir } = get();
    for (const name of ['secret.csv', `../${victim.id}/${file.id}`, `/${victim.id}/secret.csv`, '../../projects/projects.sqlite']) {
      const res = await app.inject({ method: 'POST', url: `/v1/library/files?name=${encodeURIComponent(name)}`, headers: { ...bearer(attacker.api_key), 'content-type': 'text/csv' }, payload: 'account,balance\nattacker,0\n' });
      expect(res.statusCode, name).toBe(201);
      expect(res.json().name).toBe(name);
    }
    await victimStillHas(app, victim.api_key, file.id, secret);
    // On disk the names are nowhere: only ids, each under its owner's directory.
    const victimDir = join(dir, 'library', 'files', victim.id);
    expect(readdirSync(victimDir)).toEqual([file.id]);
    expect(readdirSync(join(dir, 'library', 'files', attacker.id)).every((entry) => /^file_[0-9a-f]{32}$/.test(entry))).toBe(true);
    expect(existsSync(join(dir, 'projects', 'projects.sqlite'))).toBe(true);
    const victimList = (await app.inject({ method: 'GET', url: '/v1/library/files', headers: bearer(victim.api_key) })).json();
    expect(victimList.files.map((f: { id: string }) => f.id)).toEqual([file.id]);
  });

  it('a revoked key reaches no file, and neither does the admin token', async () => {
    const { app, victim, file } = await setUp();
    await app.inject({ method: 'DELETE', url: `/v1/admin/projects/${victim.id}/keys/${victim.key_id}`, headers: admin });
    expect((await app.inject({ method: 'GET', url: `/v1/library/files/${file.id}/content`, headers: bearer(victim.api_key) })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/v1/library/files/${file.id}/content`, headers: admin })).statusCode).toBe(401);
  });
});
