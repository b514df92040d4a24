/**
 * The QuickJS variant's module rewritten by the module guard (src/wasm/guard-module.ts)
 * so that every store marks its 4 KiB chunk dirty and its stack pointer is exported: what the heap
 * image needs to be put back in place. No deadline checks in loops: QuickJS has its interrupt handler.
 * Rewriting takes ~100 ms, so the bytes are kept in the snapshot store and the compiled module is
 * shared by the lane's workers.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DriverHost } from '../lane.js';
import { guardFacts, guardModule } from '../../wasm/guard-module.js';
import { QUICKJS_GUARD, QUICKJS_GUARD_VERSION } from './guard-options.js';

export async function guardedQuickJSModule(host: DriverHost, wasmPath: string): Promise<WebAssembly.Module> {
  const source = readFileSync(wasmPath);
  const key = `quickjs-guarded-${createHash('sha256').update(source).update(`guard ${QUICKJS_GUARD_VERSION}`).digest('hex').slice(0, 32)}`;
  const shared = host.sharedModule?.(key);
  if (shared) return shared;
  const stored = await host.snapshots?.get(key).catch(() => undefined);
  // Stored bytes that do not compile into a guarded module are rewritten rather than trusted.
  const fromStore = stored ? await WebAssembly.compile(stored as Uint8Array<ArrayBuffer>).catch(() => undefined) : undefined;
  let module = fromStore && guardFacts(fromStore) ? fromStore : undefined;
  if (!module) {
    const guarded = guardModule(source, QUICKJS_GUARD).bytes;
    await host.snapshots
      ?.put(key, guarded)
      .then(() => host.snapshots?.prune?.('quickjs-guarded-', key))
      .catch((error: unknown) => host.log('debug', 'quickjs: cannot store the guarded module', { error: String(error) }));
    module = await WebAssembly.compile(guarded as Uint8Array<ArrayBuffer>);
  }
  host.shareModule?.(key, module);
  return module;
}
