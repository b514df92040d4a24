// The files library from guest code, through the `isola` module: upload (text, bytes, into a directory),
// list files and directories, metadata, a download URL read back, delete; and Intellectible's
// DatabaseClient signatures over the same backend. Real service, every lane, no key in the code.
import { beforeAll, describe, expect, it } from 'vitest';
import { type GuestService, useGuestService } from '../library/guest-service.js';

const JS = `import { library, LibraryClient, db } from 'isola';
const { DatabaseClient } = require('@intellectible/execution-sdk');
export default async function main() {
  const id = await library.uploadFile('q1.csv', 'csv', 'a,b\\n1,2\\n', 'reports/2024');
  const bin = await new LibraryClient().uploadFile('blob.bin', 'application/octet-stream', new Uint8Array([0, 255, 7]));
  const meta = await library.getFile(id);
  const url = await library.createDownloadUrl(id);
  const text = await (await fetch(url)).text();
  const bytes = Array.from(new Uint8Array(await (await fetch(await library.createDownloadUrl(bin))).arrayBuffer()));
  const intellectible = new DatabaseClient();
  await db.createDatabase('sdkdb');
  await intellectible.createTable('sdkdb', 'runs');
  await intellectible.createColumn('sdkdb', 'runs', 'score', 'number');
  await intellectible.insertRows('sdkdb', 'runs', [{ score: 1.5 }]);
  const listed = { root: (await library.listFiles()).map((f) => f.name), reports: await library.listDirs(), y2024: (await library.listFiles('reports/2024')).map((f) => [f.name, f.dir, f.mimeType, f.size]) };
  await library.deleteFile(bin);
  return { meta: [meta.name, meta.path, meta.dir, meta.mimeType], text, bytes, listed, after: (await library.listFiles()).length,
    tables: await intellectible.listTables('sdkdb'), dbs: (await intellectible.listDatabases()).map((d) => [d.id, d.name]), rows: (await db.query('sdkdb', 'SELECT score FROM runs')).rows };
}`;

const PY = `import urllib.request
import isola
from intellectible_execution import DatabaseClient

def main():
    library = isola.library
    file_id = library.upload_file("q1.csv", "csv", "a,b\\n1,2\\n", "reports/2024")
    blob = isola.LibraryClient().upload_file("blob.bin", "application/octet-stream", bytes([0, 255, 7]))
    meta = library.get_file(file_id)
    with urllib.request.urlopen(library.create_download_url(file_id)) as r:
        text = r.read().decode()
    with urllib.request.urlopen(library.create_download_url(blob, expires_in=60)) as r:
        data = list(r.read())
    intellectible = DatabaseClient()
    isola.db.create_database("sdkdb")
    intellectible.create_table("sdkdb", "runs")
    intellectible.create_column("sdkdb", "runs", "score", "number")
    intellectible.insert_rows("sdkdb", "runs", [{"score": 1.5}])
    listed = {"root": [f["name"] for f in library.list_files()], "reports": library.list_dirs(), "y2024": [[f["name"], f["dir"], f["mimeType"], f["size"]] for f in library.list_files("reports/2024")]}
    library.delete_file(blob)
    return {"meta": [meta["name"], meta["path"], meta["dir"], meta["mimeType"]], "text": text, "bytes": data, "listed": listed, "after": len(library.list_files()),
            "tables": intellectible.list_tables("sdkdb"), "dbs": [[d["id"], d["name"]] for d in intellectible.list_databases()], "rows": isola.db.query("sdkdb", "SELECT score FROM runs")["rows"]}
`;

describe.each([
  { name: 'JavaScript in QuickJS', language: 'javascript', code: JS },
  { name: 'JavaScript in the native lane (ES module import of isola)', language: 'javascript', runtime: 'native', code: JS },
  { name: 'Python in CPython on WASI', language: 'python', code: PY },
  { name: 'Python in the native lane', language: 'python', runtime: 'native', code: PY },
] as const)('the library from guest code: $name', (lane) => {
  const get = useGuestService(lane.language === 'javascript' && !('runtime' in lane) ? { quickjs: 1, cpython: 0, native: 0 } : 'runtime' in lane ? { quickjs: 0, cpython: 0, native: 1 } : { quickjs: 0, cpython: 1, native: 0 });
  let service: GuestService;
  beforeAll(() => {
    service = get();
  });

  it('uploads, lists, reads through a download URL, deletes; Intellectible database signatures', async () => {
    const project = await service.newProject('sdk');
    const res = await service.execute(project.api_key, { language: lane.language, ...('runtime' in lane ? { runtime: lane.runtime } : {}), code: lane.code });
    expect(res.error, res.stderr).toBeNull();
    expect(res.output).toEqual({
      meta: ['q1.csv', 'reports/2024/q1.csv', 'reports/2024', 'text/csv'],
      text: 'a,b\n1,2\n',
      bytes: [0, 255, 7],
      listed: { root: ['blob.bin'], reports: [{ name: 'reports', path: 'reports' }], y2024: [['q1.csv', 'reports/2024', 'text/csv', 8]] },
      after: 0,
      tables: ['runs'],
      dbs: [['sdkdb', 'sdkdb']],
      rows: [{ score: 1.5 }],
    });
    // What the code stored is the project's, over HTTP with its key.
    const listing = (await (await fetch(`${service.server.address}/v1/library/files`, { headers: { authorization: `Bearer ${project.api_key}` } })).json()) as { files: { name: string }[] };
    expect(listing.files.map((f) => f.name)).toEqual(['reports/2024/q1.csv']);
  }, 120_000);
});

describe('a library file larger than a guest may receive', () => {
  const get = useGuestService({ quickjs: 1, cpython: 0, native: 0 });

  it('is refused with 413 before it is read, by URL and through the gateway; from outside the URL still reads it', async () => {
    const service = get();
    const project = await service.newProject('big');
    const big = await service.upload(project.api_key, 'big.bin', 'x'.repeat(10 * 1024 * 1024 + 1), 'application/octet-stream');
    const code = `import { library } from 'isola';
export default async function main() {
  const url = await library.createDownloadUrl(${JSON.stringify(big.id)});
  const byUrl = await fetch(url);
  const raw = await fetch('http://isola.internal/v1/library/files/${big.id}/content');
  return { url, byUrl: [byUrl.status, (await byUrl.json()).error.code], raw: [raw.status, (await raw.json()).error.issues[0].field] };
}`;
    const res = await service.execute(project.api_key, { language: 'javascript', code });
    expect(res.error, res.stderr).toBeNull();
    const out = res.output as { url: string; byUrl: unknown; raw: unknown };
    expect(out.byUrl).toEqual([413, 'payload_too_large']);
    expect(out.raw).toEqual([413, '(response)']);
    const outside = await fetch(out.url);
    expect(outside.status).toBe(200);
    expect((await outside.arrayBuffer()).byteLength).toBe(10 * 1024 * 1024 + 1);
  }, 120_000);
});
