/**
 * Throughput over HTTP: hello world POSTed by autocannon at concurrency 1, 2, 8 and 32 to Isola's
 * service and to a plain node:http server wrapping each peer, both in child processes on 127.0.0.1.
 */
import { childScriptArgs, repoRoot, startServiceChild, type ServiceChild } from '../process.js';
import { emptyStore } from '../isola/jobs.js';
import { loadTest } from '../load.js';
import { rowMaker, SkipMeasurement } from '../measure.js';
import { ISOLA, type BenchLanguage, type Scenario } from '../model.js';
import { EXPECTED_GREETING, HELLO, HELLO_INPUTS, checkHelloValue } from '../workloads.js';

/** What a correct answer contains, checked on every response under load (cheaper than JSON.parse). */
const GREETING_JSON = JSON.stringify({ greeting: EXPECTED_GREETING }).slice(1, -1);

export const CONCURRENCY = [1, 2, 8, 32] as const;

interface IsolaInfo {
  port?: number;
  skip?: string;
  unavailable?: Record<string, string | null>;
}

const PEERS: readonly [BenchLanguage, string][] = [
  ['javascript', 'quickjs-raw'],
  ['javascript', 'node:vm'],
  ['javascript', 'isolated-vm'],
  ['python', 'python3'],
  ['python', 'bwrap+python3'],
];

async function checkEndpoint(url: string, body: object, pick: (json: unknown) => unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(json).slice(0, 300)}`);
  checkHelloValue(url, pick(json));
}

export const throughput: Scenario = {
  id: 'throughput',
  title: 'Throughput over HTTP (autocannon)',
  async run(ctx, record) {
    const row = rowMaker(ctx, record);
    const reps = ctx.reps(1, 3);
    const seconds = ctx.options.quick ? 1 : 5;

    /** `unavailable` skips the rows (lane or peer cannot run here); `broken` fails them (a bug). */
    async function measureLevels(
      language: BenchLanguage,
      subject: string,
      url: string,
      body: object,
      blocked: { unavailable?: string | undefined; broken?: string | undefined } = {},
    ): Promise<void> {
      for (const c of CONCURRENCY) {
        let latency = '';
        const m = await row({ scenario: 'throughput', language, subject, variant: `c=${c}`, unit: 'exec/s' }, async () => {
          if (blocked.unavailable !== undefined) throw new SkipMeasurement(blocked.unavailable);
          if (blocked.broken !== undefined) throw new Error(blocked.broken);
          const samples: number[] = [];
          for (let i = 0; i < reps; i++) {
            const result = await loadTest(url, body, c, seconds, (text) => text.includes(GREETING_JSON));
            if (result.failures > 0 && result.execPerSec === 0) throw new Error(`every request failed (${result.failures})`);
            if (result.execPerSec === 0) latency = `no request completed within the ${seconds} s window`;
            else latency = `p50 ${result.latencyP50Ms} ms, p97.5 ${result.latencyP97Ms} ms${result.failures ? `, ${result.failures} failed` : ''}`;
            samples.push(result.execPerSec);
          }
          return samples;
        });
        if (m && m.status === 'ok') m.note = latency;
      }
    }

    // One service per language with only that lane's workers: each lane's figure is its own, not
    // shared with idle workers of another lane competing for the two cores. The store is shared.
    const storeDir = await emptyStore(ctx, 'http');
    for (const language of ['javascript', 'python'] as const) {
      if (!ctx.wants(ISOLA, language)) continue;
      const lane = language === 'python' ? 'cpython' : 'quickjs';
      const workers = Object.fromEntries(['quickjs', 'cpython', 'native'].filter((other) => other !== lane).map((other) => [other, 0]));
      let isola: ServiceChild<IsolaInfo> | undefined;
      try {
        isola = await startServiceChild<IsolaInfo>([...childScriptArgs('isola-server'), storeDir, JSON.stringify(workers)], { cwd: repoRoot() });
        const unavailable = isola.info.skip ?? isola.info.unavailable?.[lane] ?? undefined;
        let broken: string | undefined;
        const url = `http://127.0.0.1:${isola.info.port}/v1/execute`;
        const body = { language, code: HELLO[language], inputs: HELLO_INPUTS };
        if (unavailable === undefined) {
          try {
            // Also builds the snapshot, so the timed runs measure the steady state.
            for (let i = 0; i < 3; i++) await checkEndpoint(url, body, (json) => (json as { output?: unknown }).output);
          } catch (err) {
            broken = `warm-up request failed: ${(err as Error).message}`;
          }
        }
        await measureLevels(language, ISOLA, url, body, { unavailable, broken });
      } finally {
        await isola?.stop();
      }
    }

    // bubblewrap adds little over python3 here and its c=32 level takes long: full runs only.
    const wanted = PEERS.filter(([language, peer]) => ctx.wants(peer, language) && !(ctx.options.quick && peer === 'bwrap+python3'));
    if (wanted.length === 0) return;
    const peers = await startServiceChild<{ port: number }>(childScriptArgs('peer-server'), { cwd: repoRoot() });
    try {
      for (const [language, peer] of wanted) {
        const url = `http://127.0.0.1:${peers.info.port}/${encodeURIComponent(peer)}`;
        const body = { code: HELLO[language], inputs: HELLO_INPUTS };
        let unavailable: string | undefined;
        try {
          await checkEndpoint(url, body, (json) => (json as { output?: unknown }).output);
        } catch (err) {
          unavailable = `peer not runnable here: ${(err as Error).message}`;
        }
        await measureLevels(language, peer, url, body, { unavailable });
      }
    } finally {
      await peers.stop();
    }
  },
};
