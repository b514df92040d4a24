/**
 * The QuickJS lane inside the engine's own isolate, for hosts without Web Workers (Cloudflare's workerd):
 * one driver, one job at a time, behind the same Scheduler as every lane. Without a second thread
 * nothing can stop a guest from outside: deadlines are the driver's interrupt handler, which reads the
 * clock (test/edge/workerd.test.ts shows it stopping a busy loop under `workerd serve`); a guest stuck
 * outside the interpreter has only the platform's own CPU limit as a backstop. Portable.
 */
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';
import type { LaneExecutor } from '../engine/scheduler.js';
import type { DriverHost, GuestJob, GuestResult, LaneDriver } from '../lanes/lane.js';
import { createQuickJSDriver } from '../lanes/quickjs/driver.js';
import { asCancelled } from '../lanes/failures.js';

// CommonJS-shaped types (see src/lanes/quickjs/worker-entry.ts): at runtime the default is the variant.
const variant = releaseSync as unknown as QuickJSSyncVariant;

export function edgeDriverHost(files: Record<string, string>, interrupt?: Int32Array, interruptMemory?: WebAssembly.Memory): DriverHost {
  return {
    runtimeFile(path) {
      const source = files[path];
      if (source === undefined) throw new Error(`no runtime file ${path} in the edge bundle`);
      return source;
    },
    async fetch(_jobId, request) {
      return { ok: false, kind: 'denied', message: `${new URL(request.url).host}: the edge engine has no network` };
    },
    ...(interrupt ? { interrupt } : {}),
    ...(interruptMemory ? { interruptMemory } : {}),
    log() {},
  };
}

export class InlineLane implements LaneExecutor {
  private driver: LaneDriver | undefined;
  private busy = false;
  private readonly listeners: (() => void)[] = [];
  private failure: string | undefined = 'the QuickJS driver is starting';

  constructor(
    private readonly wasm: WebAssembly.Module,
    private readonly files: Record<string, string>,
  ) {}

  async start(): Promise<void> {
    try {
      this.driver = await createQuickJSDriver(edgeDriverHost(this.files), { variant, wasm: this.wasm });
      this.failure = undefined;
    } catch (error) {
      this.failure = String((error as Error)?.message ?? error);
      throw error;
    }
    this.notify();
  }

  get unavailable(): string | undefined {
    return this.failure;
  }

  tryAcquire(): unknown {
    return this.driver && !this.busy ? this.driver : undefined;
  }

  async run(_slot: unknown, job: GuestJob, signal?: AbortSignal): Promise<GuestResult> {
    const driver = this.driver;
    if (!driver) throw new Error('the QuickJS driver is not running');
    this.busy = true;
    try {
      const result = await driver.run(job);
      await driver.recycle?.();
      // No thread could stop it: a cancel that came while it ran still decides how it ends.
      return signal?.aborted ? asCancelled(result) : result;
    } finally {
      this.busy = false;
      this.notify();
    }
  }

  onAvailable(listener: () => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    void this.driver?.dispose();
    this.driver = undefined;
    this.failure = 'the engine was closed';
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
