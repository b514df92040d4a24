/**
 * Guest HTTP in the Pyodide lane: requests, urllib.request and pyodide.http go through the host's
 * egress bridge (here the harness's echo stand-in), under the running job's id, without touching the
 * JavaScript FFI (the instance is reset in place, not replaced).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPyodide, type PyodideHarness } from './harness.js';

let py: PyodideHarness;
beforeAll(async () => {
  py = await startPyodide();
});
afterAll(async () => {
  await py?.close();
});

describe('guest egress', () => {
  it('sends requests calls with params, headers and JSON bodies, and reads the response', async () => {
    const code = [
      'import requests',
      '',
      'def main():',
      '    r = requests.get("https://api.example/items", params={"q": "a b", "n": 2}, headers={"X-Key": "k"}, timeout=5)',
      '    p = requests.post("https://api.example/items", json={"name": "Zoë"})',
      '    return {"status": r.status_code, "ok": r.ok, "echo": r.json(), "type": r.headers["content-type"],',
      '            "posted": p.json()["body"], "ctype": dict(p.json()["headers"]).get("Content-Type"), "enc": r.encoding}',
    ].join('\n');
    const result = await py.run({ code, id: 'job-egress-1' });
    expect(result.failure, result.failure?.traceback).toBeUndefined();
    const out = JSON.parse(result.returnJson!);
    expect(out.status).toBe(200);
    expect(out.ok).toBe(true);
    expect(out.echo).toMatchObject({ jobId: 'job-egress-1', method: 'GET', url: 'https://api.example/items?q=a+b&n=2', timeoutMs: 5000 });
    expect(out.echo.headers).toContainEqual(['X-Key', 'k']);
    expect(out.type).toBe('application/json; charset=utf-8');
    expect(out.enc).toBe('utf-8');
    expect(JSON.parse(out.posted)).toEqual({ name: 'Zoë' });
    expect(out.ctype).toBe('application/json');
  });

  it('raises the requests exceptions for HTTP errors, refused hosts and timeouts', async () => {
    const code = [
      'import requests',
      'out = []',
      'try:',
      '    requests.get("https://api.example/status/404").raise_for_status()',
      'except requests.HTTPError as e:',
      '    out.append(("http", e.response.status_code))',
      'try:',
      '    requests.get("https://denied.example/")',
      'except requests.ConnectionError as e:',
      '    out.append(("denied", str(e)))',
      'try:',
      '    requests.get("https://slow.example/")',
      'except requests.exceptions.Timeout as e:',
      '    out.append(("timeout", str(e)))',
      'print(out)',
    ].join('\n');
    const result = await py.run({ code });
    expect(result.failure, result.failure?.traceback).toBeUndefined();
    expect(result.stdout).toBe("[('http', 404), ('denied', 'denied.example is not in allow_hosts'), ('timeout', 'slow.example did not answer in time')]\n");
  });

  it('serves urllib.request.urlopen, HTTPError included', async () => {
    const code = [
      'import json, urllib.request, urllib.error',
      'req = urllib.request.Request("https://api.example/u", data=b"raw", headers={"A": "1"}, method="PUT")',
      'with urllib.request.urlopen(req, timeout=3) as resp:',
      '    echo = json.loads(resp.read())',
      '    print(resp.status, resp.headers["X-Echo"], echo["method"], echo["body"], echo["timeoutMs"])',
      'try:',
      '    urllib.request.urlopen("https://api.example/status/500")',
      'except urllib.error.HTTPError as e:',
      '    print("HTTPError", e.code)',
      'try:',
      '    urllib.request.urlopen("https://denied.example/")',
      'except urllib.error.URLError as e:',
      '    print("URLError", e.reason)',
    ].join('\n');
    const result = await py.run({ code });
    expect(result.failure, result.failure?.traceback).toBeUndefined();
    expect(result.stdout).toBe('200 yes PUT raw 3000\nHTTPError 500\nURLError denied.example is not in allow_hosts\n');
  });

  it('serves pyodide.http.pyfetch in async code and open_url', async () => {
    const code = [
      'from pyodide.http import pyfetch, open_url',
      '',
      'async def main():',
      '    r = await pyfetch("https://api.example/f", method="POST", body="x=1", headers={"B": "2"})',
      '    data = await r.json()',
      '    return [r.status, r.ok, data["method"], data["body"], open_url("https://api.example/o").read()[:1]]',
    ].join('\n');
    const result = await py.run({ code });
    expect(result.failure, result.failure?.traceback).toBeUndefined();
    expect(JSON.parse(result.returnJson!)).toEqual([200, true, 'POST', 'x=1', '{']);
  });

  it('resets the instance in place after guest HTTP (no FFI involved)', async () => {
    const before = (await py.describe())['rebuilds'];
    await py.run({ code: 'import requests\nrequests.get("https://api.example/")' });
    await py.recycled();
    expect((await py.describe())['rebuilds']).toBe(before);
  });
});
