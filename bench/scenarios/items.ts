/**
 * A batch of small items in one request against the same work as separate requests: hello world per
 * item, over HTTP to Isola's service in a child process (only the language's lane, its default worker
 * count). The batch is one POST with `items` (execute once per item, each in a fresh interpreter);
 * the baseline POSTs one /v1/execute per item, 8 at a time, as a workflow engine fanning out would.
 * Every answer is checked, item by item.
 */
import { childScriptArgs, repoRoot, startServiceChild, type ServiceChild } from '../process.js';
import { emptyStore } from '../isola/jobs.js';
import { rowMaker, SkipMeasurement } from '../measure.js';
import { ISOLA, type BenchLanguage, type Scenario } from '../model.js';

export const SEPARATE_REQUESTS = 'separate requests';
const CONCURRENCY = 8;

const CODE: Record<BenchLanguage, string> = {
  javascript: 'function execute(args) { return { greeting: "hello " + args.input.name } }\nfunction main({ name }) { return { greeting: "hello " + name } }',
  python: 'def execute(args, ctx):\n    return {"greeting": "hello " + args.input["name"]}\n\ndef main(name="world"):\n    return {"greeting": "hello " + name}\n',
};

async function post(url: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

function names(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `n${i}`);
}

async function timeBatch(url: string, language: BenchLanguage, count: number): Promise<number> {
  const items = names(count).map((name) => ({ json: { name } }));
  const started = performance.now();
  const answer = await post(url, { language, code: CODE[language], items });
  const elapsed = performance.now() - started;
  const main = (answer['items'] as { main?: { json: { greeting?: string }; paired: { item: number } }[] } | undefined)?.main ?? [];
  if (main.length !== count || main.some((item, i) => item.json.greeting !== `hello n${i}` || item.paired.item !== i)) {
    throw new Error(`the batch answered ${main.length} items, not ${count} greetings in order: ${JSON.stringify(answer).slice(0, 300)}`);
  }
  return elapsed;
}

async function timeSeparate(url: string, language: BenchLanguage, count: number): Promise<number> {
  const all = names(count);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < all.length) {
        const name = all[next++]!;
        const answer = await post(url, { language, code: CODE[language], inputs: { name } });
        if ((answer['output'] as { greeting?: string } | null)?.greeting !== `hello ${name}`) throw new Error(`separate request for ${name} answered ${JSON.stringify(answer).slice(0, 300)}`);
      }
    }),
  );
  return performance.now() - started;
}

export const items: Scenario = {
  id: 'items',
  title: 'A batch of items in one request vs one request per item',
  async run(ctx, record) {
    const row = rowMaker(ctx, record);
    const reps = ctx.reps(1, 3);
    const storeDir = await emptyStore(ctx, 'items');
    for (const language of ['javascript', 'python'] as const) {
      if (!ctx.wants(ISOLA, language) && !ctx.wants(SEPARATE_REQUESTS, language)) continue;
      // Quick runs keep the whole bench under two minutes: a tenth of the items (a twentieth for Python).
      const count = ctx.options.quick ? (language === 'python' ? 50 : 100) : 1000;
      const lane = language === 'python' ? 'cpython' : 'quickjs';
      const workers = Object.fromEntries(['quickjs', 'cpython', 'native'].filter((other) => other !== lane).map((other) => [other, 0]));
      const variant = `${count} items`;
      let service: ServiceChild<{ port?: number; skip?: string; unavailable?: Record<string, string | null> }> | undefined;
      try {
        service = await startServiceChild([...childScriptArgs('isola-server'), storeDir, JSON.stringify(workers)], { cwd: repoRoot() });
        const unavailable = service.info.skip ?? service.info.unavailable?.[lane] ?? undefined;
        const url = `http://127.0.0.1:${service.info.port}/v1/execute`;
        if (unavailable === undefined) {
          // Warm both paths (and build the lane's snapshot) before anything is timed.
          await timeBatch(url, language, 8);
          await timeSeparate(url, language, 8);
        }
        const measure = (time: (url: string, language: BenchLanguage, count: number) => Promise<number>) => async () => {
          if (unavailable !== undefined) throw new SkipMeasurement(unavailable);
          const samples: number[] = [];
          for (let i = 0; i < reps; i++) samples.push(await time(url, language, count));
          return samples;
        };
        const batch = await row({ scenario: this.id, language, subject: ISOLA, variant, unit: 'ms', note: 'one POST /v1/execute with items' }, measure(timeBatch));
        const separate = await row({ scenario: this.id, language, subject: SEPARATE_REQUESTS, variant, unit: 'ms', note: `${count} POSTs /v1/execute, ${CONCURRENCY} at a time` }, measure(timeSeparate));
        for (const m of [batch, separate]) {
          if (m?.status === 'ok' && m.stats) m.note = `${m.note}; ${(m.stats.median / count).toFixed(2)} ms per item`;
        }
      } finally {
        await service?.stop();
      }
    }
  },
};
