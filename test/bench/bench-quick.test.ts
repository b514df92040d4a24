import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../../bench/cli.js';
import type { BenchResult } from '../../bench/report/write.js';
import { quantile, summarize } from '../../bench/stats.js';

describe('isola bench --quick plumbing', () => {
  let outDir: string;
  beforeAll(async () => {
    outDir = await mkdtemp(join(os.tmpdir(), 'isola-bench-test-'));
  });
  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('runs selected scenarios and subjects and writes JSON and SVG results', async () => {
    const code = await runBench(['--quick', '--only', 'warm,deadline', '--subject', 'node:vm,python3', '--iterations', '2', '--out', outDir]);
    expect(code).toBe(0);

    const result = JSON.parse(await readFile(join(outDir, 'latest.json'), 'utf8')) as BenchResult;
    expect(result.format).toBe('isola-bench/1');
    expect(result.quick).toBe(true);
    expect(result.machine.cores).toBeGreaterThan(0);
    expect(result.machine.node).toBe(process.version);
    expect(result.measurements.map((m) => `${m.scenario}/${m.subject}`).sort()).toEqual([
      'deadline/node:vm',
      'deadline/python3',
      'warm/node:vm',
      'warm/python3',
    ]);
    for (const m of result.measurements) {
      expect(m.status).toBe('ok');
      expect(m.samples).toHaveLength(2);
      expect(m.stats?.n).toBe(2);
      expect(m.stats?.median).toBeGreaterThanOrEqual(0);
      expect(m.stats?.p95).toBeGreaterThanOrEqual(m.stats?.median ?? Infinity);
    }
    // A deadline overshoot is measured past the 100 ms deadline, never the whole run.
    const deadline = result.measurements.find((m) => m.scenario === 'deadline' && m.subject === 'node:vm');
    expect(deadline?.stats?.max).toBeLessThan(1000);

    const svg = await readFile(join(outDir, 'latest.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('node:vm');
    const markdown = await readFile(join(outDir, 'latest.md'), 'utf8');
    expect(markdown).toMatch(/\| scenario +\| lang +\| variant +\| isola \(median\)/);
    expect(markdown).toContain(`${process.version}`);
    const stamped = await readFile(join(outDir, `${result.started_at.replace(/[:.]/g, '-')}.json`), 'utf8');
    expect(JSON.parse(stamped)).toEqual(result);
  }, 60_000);

  it('measures Isola through its library in a child process, or says why a lane is unavailable', async () => {
    const dir = await mkdtemp(join(os.tmpdir(), 'isola-bench-test-'));
    try {
      const code = await runBench(['--quick', '--only', 'warm', '--subject', 'isola,quickjs-raw', '--lang', 'js', '--iterations', '2', '--out', dir]);
      const result = JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')) as BenchResult;
      const js = result.measurements.find((m) => m.subject === 'isola' && m.variant === '');
      expect(js).toMatchObject({ language: 'javascript', status: 'ok', target: { op: '<=', value: 2 } });
      expect(js?.samples).toHaveLength(2);
      expect(new Set(result.measurements.map((m) => m.language))).toEqual(new Set(['javascript']));
      // The peer row carries Isola's median over its own.
      const peer = result.measurements.find((m) => m.subject === 'quickjs-raw');
      expect(peer?.status).toBe('ok');
      expect(peer?.isola_ratio).toBeCloseTo((js?.stats?.median ?? NaN) / (peer?.stats?.median ?? NaN), 6);
      for (const m of result.measurements.filter((row) => row.subject === 'isola')) {
        // Every Isola row is measured or skipped with a reason; none fails.
        expect(m.status === 'ok' || (m.status === 'skipped' && /unavailable|unsupported/.test(m.note ?? ''))).toBe(true);
      }
      expect(code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('runs the in-process peers isolated-vm and @sebastianwessel/quickjs, answers checked', async () => {
    const dir = join(outDir, 'peers');
    const code = await runBench(['--quick', '--only', 'warm,deadline', '--subject', 'isolated-vm,quickjs-sandbox', '--iterations', '2', '--out', dir]);
    expect(code).toBe(0);
    const result = JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')) as BenchResult;
    expect(result.measurements.map((m) => `${m.scenario}/${m.language}/${m.subject}/${m.status}`).sort()).toEqual([
      'deadline/javascript/isolated-vm/ok',
      'warm/javascript/isolated-vm/ok',
      'warm/javascript/quickjs-sandbox/ok',
    ]);
  }, 120_000);

  it('rejects an unknown scenario with exit code 2 and writes nothing', async () => {
    const dir = await mkdtemp(join(os.tmpdir(), 'isola-bench-test-'));
    try {
      expect(await runBench(['--only', 'no-such-scenario', '--out', dir])).toBe(2);
      await expect(readFile(join(dir, 'latest.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('bench statistics', () => {
  it('interpolates quantiles between closest ranks', () => {
    const sorted = [10, 20, 30, 40];
    expect(quantile(sorted, 0)).toBe(10);
    expect(quantile(sorted, 0.5)).toBe(25);
    expect(quantile(sorted, 1)).toBe(40);
    expect(quantile(sorted, 0.95)).toBeCloseTo(38.5);
  });

  it('summarises an unsorted sample and ignores non-finite values', () => {
    const stats = summarize([5, Number.NaN, 1, 3, 2, 4]);
    expect(stats).toMatchObject({ n: 5, median: 3, min: 1, max: 5, q1: 2, q3: 4, mean: 3 });
    expect(summarize([])).toBeNull();
  });
});

describe('bench load generator', () => {
  it('counts only correct answers as throughput, whatever the HTTP status says', async () => {
    const { createServer } = await import('node:http');
    const { loadTest } = await import('../../bench/load.js');
    let n = 0;
    // Every other answer is a 200 with the wrong body, as a service answering error envelopes would give.
    const server = createServer((_req, res) => {
      n++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(n % 2 === 0 ? '{"output":{"greeting":"hello world"}}' : '{"status":"error"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as import('node:net').AddressInfo;
      const result = await loadTest(`http://127.0.0.1:${port}/`, {}, 2, 1, (body) => body.includes('"greeting":"hello world"'));
      expect(n).toBeGreaterThan(10);
      expect(result.failures).toBeGreaterThan(0);
      // Half the answers were wrong; over a window of at least 1 s the rate counts about half of them.
      expect(result.execPerSec).toBeLessThan(n * 0.75);
      expect(result.execPerSec).toBeGreaterThan(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
