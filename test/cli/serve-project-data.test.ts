// `isola serve --project-data` as real subprocesses: a bad value (or PostgreSQL without its secret, or
// without projects) is a usage error (exit 2) that names the flag and never prints the password; a postgres:// URL puts the
// projects' databases in that real PostgreSQL server, which /readyz reports (and follows when it stops);
// without the flag, the embedded SQLite. Needs `npm run build`.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../project-data/postgres-server.js';
import { useServeProcess } from './serve-process.js';

const TOKEN = 'serve-data-admin-token-0123456789';
const SECRET = 'serve-data-role-secret-0123456789';
const store = mkdtempSync(join(tmpdir(), 'isola-serve-data-'));
chmodSync(store, 0o755);

let postgres: PostgresServer;
let dataUrl: string;

beforeAll(async () => {
  postgres = await startPostgres();
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('CREATE DATABASE isola_cli');
  await admin.end();
  dataUrl = postgres.url.replace(/\/postgres$/, '/isola_cli');
}, 60_000);
afterAll(() => {
  postgres?.stop();
  rmSync(store, { recursive: true, force: true });
});

const { refusal, listening } = useServeProcess(store, ['ISOLA_ADMIN_TOKEN', 'ISOLA_PROJECT_DATA_URL', 'ISOLA_PROJECT_DATA_SECRET']);
const serve = async (args: string[], extra: Record<string, string>) => (await listening(args, extra)).address;

const call = async (address: string, method: string, path: string, token: string, body?: unknown) => {
  const res = await fetch(`${address}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('isola serve --project-data', () => {
  it.each([
    ['a URL of another scheme', ['--project-data', 'mysql://root:hunter2@db.internal/app'], {}, /--project-data .*sqlite or postgres:\/\//],
    ['a value that is no URL', [], { ISOLA_PROJECT_DATA_URL: 'postgres://' }, /ISOLA_PROJECT_DATA_URL/],
    ['PostgreSQL without ISOLA_PROJECT_DATA_SECRET', ['--project-data', 'postgres://u:hunter2@127.0.0.1:1/db'], {}, /ISOLA_PROJECT_DATA_SECRET/],
    ['a secret that is too short', ['--project-data', 'postgres://u:hunter2@127.0.0.1:1/db'], { ISOLA_PROJECT_DATA_SECRET: 'short' }, /at least 16/],
  ])('refuses %s: exit 2, the reason on the first line', async (_name, args, extra, message) => {
    const { code, stderr } = await refusal(args, { ISOLA_ADMIN_TOKEN: TOKEN, ...extra });
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toMatch(new RegExp(`^isola serve: .*${message.source}`));
    expect(stderr).not.toContain('hunter2');
  });

  it('refuses project data without projects (no ISOLA_ADMIN_TOKEN)', async () => {
    const { code, stderr } = await refusal(['--project-data', dataUrl], { ISOLA_PROJECT_DATA_SECRET: SECRET });
    expect(code).toBe(2);
    expect(stderr).toMatch(/needs projects: set ISOLA_ADMIN_TOKEN/);
  });

  it('defaults to the embedded SQLite and says so in /readyz', async () => {
    const address = await serve([], { ISOLA_ADMIN_TOKEN: TOKEN });
    const ready = await call(address, 'GET', '/readyz', TOKEN);
    expect(ready.status).toBe(200);
    expect(ready.body['project_data']).toEqual({ backend: 'sqlite', ready: true });
  }, 60_000);

  it('keeps the projects\' databases in the PostgreSQL it names, reports it in /readyz and follows it down', async () => {
    const address = await serve(['--project-data', dataUrl], { ISOLA_ADMIN_TOKEN: TOKEN, ISOLA_PROJECT_DATA_SECRET: SECRET });
    const ready = await call(address, 'GET', '/readyz', TOKEN);
    expect(ready.status).toBe(200);
    expect(ready.body['project_data']).toEqual({ backend: 'postgres', ready: true, server: `127.0.0.1:${postgres.port}/isola_cli` });
    expect(JSON.stringify(ready.body)).not.toContain('isola-test-admin');

    const project = await call(address, 'POST', '/v1/admin/projects', TOKEN, { name: 'crm' });
    const key = String(project.body['api_key']);
    expect((await call(address, 'POST', '/v1/databases', key, { name: 'crm' })).status).toBe(201);
    const table = await call(address, 'POST', '/v1/databases/crm/tables', key, { name: 'executions', columns: [{ name: 'who', type: 'text' }, { name: 'what', type: 'text' }] });
    expect(table.status).toBe(201);
    expect((await call(address, 'POST', '/v1/databases/crm/tables/executions/rows', key, { rows: [{ who: 'ada', what: 'run' }] })).status).toBe(200);
    const query = await call(address, 'POST', '/v1/databases/crm/query', key, { sql: 'SELECT who, what FROM executions WHERE who = $1', params: ['ada'] });
    expect(query.body).toEqual({ rows: [{ who: 'ada', what: 'run' }], row_count: 1 });

    // The rows are in PostgreSQL (under an opaque schema), not in a file under the store.
    const admin = new pg.Client({ connectionString: dataUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ schema_name: string }>("SELECT schema_name FROM isola_meta.databases WHERE name = 'crm'");
      expect(rows).toHaveLength(1);
      const stored = await admin.query(`SELECT who FROM "${rows[0]!.schema_name}".executions`);
      expect(stored.rows).toEqual([{ who: 'ada' }]);
    } finally {
      await admin.end();
    }

    postgres.stop();
    let down = await call(address, 'GET', '/readyz', TOKEN);
    for (let i = 0; i < 20 && down.status !== 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      down = await call(address, 'GET', '/readyz', TOKEN);
    }
    expect(down.status).toBe(503);
    expect(down.body['project_data']).toMatchObject({ backend: 'postgres', ready: false });
    expect((down.body['project_data'] as { reason?: string }).reason).toBeTruthy();
  }, 90_000);
});
