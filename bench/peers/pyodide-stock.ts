/** Peer: stock Pyodide from npm, cold and with its own memory snapshot (see child/pyodide-peer.ts). */
import { join } from 'node:path';
import { runChild } from '../children.js';
import type { BenchContext } from '../model.js';

/** A snapshot file made once per run by Pyodide's own makeMemorySnapshot(). */
export function pyodideSnapshot(ctx: BenchContext): Promise<string> {
  return ctx.shared('pyodide-snapshot', async () => {
    const file = join(ctx.tmpDir, 'pyodide.snapshot');
    ctx.log('  (making a stock Pyodide snapshot)');
    await runChild('pyodide-peer', ['make-snapshot', file]);
    return file;
  });
}
