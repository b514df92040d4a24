// Attack: signed download URLs. From outside (no key) and from guest code (no allow-list), an attacker
// alters a URL's token (payload, signature, another project's file id), signs with another key, replays
// an expired one, or uses the download origin's in-process path to reach any other route or host. Every
// attempt is refused; only an intact, unexpired URL reads its one file.
import { request as httpRequest } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOWNLOAD_PATH_PREFIX, DownloadUrls } from '../../src/library/download-urls.js';
import { type GuestService, SIGNING_KEY, useGuestService } from '../library/guest-service.js';

const SECRET = 'account,balance\nvictim,1000000\n';

/** Sends the path exactly as written (fetch would normalise `..`). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const tokenOf = (url: string) => url.slice(url.indexOf(DOWNLOAD_PATH_PREFIX) + DOWNLOAD_PATH_PREFIX.length);
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as [string, string, number];
const withPayload = (token: string, payload: unknown) => `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${token.split('.')[1]}`;

describe('attack: forging, altering and abusing signed download URLs', () => {
  const get = useGuestService({ quickjs: 1, cpython: 1, native: 1 });
  let service: GuestService;
  let victim: { id: string; api_key: string };
  let attacker: { id: string; api_key: string };
  let victimFile: { id: string };
  let attackerFile: { id: string };
  let url: string;

  const signedUrl = async (key: string, fileId: string) => {
    const res = await fetch(`${service.server.address}/v1/library/files/${fileId}/download-url`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as { url: string; expires_at: string; error?: { code: string } } };
  };

  beforeAll(async () => {
    service = get();
    victim = await service.newProject('victim');
    attacker = await service.newProject('attacker');
    victimFile = await service.upload(victim.api_key, 'secret.csv', SECRET);
    attackerFile = await service.upload(attacker.api_key, 'mine.csv', 'attacker,1\n');
    const made = await signedUrl(victim.api_key, victimFile.id);
    expect(made.status).toBe(200);
    url = made.body.url;
  });

  it('an intact URL reads its file from outside with no key, as a private, uncached attachment', async () => {
    expect(url.startsWith(`${service.server.address}${DOWNLOAD_PATH_PREFIX}`)).toBe(true);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(SECRET);
    expect(res.headers.get('content-type')).toBe('text/csv');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('content-disposition')).toContain('attachment');
  });

  it('/openapi.json shows both routes: signing needs the project key, reading needs none', async () => {
    const doc = (await (await fetch(`${service.server.address}/openapi.json`)).json()) as { paths: Record<string, Record<string, { security: unknown; responses: Record<string, unknown> }>> };
    expect(doc.paths['/v1/library/files/{id}/download-url']?.['post']?.security).toEqual([{ projectKey: [] }]);
    const read = doc.paths['/v1/library/download/{token}']?.['get'];
    expect(read?.security).toEqual([]);
    expect(Object.keys(read?.responses ?? {}).sort()).toEqual(['200', '403', '404', '410']);
    expect((await fetch(`${service.server.address}/v1/library/files/${victimFile.id}/download-url`, { method: 'POST' })).status).toBe(401);
  });

  it("the attacker cannot get a URL for the victim's file id", async () => {
    const made = await signedUrl(attacker.api_key, victimFile.id);
    expect(made.status).toBe(404);
    expect(made.body.error?.code).toBe('not_found');
  });

  it('an altered token is 403 download_url_invalid: swapped file id, project or expiry, flipped signature, truncation', async () => {
    const token = tokenOf(url);
    const [project, file, expires] = payloadOf(token);
    const ownToken = tokenOf((await signedUrl(attacker.api_key, attackerFile.id)).body.url);
    const [ownProject, ownFile, ownExpires] = payloadOf(ownToken);
    const signature = token.split('.')[1] ?? '';
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const forged = [
      // The attacker's own, valid signature over a payload naming the victim's file or project.
      withPayload(ownToken, [ownProject, file, ownExpires]),
      withPayload(ownToken, [project, ownFile, ownExpires]),
      withPayload(ownToken, [project, file, ownExpires]),
      // The victim's signature with a longer life, or another file.
      withPayload(token, [project, file, expires + 3600]),
      withPayload(token, [project, ownFile, expires]),
      `${token.split('.')[0]}.${flipped}`,
      token.slice(0, -1),
      `${token}A`,
      token.split('.')[0] ?? '',
      `${token.split('.')[0]}.`,
      'x'.repeat(600),
    ];
    for (const bad of forged) {
      const res = await rawGet(service.server.address, `${DOWNLOAD_PATH_PREFIX}${bad}`);
      expect(res.status, bad).toBe(403);
      expect(JSON.parse(res.body).error.code, bad).toBe('download_url_invalid');
      expect(res.body).not.toContain('victim,1000000');
    }
  });

  it('a URL signed with another key is refused; one signed by another node sharing the key works', async () => {
    const base = service.server.address;
    const [project, file] = payloadOf(tokenOf(url));
    const stranger = new DownloadUrls({ key: 'a-different-key-that-no-node-of-this-cluster-has', baseUrl: base }).sign(project, file);
    const refused = await fetch(stranger.url);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('download_url_invalid');
    const sibling = new DownloadUrls({ key: SIGNING_KEY, baseUrl: base }).sign(project, file);
    const read = await fetch(sibling.url);
    expect(read.status).toBe(200);
    expect(await read.text()).toBe(SECRET);
  });

  it('an expired URL is 410 download_url_expired, even though its signature is good', async () => {
    const [project, file] = payloadOf(tokenOf(url));
    const yesterday = Date.now() - 24 * 3600 * 1000;
    const old = new DownloadUrls({ key: SIGNING_KEY, baseUrl: service.server.address, now: () => yesterday }).sign(project, file, 60);
    const res = await fetch(old.url);
    expect(res.status).toBe(410);
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe('download_url_expired');
  });

  it('path tricks on the download route reach no other route of the service', async () => {
    const token = tokenOf(url);
    for (const path of [
      `${DOWNLOAD_PATH_PREFIX}../admin/projects`,
      `${DOWNLOAD_PATH_PREFIX}..%2f..%2fadmin%2fprojects`,
      `${DOWNLOAD_PATH_PREFIX}${token}/../../files`,
      `${DOWNLOAD_PATH_PREFIX}%2e%2e/%2e%2e/admin/projects`,
    ]) {
      const res = await rawGet(service.server.address, path);
      expect(res.status, path).not.toBe(200);
      expect(res.body, path).not.toContain('"projects"');
      expect(res.body, path).not.toContain('victim,1000000');
    }
  });

  it('a deleted file is 404 through a URL that was valid', async () => {
    const doomed = await service.upload(victim.api_key, 'doomed.csv', 'x,y\n');
    const made = await signedUrl(victim.api_key, doomed.id);
    const removed = await fetch(`${service.server.address}/v1/library/files/${doomed.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${victim.api_key}` } });
    expect(removed.status).toBe(204);
    expect((await fetch(made.body.url)).status).toBe(404);
  });

  describe.each([
    ['JavaScript (QuickJS)', 'javascript', undefined],
    ['Python (CPython on WASI)', 'python', undefined],
    // Node's fetch sends CONNECT even for http: the proxy reads the requests inside that tunnel itself.
    ['JavaScript (native lane, through the egress proxy)', 'javascript', 'native'],
    ['Python (native lane, through the egress proxy)', 'python', 'native'],
  ] as const)('from guest code in %s, with no allow-list', (_name, language, runtime) => {
    const run = (code: string) => service.execute(attacker.api_key, { language, ...(runtime ? { runtime } : {}), code });
    // A Wasm lane's fetch fails; through the native lane's proxy a refusal is the proxy's own 403.
    const refused = (status: number | string, body: string) => status === 'error' || (runtime === 'native' && status === 403 && body.startsWith('isola egress: denied'));
    // Each probe: what the guest fetched, and the status it saw (or the name of the error it got).
    const probe = (targets: string[]) =>
      language === 'javascript'
        ? `export default async function main() {
  const out = [];
  for (const target of ${JSON.stringify(targets)}) {
    try { const res = await fetch(target, { redirect: 'manual' }); out.push([target, res.status, (await res.text()).slice(0, 200)]); }
    catch (error) { out.push([target, 'error', String(error && error.message).slice(0, 200)]); }
  }
  return out;
}`
        : `import urllib.request, urllib.error
def main():
    out = []
    for target in ${JSON.stringify(targets)}:
        try:
            with urllib.request.urlopen(target, timeout=5) as res:
                out.append([target, res.status, res.read(200).decode("utf-8", "replace")])
        except urllib.error.HTTPError as error:
            out.append([target, error.code, error.read(200).decode("utf-8", "replace")])
        except Exception as error:
            out.append([target, "error", str(error)[:200]])
    return out
`;

    it('reads an intact URL, and a forged or expired one is refused with its typed status', async () => {
      const [project, file] = payloadOf(tokenOf(url));
      const expired = new DownloadUrls({ key: SIGNING_KEY, baseUrl: service.server.address, now: () => Date.now() - 7200_000 }).sign(project, file, 60).url;
      const forged = `${service.server.address}${DOWNLOAD_PATH_PREFIX}${withPayload(tokenOf(url), [attacker.id, attackerFile.id, payloadOf(tokenOf(url))[2]])}`;
      const res = await run(probe([url, expired, forged]));
      expect(res.error, res.stderr).toBeNull();
      const [good, old, bad] = res.output as [string, number | string, string][];
      expect(good?.[1]).toBe(200);
      expect(good?.[2]).toBe(SECRET);
      expect(old?.[1]).toBe(410);
      expect(bad?.[1]).toBe(403);
    }, 60_000);

    it('the download origin opens no other route, no variant of the URL and no other host', async () => {
      const base = service.server.address;
      const { port } = new URL(base);
      const token = tokenOf(url);
      const targets = [
        `${base}/v1/library/files`,
        `${base}/v1/admin/projects`,
        `${base}/v1/execute`,
        `${base}/healthz`,
        `${base}${DOWNLOAD_PATH_PREFIX}../admin/projects`,
        `${base}${DOWNLOAD_PATH_PREFIX}${token}/../../files`,
        `${base}${DOWNLOAD_PATH_PREFIX}%2e%2e/%2e%2e/admin/projects`,
        `${base}${DOWNLOAD_PATH_PREFIX}${token}?then=/v1/admin/projects`,
        `${base}${DOWNLOAD_PATH_PREFIX}${token}/extra`,
        `http://localhost:${port}${DOWNLOAD_PATH_PREFIX}${token}`,
        `http://127.0.0.1:${Number(port) + 1}${DOWNLOAD_PATH_PREFIX}${token}`,
        `https://127.0.0.1:${port}${DOWNLOAD_PATH_PREFIX}${token}`,
        `http://example.com${DOWNLOAD_PATH_PREFIX}${token}`,
      ];
      const res = await run(probe(targets));
      expect(res.error, res.stderr).toBeNull();
      for (const [target, status, body] of res.output as [string, number | string, string][]) {
        expect(refused(status, body), `${target}: ${status} ${body}`).toBe(true);
        expect(body).not.toContain('victim,1000000');
      }
    }, 60_000);
  });
});
