// Attack: guest code of one project goes after another project's library files through the guest SDK
// (LibraryClient) and the raw gateway: listing, reading metadata, asking for a download URL, deleting,
// overwriting by name, guessed ids, and a forged project header. Every attempt fails, in every lane, and
// the victim's file stays byte for byte what it uploaded.
import { beforeAll, describe, expect, it } from 'vitest';
import { type GuestService, useGuestService } from '../library/guest-service.js';

const SECRET = 'account,balance\nvictim,1000000\n';

const JS = (victimId: string, guessed: string[]) => `const { LibraryClient } = require('@intellectible/execution-sdk');
export default async function main() {
  const library = new LibraryClient();
  const attempt = async (fn) => { try { return ['ok', await fn()]; } catch (error) { return ['refused', error.status, error.code]; } };
  const headers = { 'x-isola-gateway-project': 'ignored', authorization: 'Bearer not-a-key' };
  return {
    listed: (await library.listFiles()).map((f) => f.path),
    dirs: await library.listDirs(),
    get: await attempt(() => library.getFile(${JSON.stringify(victimId)})),
    url: await attempt(() => library.createDownloadUrl(${JSON.stringify(victimId)})),
    del: await attempt(() => library.deleteFile(${JSON.stringify(victimId)})),
    guessed: await Promise.all(${JSON.stringify(guessed)}.map((id) => attempt(() => library.getFile(id)))),
    overwrite: await attempt(() => library.uploadFile('secret.csv', 'csv', 'account,balance\\nattacker,0\\n', 'reports')),
    overwriteRoot: await attempt(() => library.uploadFile('secret.csv', 'text/csv', 'account,balance\\nattacker,0\\n')),
    raw: (await fetch('http://isola.internal/v1/library/files/${victimId}/content', { headers })).status,
  };
}`;

const PY = (victimId: string, guessed: string[]) => `import urllib.request, urllib.error
from intellectible_execution import LibraryClient, ProjectDataError

def attempt(fn):
    try:
        return ["ok", fn()]
    except ProjectDataError as error:
        return ["refused", error.status, error.code]

def main():
    library = LibraryClient()
    request = urllib.request.Request("http://isola.internal/v1/library/files/${victimId}/content", headers={"x-isola-gateway-project": "ignored", "authorization": "Bearer not-a-key"})
    try:
        raw = urllib.request.urlopen(request, timeout=5).status
    except urllib.error.HTTPError as error:
        raw = error.code
    return {
        "listed": [f["path"] for f in library.list_files()],
        "dirs": library.list_dirs(),
        "get": attempt(lambda: library.get_file("${victimId}")),
        "url": attempt(lambda: library.create_download_url("${victimId}")),
        "del": attempt(lambda: library.delete_file("${victimId}")),
        "guessed": [attempt(lambda i=i: library.get_file(i)) for i in ${JSON.stringify(guessed)}],
        "overwrite": attempt(lambda: library.upload_file("secret.csv", "csv", "account,balance\\nattacker,0\\n", "reports")),
        "overwriteRoot": attempt(lambda: library.upload_file("secret.csv", "text/csv", b"account,balance\\nattacker,0\\n")),
        "raw": raw,
    }
`;

describe('attack: one project reaching another project’s library from guest code', () => {
  const get = useGuestService();
  let service: GuestService;
  let victim: { id: string; api_key: string };
  let victimFile: { id: string };

  beforeAll(async () => {
    service = get();
    victim = await service.newProject('victim');
    victimFile = await service.upload(victim.api_key, 'secret.csv', SECRET);
  });

  const victimStillHas = async () => {
    const back = await fetch(`${service.server.address}/v1/library/files/${victimFile.id}/content`, { headers: { authorization: `Bearer ${victim.api_key}` } });
    expect(back.status).toBe(200);
    expect(await back.text()).toBe(SECRET);
    const listing = (await (await fetch(`${service.server.address}/v1/library/files`, { headers: { authorization: `Bearer ${victim.api_key}` } })).json()) as { files: { name: string }[] };
    expect(listing.files.map((f) => f.name)).toEqual(['secret.csv']);
  };

  describe.each([
    { name: 'JavaScript in QuickJS', language: 'javascript', code: JS },
    { name: 'Python in CPython on WASI', language: 'python', code: PY },
    { name: 'Python in the native lane', language: 'python', runtime: 'native', code: PY },
  ] as const)('$name', (lane) => {
    it("sees none of the victim's files and reads, signs, deletes and overwrites none of them", async () => {
      const attacker = await service.newProject(`attacker-${lane.name}`);
      // A guessed id of the right shape, the victim's id with one digit changed, and shapes that are not ids.
      const near = `${victimFile.id.slice(0, -1)}${victimFile.id.endsWith('0') ? '1' : '0'}`;
      const guessed = [`file_${'0'.repeat(32)}`, near, `../${victim.id}/${victimFile.id}`, victim.id, '%2e%2e%2f'];
      const res = await service.execute(attacker.api_key, { language: lane.language, ...('runtime' in lane ? { runtime: lane.runtime } : {}), code: lane.code(victimFile.id, guessed) });
      expect(res.error, res.stderr).toBeNull();
      const out = res.output as Record<string, unknown>;
      const refused404 = ['refused', 404, 'not_found'];
      expect(out['listed']).toEqual([]);
      expect(out['dirs']).toEqual([]);
      expect(out['get']).toEqual(refused404);
      expect(out['url']).toEqual(refused404);
      expect(out['del']).toEqual(refused404);
      expect(out['guessed']).toEqual(guessed.map(() => refused404));
      // An upload under the victim's name lands in the attacker's own library.
      expect((out['overwrite'] as unknown[])[0]).toBe('ok');
      expect((out['overwriteRoot'] as unknown[])[0]).toBe('ok');
      expect(out['raw']).toBe(404);
      await victimStillHas();
      const own = (await (await fetch(`${service.server.address}/v1/library/files`, { headers: { authorization: `Bearer ${attacker.api_key}` } })).json()) as { files: { name: string }[] };
      expect(own.files.map((f) => f.name).sort()).toEqual(['reports/secret.csv', 'secret.csv']);
    }, 60_000);
  });
});
