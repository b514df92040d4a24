import { describe, expect, it } from 'vitest';
import { useEngine } from './helpers.js';

// One worker, a new interpreter image every 3 executions: the string-hash seed is the one piece of
// state an image carries for all its executions, so it must change when the image does.
const { run } = useEngine({ workers: { quickjs: 0, cpython: 1 }, maxWorkers: { cpython: 1 }, laneOptions: { cpython: { rebootEvery: 3 } } });

describe('cpython image renewal', () => {
  it('executions on one image share a string-hash seed; the next image has another', async () => {
    const code = 'print(hash("isola-seed-probe"))';
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await run({ language: 'python', code });
      expect(response.error).toBeNull();
      seen.push(response.stdout);
    }
    expect(new Set(seen.slice(0, 3)).size).toBe(1);
    expect(new Set(seen.slice(3, 6)).size).toBe(1);
    expect(seen[3]).not.toBe(seen[0]);
  });

  it('random, secrets and uuid4 differ in every execution, image or not', async () => {
    const code = 'import random, secrets, uuid\nprint(random.random(), secrets.token_hex(8), uuid.uuid4())';
    const outputs = new Set<string>();
    for (let i = 0; i < 4; i++) outputs.add((await run({ language: 'python', code })).stdout);
    expect(outputs.size).toBe(4);
  });
});
