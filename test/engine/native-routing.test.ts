import { describe, expect, it } from 'vitest';
import { useEngine } from './helpers.js';

// The native lane (bubblewrap) behind the same contract; CI installs bubblewrap.
const { run, engine } = useEngine({ workers: { native: 1 } });

describe('routing to the native lane', () => {
  it('runtime "native" runs Python in the bubblewrap lane with the same envelope', async () => {
    const response = await run({ language: 'python', runtime: 'native', code: `def main(text: str) -> dict:\n    return {"upper": text.upper()}`, inputs: { text: 'isola' } });
    expect(response.error).toBeNull();
    expect(response.output).toEqual({ upper: 'ISOLA' });
    expect(response.environment).toMatchObject({ lane: 'native', mode: 'main', reason: 'runtime "native" was requested' });
  });

  it('runtime "native" runs JavaScript (TypeScript stripped on the host) in Node inside the sandbox', async () => {
    const response = await run({ language: 'typescript', runtime: 'native', code: `export async function main({ n }: { n: number }) { return { double: n * 2, node: typeof process.versions.node } }`, inputs: { n: 21 } });
    expect(response.error).toBeNull();
    expect(response.output).toEqual({ double: 42, node: 'string' });
    expect(response.environment.lane).toBe('native');
  });

  it('readiness reports the OS sandbox ring when bubblewrap works', async () => {
    await run({ language: 'python', runtime: 'native', code: 'print(1)' });
    const readiness = engine().readiness();
    expect(readiness.lanes.native?.available).toBe(true);
    expect(readiness.rings.os_sandbox).toBe(true);
  });
});
