// `isola serve`'s safe default, as real subprocesses: on a non-loopback address it refuses to start without
// ISOLA_ADMIN_TOKEN (one line, exit 2) unless --auth off; with the token it serves the admin API and wants
// a project key on every execution, its projects kept under ISOLA_STORE_DIR. Needs `npm run build`.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoopbackHost, projectsEnabled } from '../../src/server/auth-policy.js';
import { useServeProcess } from './serve-process.js';

const TOKEN = 'serve-admin-token-0123456789abcdef';
const store = mkdtempSync(join(tmpdir(), 'isola-serve-auth-'));
afterAll(() => rmSync(store, { recursive: true, force: true }));

const { refusal, listening } = useServeProcess(store, ['ISOLA_ADMIN_TOKEN']);

const hello = JSON.stringify({ language: 'javascript', code: 'function main() { return 1; }' });

describe('isola serve on a non-loopback address', () => {
  it('refuses to start without ISOLA_ADMIN_TOKEN, in one line, exit 2', async () => {
    const run = await refusal(['--host', '0.0.0.0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('isola serve: refusing to listen on 0.0.0.0 without keys: set ISOLA_ADMIN_TOKEN, or pass --auth off to serve anyone who reaches the port\n');
  }, 60_000);

  it('refuses contradictory or weak settings with exit 2', async () => {
    const both = await refusal(['--host', '0.0.0.0', '--auth', 'off'], { ISOLA_ADMIN_TOKEN: TOKEN });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--auth off contradicts ISOLA_ADMIN_TOKEN');
    const short = await refusal([], { ISOLA_ADMIN_TOKEN: 'short' });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('ISOLA_ADMIN_TOKEN must be at least 16 characters, got 5');
    const bad = await refusal(['--auth', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--auth takes on or off, got "maybe"');
    const onWithout = await refusal(['--auth', 'on']);
    expect(onWithout.code).toBe(2);
    expect(onWithout.stderr).toContain('--auth on needs ISOLA_ADMIN_TOKEN');
  }, 60_000);

  it('starts with --auth off and runs code without keys', async () => {
    const { port, projects } = await listening(['--host', '0.0.0.0', '--auth', 'off']);
    expect(projects).toBe(false);
    const res = await fetch(`http://127.0.0.1:${port}/v1/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: hello });
    expect(res.status).toBe(200);
  }, 60_000);

  it('starts with ISOLA_ADMIN_TOKEN: admin API creates a project, its key runs code, no key is 401', async () => {
    const { port, projects } = await listening(['--host', '0.0.0.0'], { ISOLA_ADMIN_TOKEN: TOKEN });
    expect(projects).toBe(true);
    const base = `http://127.0.0.1:${port}`;
    const created = await fetch(`${base}/v1/admin/projects`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ name: 'serve' }) });
    expect(created.status).toBe(201);
    const { api_key } = (await created.json()) as { api_key: string };
    const withoutKey = await fetch(`${base}/v1/execute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: hello });
    expect(withoutKey.status).toBe(401);
    const withKey = await fetch(`${base}/v1/execute`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${api_key}` }, body: hello });
    expect(withKey.status).toBe(200);
    // The files library is mounted too, its bytes under the store dir.
    const stored = await fetch(`${base}/v1/library/files?name=a.txt`, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${api_key}` }, body: 'hello' });
    expect(stored.status).toBe(201);
    const { id } = (await stored.json()) as { id: string };
    const project = (await (await fetch(`${base}/v1/admin/projects`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { projects: { id: string; name: string }[] };
    const projectId = project.projects.find((p) => p.name === 'serve')?.id ?? '';
    expect(readdirSync(join(store, 'library', 'files', projectId))).toEqual([id]);
  }, 60_000);
});

describe('projectsEnabled', () => {
  it('lets loopback run without keys and nothing else', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
      expect(projectsEnabled({ host, adminToken: undefined, auth: undefined })).toBe(false);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'example.com', '128.0.0.1', '::2']) {
      expect(isLoopbackHost(host), host).toBe(false);
      expect(() => projectsEnabled({ host, adminToken: undefined, auth: undefined }), host).toThrow('without keys');
      expect(projectsEnabled({ host, adminToken: undefined, auth: 'off' })).toBe(false);
      expect(projectsEnabled({ host, adminToken: TOKEN, auth: undefined })).toBe(true);
    }
  });
});
