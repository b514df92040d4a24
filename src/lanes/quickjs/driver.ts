/**
 * The QuickJS lane driver. One WebAssembly module per worker; every job gets a new runtime and context
 * inside it (~0.2 ms), so isolation between executions costs almost nothing. The module itself is replaced
 * when it may be unhealthy (a host-side stack overflow or trap unwound through it) or grew large.
 */
import { newQuickJSWASMModuleFromVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import type { DriverHost, GuestJob, GuestResult, LaneDriver } from '../lane.js';
import { runJob } from './run-job.js';

export interface QuickJSDriverOptions {
  variant: QuickJSSyncVariant;
  /** QuickJS's own stack limit: it must trip (InternalError) before the host's stack does. */
  stackSizeBytes?: number;
}

const LIBRARIES = ['inspect', 'fs', 'path', 'text', 'buffer', 'url', 'clone', 'abort', 'fetch', 'crypto', 'events', 'stdin', 'serialize', 'assert'];

export async function createQuickJSDriver(host: DriverHost, options: QuickJSDriverOptions): Promise<LaneDriver> {
  const bootstrapSource = host.runtimeFile('quickjs/bootstrap.js');
  const libCache = new Map<string, string | undefined>();
  const libSource = (name: string): string | undefined => {
    if (!libCache.has(name)) {
      let source: string | undefined;
      try {
        source = LIBRARIES.includes(name) ? host.runtimeFile(`quickjs/lib/${name}.js`) : undefined;
      } catch {
        source = undefined;
      }
      libCache.set(name, source);
    }
    return libCache.get(name);
  };
  const bundles = new Map<string, string>();
  let module: QuickJSWASMModule = await newQuickJSWASMModuleFromVariant(options.variant);
  let healthy = true;
  let jobs = 0;

  async function packagesFor(job: GuestJob): Promise<string | undefined> {
    const bundlePath = job.environment?.spec['bundlePath'];
    if (typeof bundlePath !== 'string' || !host.readArtifact) return undefined;
    let source = bundles.get(bundlePath);
    if (source === undefined) {
      source = new TextDecoder().decode(await host.readArtifact(bundlePath));
      if (bundles.size > 32) bundles.clear();
      bundles.set(bundlePath, source);
    }
    return source;
  }

  return {
    lane: 'quickjs',
    async run(job: GuestJob): Promise<GuestResult> {
      if (!healthy) {
        module = await newQuickJSWASMModuleFromVariant(options.variant);
        healthy = true;
      }
      jobs++;
      const packagesSource = await packagesFor(job);
      try {
        return await runJob(
          { module, host, bootstrapSource, libSource, stackSizeBytes: options.stackSizeBytes ?? 512 * 1024, ...(packagesSource ? { packagesSource } : {}) },
          job,
        );
      } catch (error) {
        // A throw out of runJob means the Wasm side may be corrupt (host RangeError, trap, failed dispose):
        // never reuse this module.
        healthy = false;
        throw error;
      }
    },
    describe: () => ({ engine: 'quickjs-emscripten', variant: 'release-sync', jobs, healthy }),
    async dispose() {
      bundles.clear();
    },
  };
}
