// The playground page in a real headless Chromium (Debian's chromium, driven by playwright-core) against a
// real service: run JavaScript, run Python with inputs, a timeout, a 400 for inputs that are not an
// object, a page error for inputs that are not JSON, and a shared link that restores the request.
// Screenshots land in test-results/playground/ for review.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/server/serve.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const SHOTS = fileURLToPath(new URL('../../test-results/playground/', import.meta.url));

let server: RunningServer;
let browser: Browser;
let base: string;

beforeAll(async () => {
  if (CHROMIUM === undefined) throw new Error('no Chromium: install Debian\'s chromium (.ci/run does) or set CHROMIUM_PATH');
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer({ port: 0, handleSignals: false, logger: pino({ level: 'silent' }), engineOptions: { workers: { quickjs: 1, cpython: 1, native: 0 } } });
  base = server.address;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.shutdown();
});

async function setEditor(page: Page, id: string, text: string): Promise<void> {
  await page.click(`#${id} .cm-content`);
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  // insertText types no keys, so auto-indent and bracket closing leave the text as it is.
  await page.keyboard.insertText(text);
}

async function runAndWait(page: Page): Promise<string> {
  await page.click('#run');
  return runAndWaitOnly(page);
}

/** Waits for the run already started to end; returns the status line. */
async function runAndWaitOnly(page: Page): Promise<string> {
  await page.waitForFunction(() => {
    const state = document.getElementById('status')?.dataset['state'];
    return state !== undefined && state !== 'running' && state !== 'idle';
  });
  return (await page.textContent('#status')) ?? '';
}

describe('GET /playground in Chromium', () => {
  it('runs JavaScript and Python with inputs, shows a timeout and refusals, and shares a link', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      // The 400 this test provokes is logged by the browser as a failed resource; nothing else may be.
      if (message.type() === 'error' && !message.text().includes('status of 400')) errors.push(message.text());
    });
    const response = await page.goto(`${base}/playground`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    await page.selectOption('#language', 'javascript');
    expect(await page.textContent('#code .cm-content')).toContain('running in QuickJS');
    expect(await runAndWait(page)).toMatch(/completed .* \(quickjs lane, on the service\)/);
    expect(JSON.parse((await page.textContent('#output')) ?? 'null')).toEqual({ greeting: 'hello world' });
    expect(await page.textContent('#stdout')).toContain('running in QuickJS');
    await page.screenshot({ path: join(SHOTS, '1-javascript.png'), fullPage: true });

    await page.selectOption('#language', 'python');
    await setEditor(page, 'inputs', '{"name": "Ada"}');
    expect(await runAndWait(page)).toMatch(/completed .* \(cpython lane, on the service\)/);
    expect(JSON.parse((await page.textContent('#output')) ?? 'null')).toEqual({ greeting: 'hello Ada' });
    await page.screenshot({ path: join(SHOTS, '2-python-inputs.png'), fullPage: true });

    // Live output: the first line shows while the run is still going.
    await setEditor(page, 'code', 'import time\nprint("first", flush=True)\ntime.sleep(1.5)\nprint("second")\n');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('stdout')?.textContent?.includes('first') && document.getElementById('status')?.dataset['state'] === 'running');
    expect(await runAndWaitOnly(page)).toMatch(/completed/);
    expect(await page.textContent('#stdout')).toBe('first\nsecond\n');

    await setEditor(page, 'code', 'while True:\n    pass\n');
    await page.fill('#timeout', '300');
    expect(await runAndWait(page)).toMatch(/timeout/);
    expect(await page.getAttribute('#status', 'data-state')).toBe('failed');
    await page.screenshot({ path: join(SHOTS, '3-timeout.png'), fullPage: true });

    await setEditor(page, 'inputs', '[1, 2]');
    expect(await runAndWait(page)).toMatch(/^HTTP 400 invalid_request: .*inputs/);
    await page.screenshot({ path: join(SHOTS, '4-bad-inputs-400.png'), fullPage: true });

    await setEditor(page, 'inputs', '{"name": ');
    await page.click('#run');
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('not valid JSON'));

    await setEditor(page, 'code', 'def main(name):\n    return {"shared": name}\n');
    await setEditor(page, 'inputs', '{"name": "link"}');
    // The link carries every field; a generous timeout, so a loaded machine cannot fail the shared run.
    await page.fill('#timeout', '5000');
    await page.click('#share');
    const link = await page.inputValue('#share-link');
    expect(link).toMatch(/\/playground#r=[A-Za-z0-9_-]+$/);

    // "Run in this browser": isola/edge in a Web Worker of the page; Python is refused as on a service without it.
    await page.check('#local');
    expect(await runAndWait(page)).toMatch(/^HTTP 422 unsupported: .*cpython/);
    await page.selectOption('#language', 'javascript');
    await setEditor(page, 'code', 'function main({ name }) { return { local: name, ua: typeof navigator } }');
    expect(await runAndWait(page)).toMatch(/completed .* \(quickjs lane, in this browser\)/);
    expect(JSON.parse((await page.textContent('#output')) ?? 'null')).toEqual({ local: 'link', ua: 'undefined' });
    await page.screenshot({ path: join(SHOTS, '5-run-in-browser.png'), fullPage: true });

    const shared = await browser.newPage();
    await shared.goto(link);
    expect(await shared.textContent('#code .cm-content')).toContain('"shared": name');
    expect(await shared.inputValue('#timeout')).toBe('5000');
    expect(await runAndWait(shared)).toMatch(/completed/);
    expect(JSON.parse((await shared.textContent('#output')) ?? 'null')).toEqual({ shared: 'link' });
    await shared.screenshot({ path: join(SHOTS, '6-shared-link.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);
});
