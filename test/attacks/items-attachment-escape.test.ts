/**
 * A batch item tries to make the host store bytes it should not: a symlink in its outbox pointing at a
 * host file, a directory, a reference whose name climbs out of the outbox, and an attach() name with a
 * slash. None of it may reach the blob store; each is that item's own failure. Every lane, both
 * languages where the lane runs both, through the HTTP face.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { ITEM_LANGUAGES } from '../../src/contract/items.js';
import { LANES } from '../../src/lanes/registry.js';
import { buildApp } from '../../src/server/app.js';
import { post } from '../server/helpers.js';
import { laneTargets } from '../conformance/lane-targets.js';

type Language = 'python' | 'javascript';

const REFS = '{"json": {}, "binary": {"a": {"id": "outbox:pw"}, "b": {"id": "outbox:sub"}, "c": {"id": "outbox:../../../etc/passwd"}}}';
const CODE: Record<Language, string> = {
  python: `
import os
def execute(args, ctx):
    os.makedirs("/tmp/isola-outbox/sub", exist_ok=True)
    open("/tmp/isola-outbox/sub/x", "w").write("x")
    try:
        os.symlink("/etc/passwd", "/tmp/isola-outbox/pw")
    except OSError:
        pass
    if args.item_index == 1:
        ctx.binary.attach(name="../escape", body=b"x")
    return ${REFS}
`,
  javascript: `
const fs = require('fs');
function execute(args, ctx) {
  fs.mkdirSync('/tmp/isola-outbox/sub', { recursive: true });
  fs.writeFileSync('/tmp/isola-outbox/sub/x', 'x');
  try { fs.symlinkSync('/etc/passwd', '/tmp/isola-outbox/pw'); } catch {}
  if (args.itemIndex === 1) ctx.binary.attach({ name: '../escape', body: 'x' });
  return ${REFS};
}`,
};

const TARGETS = laneTargets((['python', 'javascript'] as const).filter((l) => ITEM_LANGUAGES.includes(l)));

describe.each(TARGETS)('attachments cannot escape the outbox on lane $lane, $language', ({ lane, language, runtime }) => {
  let engine: Engine;
  let app: FastifyInstance;
  beforeAll(async () => {
    const workers = Object.fromEntries(LANES.map((l) => [l.name, l.name === lane ? 1 : 0]));
    engine = await createEngine({ workers, maxWorkers: workers });
    app = buildApp({ engine, docs: false });
    await app.ready();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await engine?.close();
  });

  it('a symlink, a directory and a climbing name in the outbox store nothing; a slash in a name is refused', async () => {
    const res = await post(app, { language, runtime, code: CODE[language], items: [{ json: {} }, { json: {} }], continue_on_fail: true });
    expect(res.statusCode).toBe(200);
    const answer = res.json() as { environment: { lane: string }; items: Record<string, unknown[]>; errors?: { index: number; type: string; message: string }[] };
    expect(answer.environment.lane).toBe(lane);
    expect(answer.items).toEqual({ main: [] });
    expect(answer.errors?.map((e) => [e.index, e.type])).toEqual([
      [0, 'invalid_output'],
      [1, 'exception'],
    ]);
    expect(answer.errors?.[0]?.message).toContain('ctx.binary.attach');
    expect(answer.errors?.[1]?.message).toMatch(/name must be letters/);
    // Nothing of the host file became a blob.
    const passwd = createHash('sha256').update(readFileSync('/etc/passwd')).digest('hex');
    expect((await app.inject({ method: 'GET', url: `/v1/blobs/${passwd}` })).statusCode).toBe(404);
  }, 60_000);
});
