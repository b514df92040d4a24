/**
 * Warm execution with fresh isolation: hello world in function mode, one at a time, in a process that
 * is already up. Isola through its library (engine.execute); peers with a new interpreter per run.
 */
import { runChild } from '../children.js';
import { runIsolaJob, sharedStore } from '../isola/jobs.js';
import { collectSequential, rowMaker, timeSequential } from '../measure.js';
import { ISOLA, type Scenario } from '../model.js';
import { isolatedVmHello } from '../peers/isolated-vm.js';
import { vmHello } from '../peers/node-vm.js';
import { pyodideSnapshot } from '../peers/pyodide-stock.js';
import { quickjsHello, quickjsModule } from '../peers/quickjs-raw.js';
import { quickjsSandbox, quickjsSandboxHello } from '../peers/quickjs-sandbox.js';
import { helloOnce } from '../peers/subprocess.js';
import { HELLO } from '../workloads.js';

export const warm: Scenario = {
  id: 'warm',
  title: 'Warm execution, fresh isolation, sequential',
  async run(ctx, record) {
    const row = rowMaker(ctx, record);
    const inProcess = ctx.reps(100, 1000);
    const spawned = ctx.reps(6, 50);
    const storeDir = await sharedStore(ctx);
    await row({ scenario: this.id, language: 'javascript', subject: ISOLA, variant: '', unit: 'ms', note: 'engine.execute' }, async () =>
      (await runIsolaJob({ mode: 'warm', language: 'javascript', storeDir, iterations: inProcess })).report.samples,
    );
    await row({ scenario: this.id, language: 'python', subject: ISOLA, variant: '', unit: 'ms', note: 'engine.execute' }, async () =>
      (await runIsolaJob({ mode: 'warm', language: 'python', storeDir, iterations: ctx.reps(50, 500) })).report.samples,
    );
    for (const language of ['python', 'javascript'] as const) {
      await row({ scenario: this.id, language, subject: ISOLA, variant: 'native lane', unit: 'ms', note: 'runtime: native (bubblewrap)' }, async () =>
        (await runIsolaJob({ mode: 'warm', language, runtime: 'native', storeDir, iterations: spawned })).report.samples,
      );
    }
    await row({ scenario: this.id, language: 'javascript', subject: 'quickjs-raw', variant: '', unit: 'ms', note: 'new runtime+context per run' }, async () => {
      await quickjsModule();
      return timeSequential(inProcess, Math.ceil(inProcess / 10), () => quickjsHello(HELLO.javascript));
    });
    await row({ scenario: this.id, language: 'javascript', subject: 'node:vm', variant: '', unit: 'ms', note: 'new context per run' }, () =>
      timeSequential(inProcess, Math.ceil(inProcess / 10), () => vmHello(HELLO.javascript)),
    );
    await row({ scenario: this.id, language: 'javascript', subject: 'isolated-vm', variant: '', unit: 'ms', note: 'new context per run in one V8 isolate (shared heap)' }, () =>
      timeSequential(inProcess, Math.ceil(inProcess / 10), () => isolatedVmHello(HELLO.javascript)),
    );
    await row({ scenario: this.id, language: 'javascript', subject: 'quickjs-sandbox', variant: '', unit: 'ms', note: '@sebastianwessel/quickjs runSandboxed per run' }, async () => {
      await quickjsSandbox();
      return timeSequential(spawned * 2, 2, () => quickjsSandboxHello(HELLO.javascript));
    });
    await row({ scenario: this.id, language: 'javascript', subject: 'node -e', variant: '', unit: 'ms' }, () =>
      collectSequential(spawned, () => helloOnce('node -e', HELLO.javascript)),
    );
    await row(
      { scenario: this.id, language: 'python', subject: 'pyodide-snapshot', variant: '', unit: 'ms', note: 'loadPyodide({_loadSnapshot}) per run, same process' },
      async () => {
        const file = await pyodideSnapshot(ctx);
        return (await runChild('pyodide-peer', ['restore', file, String(ctx.reps(3, 10))])).report.samples;
      },
    );
    for (const peer of ['python3', 'bwrap+python3'] as const) {
      await row({ scenario: this.id, language: 'python', subject: peer, variant: '', unit: 'ms' }, () =>
        collectSequential(spawned, () => helloOnce(peer, HELLO.python)),
      );
    }
  },
};
