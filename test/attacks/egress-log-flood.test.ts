// A guest that makes 300 denied requests in one job used to write 300 warn lines to the service log.
// Log lines a guest can trigger are budgeted: a few per execution, then one summary line; metrics still
// count every denial. Real HTTP face, real engine, real pino logger.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create-engine.js';
import type { Engine } from '../../src/engine/types.js';
import { DEFAULT_LOG_LINES_PER_EXECUTION } from '../../src/egress/log-budget.js';
import { buildApp } from '../../src/server/app.js';
import { post } from '../server/helpers.js';

const FLOOD: Record<'javascript' | 'python', string> = {
  javascript: `async function main({ n }) {
    let denied = 0;
    for (let i = 0; i < n; i++) { try { await fetch('http://flood-' + i + '.example.com/') } catch { denied++ } }
    return denied;
  }`,
  python: `import urllib.request
def main(n):
    denied = 0
    for i in range(n):
        try:
            urllib.request.urlopen("http://flood-%d.example.com/" % i)
        except Exception:
            denied += 1
    return denied
`,
};

interface LogLine {
  level: number;
  msg: string;
  jobId?: string;
  unlogged?: number;
}

describe('egress denial log flood', () => {
  const lines: LogLine[] = [];
  let deniedEvents = 0;
  let engine: Engine;
  let app: ReturnType<typeof buildApp>;
  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
    engine = await createEngine({
      workers: { quickjs: 1, cpython: 1, native: 0 },
      // The gate's own per-execution request cap must not be what stops the flood.
      egress: { maxRequestsPerExecution: 1000 },
      logger: logger.child({ component: 'engine' }),
      onEvent: (event) => {
        if (event.type === 'egress_denied') deniedEvents++;
      },
    });
    app = buildApp({ engine, logger, docs: false });
    await app.ready();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await engine?.close({ graceMs: 0 });
  });

  it.each(['javascript', 'python'] as const)('%s: 300 denied fetches write a few warn lines plus one summary', async (language) => {
    lines.length = 0;
    deniedEvents = 0;
    const res = await post(app, { language, code: FLOOD[language], inputs: { n: 300 }, network: { allow: ['allowed.example.com'] }, timeout_ms: 60_000 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'completed', output: 300, error: null });
    const warns = lines.filter((line) => line.level >= 40);
    const denied = warns.filter((line) => line.msg === 'egress denied');
    const summary = warns.filter((line) => line.msg.startsWith('egress denials not logged'));
    expect(denied).toHaveLength(DEFAULT_LOG_LINES_PER_EXECUTION);
    expect(summary).toEqual([expect.objectContaining({ unlogged: 300 - DEFAULT_LOG_LINES_PER_EXECUTION, jobId: res.json().id })]);
    expect(warns).toHaveLength(DEFAULT_LOG_LINES_PER_EXECUTION + 1);
    // Metrics see every denial.
    expect(deniedEvents).toBe(300);
  }, 90_000);

  it('the budget is per execution: the next job logs its own first denials', async () => {
    lines.length = 0;
    const res = await post(app, { language: 'javascript', code: FLOOD.javascript, inputs: { n: 2 }, network: { allow: ['allowed.example.com'] } });
    expect(res.json().output).toBe(2);
    expect(lines.filter((line) => line.msg === 'egress denied')).toHaveLength(2);
    expect(lines.filter((line) => line.msg.startsWith('egress denials not logged'))).toHaveLength(0);
  });
});
